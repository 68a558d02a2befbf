/**
 * The LiveKit deployment Plenary talks to: the embedded `livekit-server --dev`, any other one named by
 * LIVEKIT_URL, or none. Built once by the composition root (server/app.ts).
 */
import { EgressClient, RoomServiceClient, WebhookReceiver } from "livekit-server-sdk";
import type { LivekitConfig } from "../config";
import type { Logger } from "../log";
import { livekitBinaryPresent, startEmbeddedLivekit, type EmbeddedLivekit } from "./embedded";

export interface Livekit {
  /** What browsers connect to (ws:// or wss://). */
  url: string;
  apiKey: string;
  apiSecret: string;
  rooms: RoomServiceClient;
  egress: EgressClient;
  /** Starting a recording waits for an egress worker; LiveKit answers "no response from servers" after ~20 s when none exists. */
  egressStart: EgressClient;
  webhooks: WebhookReceiver;
  embedded?: EmbeddedLivekit;
  close(): Promise<void>;
}

export interface ConnectOptions {
  config: LivekitConfig | undefined;
  /** Where LiveKit sends its webhooks (the embedded server is configured with it). */
  webhookUrl: string;
  log: Logger;
}

/** Null when there is no LiveKit: streaming is then unavailable and everything else works. */
export async function connectLivekit(opts: ConnectOptions): Promise<Livekit | null> {
  const c = opts.config;
  if (!c || c.mode === "off") {
    opts.log.info("streaming is off: no LiveKit configured");
    return null;
  }
  if (c.mode === "external") return clients(c.url, c.apiKey, c.apiSecret);
  if (!livekitBinaryPresent(c.bin)) {
    opts.log.warn("streaming is unavailable: no LiveKit server binary (run scripts/install-livekit.sh, or set LIVEKIT_URL)", { bin: c.bin });
    return null;
  }
  try {
    const embedded = await startEmbeddedLivekit({ bin: c.bin, webhookUrl: opts.webhookUrl, log: opts.log });
    return clients(embedded.url, embedded.apiKey, embedded.apiSecret, embedded);
  } catch (err) {
    opts.log.error("streaming is unavailable: the embedded LiveKit server did not start", { err });
    return null;
  }
}

function clients(url: string, apiKey: string, apiSecret: string, embedded?: EmbeddedLivekit): Livekit {
  const http = url.replace(/^ws/, "http");
  const ws = url.replace(/^http/, "ws");
  return {
    url: ws,
    apiKey,
    apiSecret,
    rooms: new RoomServiceClient(http, apiKey, apiSecret, { requestTimeout: 10 }),
    egress: new EgressClient(http, apiKey, apiSecret, { requestTimeout: 10 }),
    egressStart: new EgressClient(http, apiKey, apiSecret, { requestTimeout: 40 }),
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
