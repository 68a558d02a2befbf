import { createHash } from "node:crypto";
import { AccessToken } from "livekit-server-sdk";
import WebSocket from "ws";
import { defaultLivekitBin } from "../config";
import { livekitBinaryPresent } from "../streaming/embedded";

/**
 * The LiveKit server binary the streaming tests run against (LIVEKIT_BIN, else the one
 * scripts/install-livekit.sh builds). With REQUIRE_LIVEKIT=1 (npm test, CI) a missing binary is an
 * error, never a silent skip; otherwise those tests are skipped with a note.
 */
export function livekitBinForTests(): string | undefined {
  const bin = process.env.LIVEKIT_BIN || defaultLivekitBin;
  if (livekitBinaryPresent(bin)) return bin;
  if (process.env.REQUIRE_LIVEKIT === "1") {
    throw new Error(`REQUIRE_LIVEKIT=1 but there is no LiveKit server binary at ${bin}: run scripts/install-livekit.sh`);
  }
  process.stderr.write(`LiveKit tests skipped: no livekit-server at ${bin} (scripts/install-livekit.sh)\n`);
  return undefined;
}

/**
 * Joins a LiveKit room on the signalling WebSocket only (no media): enough for LiveKit to accept the
 * token and list the participant with its permissions. Media is tested in Chromium (e2e/).
 */
export function signalJoin(livekitUrl: string, token: string): Promise<{ close(): void }> {
  const url = `${livekitUrl}/rtc?access_token=${encodeURIComponent(token)}&auto_subscribe=1&sdk=js&version=2.23.0&protocol=16`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`LiveKit refused the token: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
    // LiveKit's first message is the JoinResponse: the participant is in the room.
    ws.once("message", () => resolve({ close: () => ws.close() }));
  });
}

/** A webhook body and its Authorization header, signed the way LiveKit signs them (JWT carrying the body's sha256). */
export async function signWebhook(apiKey: string, apiSecret: string, event: Record<string, unknown>): Promise<{ body: string; authorization: string }> {
  const body = JSON.stringify(event);
  const at = new AccessToken(apiKey, apiSecret);
  at.sha256 = createHash("sha256").update(body).digest("base64");
  return { body, authorization: await at.toJwt() };
}
