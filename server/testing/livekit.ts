import { createHash } from "node:crypto";
import http from "node:http";
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

/** What the network does to one LiveKit API call passing through `livekitFaultProxy`. */
export type FaultRule =
  /** Forward it and its answer (the default). */
  | "pass"
  /** Forward it, let LiveKit carry it out, then cut the connection: the answer is lost. */
  | "lose-answer"
  /** Cut the connection before LiveKit sees the call. */
  | "drop"
  /** Hold the call until the promise resolves, then forward it. */
  | { holdUntil: Promise<void> };

/**
 * A loopback HTTP hop in front of the real LiveKit server's API, for network faults on chosen calls
 * (LiveKit itself is never imitated: every call that gets through is answered by LiveKit). `rule` is
 * asked for each call with its Twirp method (e.g. "UpdateParticipant") and how many calls of that
 * method came before it; `seen` lists the methods in arrival order.
 */
export async function livekitFaultProxy(
  livekitUrl: string,
  rule: (method: string, index: number) => FaultRule,
): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const target = new URL(livekitUrl.replace(/^ws/, "http"));
  const counts = new Map<string, number>();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = (req.url ?? "").split("/").pop() ?? "";
      const index = counts.get(method) ?? 0;
      counts.set(method, index + 1);
      seen.push(method);
      const r = rule(method, index);
      if (r === "drop") return void res.socket?.destroy();
      const forward = () => {
        const headers = { ...req.headers, host: target.host };
        const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            if (r === "lose-answer") return void res.socket?.destroy();
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        });
        upstream.on("error", () => res.socket?.destroy());
        upstream.end(Buffer.concat(chunks));
      };
      if (typeof r === "object") void r.holdUntil.then(forward);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * LiveKit sends `participant_joined` only once a participant's media connects, which a signal-only
 * join (`signalJoin`) never does. This delivers the event LiveKit would send for that real
 * participant (its sid, identity and attributes as LiveKit lists them), signed as LiveKit signs it.
 */
export async function deliverParticipantJoined(
  plenaryUrl: string,
  livekit: {
    apiKey: string;
    apiSecret: string;
    rooms: {
      listParticipants(room: string): Promise<Array<{ sid: string; identity: string; attributes: Record<string, string>; permission?: { hidden?: boolean } }>>;
      listRooms(names: string[]): Promise<Array<{ sid: string }>>;
    };
  },
  room: string,
  identity: string,
): Promise<number> {
  const p = (await livekit.rooms.listParticipants(room)).find((x) => x.identity === identity);
  if (!p) throw new Error(`${identity} is not in ${room}`);
  const [instance] = await livekit.rooms.listRooms([room]);
  const signed = await signWebhook(livekit.apiKey, livekit.apiSecret, {
    event: "participant_joined",
    id: `EV_joined_${p.sid}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    room: { name: room, sid: instance?.sid },
    participant: { sid: p.sid, identity: p.identity, attributes: p.attributes, permission: { hidden: p.permission?.hidden ?? false } },
  });
  const res = await fetch(`${plenaryUrl}/api/livekit/webhook`, {
    method: "POST",
    headers: { "content-type": "application/webhook+json", authorization: signed.authorization },
    body: signed.body,
  });
  return res.status;
}
