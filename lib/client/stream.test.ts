/**
 * The stream engine against a real socket.io server on loopback. The races it guards against: the
 * server reads the state for `stream:state`, a LiveKit webhook then changes the attendance and its
 * fact reaches the view, and only then does the state's answer (with the older count) arrive; and
 * two counts read at once (on two instances) arriving in the other order.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientToServerEvents, ServerToClientEvents, StreamStateResult } from "../realtime/contract";
import type { StreamSnapshot } from "../streaming";
import type { PlenarySocket } from "./socket";
import { followStream, initialStreamState, type LiveStreamState } from "./stream";

const SLUG = "panel";
const stream = { slug: SLUG, version: 3 } as StreamSnapshot;
const answer = (publishers: number, version: number): StreamStateResult => ({
  stream,
  hand: { slug: SLUG, status: "none", camera: false },
  attendance: { slug: SLUG, viewers: 0, publishers, version },
  queue: { slug: SLUG, requests: [] },
});

let server: Server<ClientToServerEvents, ServerToClientEvents>;
let port: number;
/** How the server answers `stream:state` in the current test. */
let onState: (socket: { emit: Server<ClientToServerEvents, ServerToClientEvents>["emit"] }, ack: (r: unknown) => void) => void;

beforeAll(async () => {
  const http = createServer();
  server = new Server<ClientToServerEvents, ServerToClientEvents>(http);
  server.on("connection", (socket) => {
    socket.on("session:join", (_p, ack) => ack({ ok: true, data: { slug: SLUG } } as never));
    socket.on("stream:state", (_p, ack) => onState(socket as never, ack as (r: unknown) => void));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  port = (http.address() as AddressInfo).port;
});

afterAll(async () => {
  await server?.close();
});

/** Follows the stream on a fresh client until the state was loaded; returns the state then. */
async function loadedState(): Promise<LiveStreamState> {
  const client: PlenarySocket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true });
  let state = initialStreamState(stream);
  try {
    await new Promise<void>((resolve) => {
      const stop = followStream(client, SLUG, (change) => {
        state = change(state);
        if (state.synced) {
          stop();
          resolve();
        }
      });
    });
    return state;
  } finally {
    client.close();
  }
}

describe("following a stream", () => {
  it("keeps a count that a fact brought while the state was on its way, rather than the state's older one", async () => {
    onState = (socket, ack) => {
      socket.emit("stream:attendance", { slug: SLUG, viewers: 0, publishers: 1, version: 2 });
      ack({ ok: true, data: answer(0, 1) });
    };
    const state = await loadedState();
    expect(state.attendance).toEqual({ slug: SLUG, viewers: 0, publishers: 1, version: 2 });
    expect(state.queue).toEqual({ slug: SLUG, requests: [] });
  });

  it("takes the state's count over a fact that came meanwhile but was read before it", async () => {
    onState = (socket, ack) => {
      socket.emit("stream:attendance", { slug: SLUG, viewers: 0, publishers: 0, version: 1 });
      ack({ ok: true, data: answer(1, 2) });
    };
    expect((await loadedState()).attendance).toEqual({ slug: SLUG, viewers: 0, publishers: 1, version: 2 });
  });

  it("takes the state's count when no fact came meanwhile", async () => {
    onState = (_socket, ack) => ack({ ok: true, data: answer(2, 4) });
    expect((await loadedState()).attendance).toEqual({ slug: SLUG, viewers: 0, publishers: 2, version: 4 });
  });

  it("keeps the newer of two counts that arrive in the other order", async () => {
    onState = (socket, ack) => {
      ack({ ok: true, data: answer(0, 1) });
      socket.emit("stream:attendance", { slug: SLUG, viewers: 0, publishers: 2, version: 3 });
      socket.emit("stream:attendance", { slug: SLUG, viewers: 0, publishers: 1, version: 2 });
      // Sent last on the same connection, so it arrives after both counts.
      (socket as unknown as { emit(event: string): void }).emit("probe");
    };
    const client: PlenarySocket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true });
    let state = initialStreamState(stream);
    const facts: number[] = [];
    client.on("stream:attendance", (a) => facts.push(a.version));
    try {
      const stop = followStream(client, SLUG, (change) => (state = change(state)));
      await new Promise<void>((resolve) => (client as unknown as { on(event: string, listener: () => void): void }).on("probe", resolve));
      stop();
    } finally {
      client.close();
    }
    expect(facts).toEqual([3, 2]);
    expect(state.attendance).toEqual({ slug: SLUG, viewers: 0, publishers: 2, version: 3 });
  });
});
