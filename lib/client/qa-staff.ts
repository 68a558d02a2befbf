/**
 * Staff commands of the Q&A engine (moderate, answer, undo, pause, interleave, configure). Unlike the
 * audience's work they are not queued: a moderator acts on what is on screen now. They are sent at
 * once and, if the connection drops before the ack, resent with the same key after reconnecting: the
 * server answers a repeated key with the stored result.
 */
import type { AckResult } from "../realtime/contract";
import { newClientKey, type ModerationResult } from "../qa";
import { TIMEOUT, request, type CommandSocket, type PayloadOf } from "./request";

/** The staff commands, sent with the session's slug and a fresh idempotency key. */
export type StaffCommand = "question:moderate" | "question:answer" | "qa:undo" | "qa:pause" | "qa:interleave" | "qa:configure";
export type StaffPayload<E extends StaffCommand> = Omit<PayloadOf<E>, "slug" | "key">;
export type StaffCall = { [E in StaffCommand]: { event: E; payload: StaffPayload<E> } }[StaffCommand];

export interface StaffOptions {
  slug: string;
  ackTimeoutMs: number;
  deadlineMs: number;
  /** The engine was stopped: give up waiting for a connection. */
  stopped(): boolean;
}

/**
 * Sends a staff command with one idempotency key and waits for its ack, resending it after a
 * reconnect if the connection dropped first (until `deadlineMs` passes).
 */
export async function sendStaff(
  socket: CommandSocket & { readonly connected: boolean },
  call: StaffCall,
  opts: StaffOptions,
): Promise<AckResult<ModerationResult>> {
  const key = newClientKey();
  const until = Date.now() + opts.deadlineMs;
  while (Date.now() < until && !opts.stopped()) {
    if (!socket.connected) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const r = await sendCall(socket, call, key, opts);
    if (!r.ok && r.error.code === TIMEOUT) continue;
    return r;
  }
  return {
    ok: false,
    error: { code: "unavailable", message: "No connection to the server: the action was not confirmed. Try again when the connection is back." },
  };
}

/** One case per command: TypeScript pairs each event with its payload only once the union is narrowed. */
function sendCall(socket: CommandSocket, call: StaffCall, key: string, opts: StaffOptions): Promise<AckResult<ModerationResult>> {
  const base = { slug: opts.slug, key };
  const o = { timeoutMs: opts.ackTimeoutMs };
  switch (call.event) {
    case "question:moderate":
      return request(socket, call.event, { ...base, ...call.payload }, o);
    case "question:answer":
      return request(socket, call.event, { ...base, ...call.payload }, o);
    case "qa:undo":
      return request(socket, call.event, { ...base, ...call.payload }, o);
    case "qa:pause":
      return request(socket, call.event, { ...base, ...call.payload }, o);
    case "qa:interleave":
      return request(socket, call.event, { ...base, ...call.payload }, o);
    case "qa:configure":
      return request(socket, call.event, { ...base, ...call.payload }, o);
  }
}
