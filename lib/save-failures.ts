/**
 * What a client tells a person while the server cannot save their work right now (a database
 * outage, a fault on the server) and the work waits on the device to be sent again. The failure is
 * the server's, brief, and nothing is lost: not "Something went wrong".
 */
export const SAVE_STALLED_MESSAGE = "Can't save right now — we'll keep trying.";

/** Ack codes after which the same command is sent again later (the work is kept), not dropped. */
export function isRetryableFailure(code: string): boolean {
  return code === "unavailable" || code === "internal";
}
