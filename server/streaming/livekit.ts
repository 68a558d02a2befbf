/**
 * The LiveKit deployment Plenary talks to: the embedded `livekit-server --dev`, any other one named by
 * LIVEKIT_URL, or none. media-server.ts decides which, and when.
 */
import { EgressClient, RoomServiceClient, WebhookReceiver } from "livekit-server-sdk";
import type { EmbeddedLivekit } from "./embedded";

export interface Livekit {
  /** What browsers connect to (ws:// or wss://). */
  url: string;
  apiKey: string;
  apiSecret: string;
  rooms: RoomServiceClient;
  egress: EgressClient;
  /**
   * Starting a recording waits for an egress worker; LiveKit answers "no response from servers" only
   * after ~20 s when none exists, so this client gives up after RECORDING_START_SECONDS.
   */
  egressStart: EgressClient;
  webhooks: WebhookReceiver;
  embedded?: EmbeddedLivekit;
  close(): Promise<void>;
}

/**
 * How long a recording start may wait for an egress worker to take it. A worker that runs answers in
 * well under a second; past this the moderator is told at once (within 2 s) instead of watching
 * "Starting the recording…" for LiveKit's own 20 s timeout.
 */
export const RECORDING_START_SECONDS = 1.5;

/** The API clients for one LiveKit deployment (closing stops the embedded server, if it is one). */
export function livekitClients(url: string, apiKey: string, apiSecret: string, embedded?: EmbeddedLivekit): Livekit {
  const http = url.replace(/^ws/, "http");
  const ws = url.replace(/^http/, "ws");
  return {
    url: ws,
    apiKey,
    apiSecret,
    rooms: new RoomServiceClient(http, apiKey, apiSecret, { requestTimeout: 10 }),
    egress: new EgressClient(http, apiKey, apiSecret, { requestTimeout: 10 }),
    egressStart: new EgressClient(http, apiKey, apiSecret, { requestTimeout: RECORDING_START_SECONDS }),
    webhooks: new WebhookReceiver(apiKey, apiSecret),
    embedded,
    close: async () => embedded?.stop(),
  };
}

/** LiveKit's own words for a failed call, for people to read ("egress not connected (redis required)"). */
export function livekitMessage(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { message?: string; name?: string; status?: number; code?: string };
    const message = (e.message ?? e.name ?? "unknown error").replace(/^twirp error unknown: /, "");
    if (e.name === "TimeoutError" || /aborted due to timeout/.test(message)) return "LiveKit did not answer in time";
    return e.code ? `${message} (${e.code})` : message;
  }
  return String(err);
}

/** A LiveKit "not found" answer (unknown room or participant). */
export function isNotFound(err: unknown): boolean {
  return Boolean(err && typeof err === "object" && ((err as { status?: number }).status === 404 || (err as { code?: string }).code === "not_found"));
}

/** The call was given up by our own request timeout (the SDK aborts with a TimeoutError). */
export function isTimeout(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { name?: string; message?: string };
  return e.name === "TimeoutError" || /aborted due to timeout/.test(e.message ?? "");
}
