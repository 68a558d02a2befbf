/**
 * The polls engine against a real socket.io server on loopback. The races it guards against: a
 * change whose fact reaches the view before the snapshot the server read earlier (the console's new
 * draft vanished), and a snapshot the server could not give after a reconnect (the phone kept showing
 * what it held before the drop).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PollSnapshot, PollView } from "../polls";
import type { ClientToServerEvents, ServerToClientEvents } from "../realtime/contract";
import { followPolls, initialPolls, reducePolls, type PollsState } from "./polls";
import type { PlenarySocket } from "./socket";

const SLUG = "panel";
type Emitter = { emit: Server<ClientToServerEvents, ServerToClientEvents>["emit"] };

function poll(id: string, version: number, status: PollView["status"] = "draft"): PollView {
  return {
    id,
    kind: "single",
    question: `Question ${id}`,
    options: [],
    maxPicks: null,
    scaleMax: null,
    lowLabel: null,
    highLabel: null,
    resultsVisibility: "live",
    status,
    published: false,
    durationSeconds: null,
    closesAt: null,
    openedAt: null,
    closedAt: null,
    createdAt: `2024-10-01T09:00:0${id.length}.000Z`,
    version,
    resultsPublic: false,
  };
}

function snapshot(version: number, polls: PollView[]): PollSnapshot {
  return {
    sessionId: "s1",
    slug: SLUG,
    chathamHouse: false,
    version,
    can: { manage: true, viewResults: true, answer: false },
    polls: polls.map((p) => ({ poll: p, results: null })),
    mine: [],
  };
}

let server: Server<ClientToServerEvents, ServerToClientEvents>;
let port: number;
/** How the server answers `poll:sync` in the current test; `n` counts the syncs asked on this connection. */
let onSync: (socket: Emitter, ack: (r: unknown) => void, n: number) => void;

beforeAll(async () => {
  const http = createServer();
  server = new Server<ClientToServerEvents, ServerToClientEvents>(http);
  server.on("connection", (socket) => {
    let syncs = 0;
    socket.on("session:join", (_p, ack) => ack({ ok: true, data: { slug: SLUG } } as never));
    socket.on("poll:sync", (_p, ack) => onSync(socket as never, ack as (r: unknown) => void, ++syncs));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  port = (http.address() as AddressInfo).port;
});

afterAll(async () => {
  await server?.close();
});

/** Follows the polls on a fresh client until `done` holds for the state (at most 5 s); returns that state. */
async function followUntil(done: (s: PollsState) => boolean): Promise<PollsState> {
  const client: PlenarySocket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true });
  let state = initialPolls;
  try {
    return await new Promise<PollsState>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never settled: ${JSON.stringify(state)}`)), 5000);
      const stop = followPolls(
        client,
        SLUG,
        undefined,
        (action) => {
          state = reducePolls(state, action);
          if (done(state)) {
            clearTimeout(timer);
            stop();
            resolve(state);
          }
        },
        () => state,
      );
    });
  } finally {
    client.close();
  }
}

const questions = (s: PollsState) => s.entries.map((e) => `${e.poll.id}@${e.poll.version}`);

describe("following a session's polls", () => {
  it("keeps a draft whose fact came while the older snapshot was on its way", async () => {
    onSync = (socket, ack) => {
      socket.emit("poll:created", { poll: poll("b", 1), version: 8 });
      ack({ ok: true, data: snapshot(7, [poll("a", 3)]) });
    };
    const state = await followUntil((s) => s.connection === "live");
    expect(questions(state)).toEqual(["a@3", "b@1"]);
    expect(state.version).toBe(8);
  });

  it("does not let a held fact undo a newer version of the poll in the snapshot", async () => {
    onSync = (socket, ack) => {
      socket.emit("poll:created", { poll: poll("a", 1), version: 5 });
      ack({ ok: true, data: snapshot(6, [poll("a", 2, "open")]) });
    };
    const state = await followUntil((s) => s.connection === "live");
    expect(questions(state)).toEqual(["a@2"]);
    expect(state.entries[0].poll.status).toBe("open");
  });

  it("applies a deletion that came while the snapshot that still held the draft was on its way", async () => {
    onSync = (socket, ack) => {
      socket.emit("poll:deleted", { pollId: "a", version: 4 });
      ack({ ok: true, data: snapshot(3, [poll("a", 1), poll("bb", 1)]) });
    };
    expect(questions(await followUntil((s) => s.connection === "live"))).toEqual(["bb@1"]);
  });

  it("asks again for a snapshot the server could not give, instead of keeping an empty view", async () => {
    onSync = (_socket, ack, n) =>
      ack(
        n === 1
          ? { ok: false, error: { code: "rate_limited", message: "Slow down.", retryAfterMs: 50 } }
          : { ok: true, data: snapshot(2, [poll("a", 1, "open")]) },
      );
    const state = await followUntil((s) => s.snapshot);
    expect(questions(state)).toEqual(["a@1"]);
    expect(state.error).toBeNull();
  });

  it("does not ask again after a refusal that would only repeat (the session is gone)", async () => {
    let asked = 0;
    onSync = (_socket, ack) => {
      asked++;
      ack({ ok: false, error: { code: "not_found", message: "There is no such session." } });
    };
    const state = await followUntil((s) => s.error !== null);
    await new Promise((r) => setTimeout(r, 300));
    expect(state.error).toBe("There is no such session.");
    expect(asked).toBe(1);
  });
});
