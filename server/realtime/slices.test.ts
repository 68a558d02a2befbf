/**
 * Count broadcasts in slices (slices.ts), on real socket.io servers and clients on loopback: every
 * socket of the room gets the event exactly once, this instance's a slice per turn of the event loop,
 * and with the Redis adapter the other instance's sockets too.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import type { QuestionVotesFact } from "../../lib/qa";
import type { Logger } from "../log";
import { metrics } from "../metrics";
import { collect, connectClient, type TestSocket } from "../testing/clients";
import { testRedisUrl } from "../testing/databases";
import { countBroadcasts, instanceRoom, type PlenaryIo } from "./io";
import { useRedisAdapter, type RedisAdapterHandle } from "./redis-adapter";
import { rooms } from "./rooms";
import { broadcastInSlices } from "./slices";

const ROOM = rooms.session("00000000-0000-4000-8000-000000000001");
const FACT: QuestionVotesFact = { sessionId: "00000000-0000-4000-8000-000000000001", counts: [["q1", 3]] };
const log = { warn: () => {}, error: () => {}, info: () => {}, debug: () => {} } as unknown as Logger;
const redisUrl = testRedisUrl();

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A socket.io server on loopback whose sockets join `ROOM` and the server's own room, as io.ts has them do. */
async function server(redis?: string): Promise<{ io: PlenaryIo; url: string }> {
  const httpServer = http.createServer();
  const io = new Server(httpServer) as PlenaryIo;
  closers.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  if (redis) {
    const handle: RedisAdapterHandle = await useRedisAdapter(io, redis, log);
    closers.push(() => handle.close());
  }
  io.on("connection", (socket) => void socket.join([ROOM, instanceRoom(io)]));
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return { io, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

async function clients(url: string, n: number): Promise<TestSocket[]> {
  const out = await Promise.all(Array.from({ length: n }, () => connectClient(url)));
  closers.push(() => out.forEach((s) => s.close()));
  return out;
}

/** Waits until the server's room holds `n` sockets (the join runs after the client's connect). */
async function roomHolds(io: PlenaryIo, n: number): Promise<void> {
  for (let i = 0; i < 200 && (io.of("/").adapter.rooms.get(ROOM)?.size ?? 0) < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(io.of("/").adapter.rooms.get(ROOM)?.size).toBe(n);
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe("a count broadcast in slices", () => {
  it("reaches each socket of the room once, a slice per turn of the event loop", async () => {
    const { io, url } = await server();
    const sockets = await clients(url, 5);
    await roomHolds(io, 5);
    const heard = sockets.map((s) => collect<QuestionVotesFact>(s, "question:votes"));
    // What the adapter was asked to do, and how many turns of the event loop had passed by then.
    const calls: Array<{ local: boolean; to: number; turn: number }> = [];
    let turn = 0;
    const tick = () => {
      turn++;
      if (turn < 50) setImmediate(tick);
    };
    const adapter = io.of("/").adapter;
    const broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet, opts) => {
      calls.push({ local: Boolean(opts.flags?.local), to: opts.rooms.size, turn });
      return broadcast(packet, opts);
    };
    setImmediate(tick);
    await broadcastInSlices(io, ROOM, "question:votes", FACT, 2);
    await settle();
    expect(heard.map((h) => h.length)).toEqual([1, 1, 1, 1, 1]);
    expect(heard[0][0]).toEqual(FACT);
    // One broadcast for the other instances (none here), then three slices of 2, 2 and 1 sockets.
    expect(calls.map(({ local, to }) => ({ local, to }))).toEqual([
      { local: false, to: 1 },
      { local: true, to: 2 },
      { local: true, to: 2 },
      { local: true, to: 1 },
    ]);
    const turns = calls.slice(1).map((c) => c.turn);
    expect(turns[1]).toBeGreaterThan(turns[0]);
    expect(turns[2]).toBeGreaterThan(turns[1]);
  });

  it("skips a socket that left the room before its slice, and counts the broadcast once", async () => {
    const { io, url } = await server();
    countBroadcasts(io);
    const sockets = await clients(url, 3);
    await roomHolds(io, 3);
    const heard = sockets.map((s) => collect<QuestionVotesFact>(s, "question:votes"));
    const order = [...io.of("/").adapter.rooms.get(ROOM)!];
    const leaver = sockets.findIndex((s) => s.id === order[2]);
    const counted = async () => (await metrics().fanout.get()).values.find((v) => v.labels.event === "question:votes")?.value ?? 0;
    const before = await counted();
    const adapter = io.of("/").adapter;
    const broadcast = adapter.broadcast.bind(adapter);
    let first = true;
    adapter.broadcast = (packet, opts) => {
      broadcast(packet, opts);
      if (opts.flags?.local && first) {
        first = false;
        void io.of("/").sockets.get(order[2])!.leave(ROOM);
      }
    };
    await broadcastInSlices(io, ROOM, "question:votes", FACT, 1);
    await settle();
    expect(heard.map((h) => h.length)).toEqual(sockets.map((_, i) => (i === leaver ? 0 : 1)));
    expect((await counted()) - before).toBe(1);
  });
});

describe.skipIf(!redisUrl)("a count broadcast in slices, two instances behind one Redis", () => {
  it("reaches every socket of the room on both instances once", async () => {
    const a = await server(redisUrl);
    const b = await server(redisUrl);
    const onA = await clients(a.url, 3);
    const onB = await clients(b.url, 2);
    await roomHolds(a.io, 3);
    await roomHolds(b.io, 2);
    await new Promise((r) => setTimeout(r, 300)); // let the adapters see each other
    const heard = [...onA, ...onB].map((s) => collect<QuestionVotesFact>(s, "question:votes"));
    await broadcastInSlices(a.io, ROOM, "question:votes", FACT, 2);
    for (let i = 0; i < 100 && heard.some((h) => h.length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    await settle();
    expect(heard.map((h) => h.length)).toEqual([1, 1, 1, 1, 1]);
  });
});

it("the two-instance slice test ran (REQUIRE_REDIS=1 makes a missing Redis an error)", () => {
  if (process.env.REQUIRE_REDIS === "1") expect(redisUrl).toBeTruthy();
});
