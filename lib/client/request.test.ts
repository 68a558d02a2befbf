/**
 * The typed request helper against a real socket.io server on loopback: it resolves acks (and
 * refusals) as sent, times out when no ack comes, and `listen` binds and unbinds facts. The
 * `@ts-expect-error` lines prove a misspelt event or a wrong payload does not compile.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PollResults, PollSnapshot } from "../polls";
import { MAX_FRAME_BYTES, type ClientToServerEvents, type ServerToClientEvents } from "../realtime/contract";
import { TIMEOUT, listen, request } from "./request";
import type { PlenarySocket } from "./socket";

const snapshot: PollSnapshot = {
  sessionId: "s1",
  slug: "known",
  can: { manage: false, viewResults: false, answer: true },
  chathamHouse: false,
  version: 7,
  polls: [],
  mine: [],
};

let server: Server<ClientToServerEvents, ServerToClientEvents>;
let client: PlenarySocket;
const received: number[] = [];

beforeAll(async () => {
  const http = createServer();
  // Plenary's own frame limit (server/realtime/io.ts).
  server = new Server<ClientToServerEvents, ServerToClientEvents>(http, { maxHttpBufferSize: MAX_FRAME_BYTES });
  server.on("connection", (socket) => {
    socket.on("note:send", ({ text }, ack) => {
      received.push(text.length);
      ack({ ok: true, data: { id: "n1", text, at: "", acked: false } as never });
    });
    socket.on("poll:sync", ({ slug }, ack) =>
      slug === "known" ? ack({ ok: true, data: snapshot }) : ack({ ok: false, error: { code: "not_found", message: "No such session." } }),
    );
    // Never answered: the helper must give up by itself.
    socket.on("session:leave", () => {});
    socket.on("session:join", ({ slug }) => void socket.emit("poll:results", { pollId: slug, seq: 1 } as PollResults));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  client = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true });
  await new Promise<void>((resolve) => client.once("connect", () => resolve()));
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("request", () => {
  it("resolves with the ack the server sent, data and refusals alike", async () => {
    const ok = await request(client, "poll:sync", { slug: "known" });
    expect(ok).toEqual({ ok: true, data: snapshot });
    // The result type comes from the contract: `version` is a number without a cast.
    if (ok.ok) expect(ok.data.version + 1).toBe(8);
    const refused = await request(client, "poll:sync", { slug: "unknown" });
    expect(refused).toEqual({ ok: false, error: { code: "not_found", message: "No such session." } });
  });

  it("resolves with a timeout refusal when no ack comes in time", async () => {
    const started = Date.now();
    const r = await request(client, "session:leave", { slug: "known" }, { timeoutMs: 150 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(TIMEOUT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("a command too large for one frame", () => {
  it("is refused by the client with invalid_payload, and the connection stays up", async () => {
    const disconnects: string[] = [];
    client.on("disconnect", (reason) => disconnects.push(reason));
    // Just under the limit goes through as usual.
    const fits = await request(client, "note:send", { slug: "known", key: "k1", text: "a".repeat(MAX_FRAME_BYTES - 100) });
    expect(fits.ok).toBe(true);
    // 6,000 characters of three bytes each: 18 KB in UTF-8.
    const big = await request(client, "note:send", { slug: "known", key: "k2", text: "€".repeat(6000) });
    expect(big).toEqual({
      ok: false,
      error: { code: "invalid_payload", message: "This is too large to send (18 KB; at most 16 KB). Shorten it and try again." },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(disconnects).toEqual([]);
    expect(client.connected).toBe(true);
    expect(received).toEqual([MAX_FRAME_BYTES - 100]);
  });
});

describe("listen", () => {
  it("binds every handler, and the returned function unbinds them", async () => {
    const seen: string[] = [];
    const stop = listen(client, { "poll:results": (r) => seen.push(r.pollId) });
    await request(client, "session:join", { slug: "first" }, { timeoutMs: 100 });
    await expect.poll(() => seen).toEqual(["first"]);
    stop();
    await request(client, "session:join", { slug: "second" }, { timeoutMs: 100 });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(["first"]);
  });
});

// Compile-time only (never called): tsc fails if any of these lines stops being an error.
export function typeChecks(s: PlenarySocket) {
  // @ts-expect-error: no such command
  void request(s, "poll:synk", { slug: "x" });
  // @ts-expect-error: a wrong payload for the command
  void request(s, "poll:sync", { slug: 1 });
  // @ts-expect-error: a payload missing a required field
  void request(s, "question:moderate", { slug: "x", key: "k", questionId: "q", action: { type: "approve" } });
  // @ts-expect-error: not a fact the server sends
  listen(s, { "poll:resulted": () => {} });
  // @ts-expect-error: a listener for another fact's payload
  listen(s, { "poll:results": (p: { item: string }) => void p });
}
