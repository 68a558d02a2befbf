import { Server } from "socket.io";
import { afterEach, describe, expect, it, vi } from "vitest";
import { POLL_RESULTS_TICK_MS, roomTickMs, VOTE_TICK_MS } from "../../broadcast-tick";
import type { Logger } from "../../log";
import { PollReads } from "../../polls/reads";
import type { Database } from "../../../db/client";
import { systemClock } from "../../clock";
import type { PlenaryIo } from "../io";
import { rooms } from "../rooms";
import { pollPublisher } from "./index";
import { QaFanout } from "./qa";

const log = { warn: () => {}, error: () => {}, info: () => {}, debug: () => {} } as unknown as Logger;

/** A socket.io server whose session room "S" holds `members` sockets (the in-memory adapter keeps rooms as sets of ids; no connections needed). */
function serverWithRoom(members: number): PlenaryIo {
  const io = new Server() as PlenaryIo;
  for (let i = 0; i < members; i++) void io.sockets.adapter.addAll(`s${i}`, new Set([rooms.session("S")]));
  return io;
}

/** When, after a vote, the fan-out reads the counts it broadcasts. */
async function firstReadAfterVote(members: number): Promise<number> {
  const reads: number[] = [];
  const start = Date.now();
  const fanout = new QaFanout(
    serverWithRoom(members),
    async (ids) => {
      reads.push(Date.now() - start);
      return ids.map((id) => [id, 1] as [string, number]);
    },
    log,
  );
  try {
    fanout.voted("S", "q1");
    for (let t = 0; t < 40 && !reads.length; t++) await vi.advanceTimersByTimeAsync(VOTE_TICK_MS / 2);
    return reads[0];
  } finally {
    fanout.stop();
  }
}

describe("counts broadcast to a whole room", () => {
  afterEach(() => vi.useRealTimers());

  it("one more tick length per 1,000 of the room's sockets on this instance", () => {
    expect([0, 1, 1000, 1001, 2000, 5000].map((n) => roomTickMs(200, n))).toEqual([200, 200, 200, 400, 400, 1000]);
    // About 5,000 socket writes a second for vote counts, whatever the room's size.
    for (const n of [1000, 2000, 5000, 10_000, 20_000]) {
      const writesPerSecond = (n * 1000) / roomTickMs(VOTE_TICK_MS, n);
      expect(writesPerSecond).toBeGreaterThan(2500);
      expect(writesPerSecond).toBeLessThanOrEqual(5000);
    }
  });

  it("vote counts go out one tick after a vote in a room of up to 1,000, and less often as the room grows", async () => {
    vi.useFakeTimers({ now: 0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    expect(await firstReadAfterVote(10)).toBe(VOTE_TICK_MS);
    expect(await firstReadAfterVote(1000)).toBe(VOTE_TICK_MS);
    expect(await firstReadAfterVote(1001)).toBe(2 * VOTE_TICK_MS);
    expect(await firstReadAfterVote(5000)).toBe(5 * VOTE_TICK_MS);
  });

  it("live poll results wait a tick after an answer, longer in a room of thousands", () => {
    const tickFor = (members: number) =>
      new PollReads({} as Database, systemClock, pollPublisher(serverWithRoom(members)), log, POLL_RESULTS_TICK_MS).resultsTick("S");
    expect(tickFor(0)).toBe(POLL_RESULTS_TICK_MS);
    expect(tickFor(999)).toBe(POLL_RESULTS_TICK_MS);
    expect(tickFor(2500)).toBe(3 * POLL_RESULTS_TICK_MS);
    expect(tickFor(5000)).toBe(5 * POLL_RESULTS_TICK_MS);
  });

  it("vote counts wait for what comes first (the moderators' commands under way) before they go out", async () => {
    const io = serverWithRoom(10);
    const sent: string[] = [];
    vi.spyOn(io.of("/").adapter, "broadcast").mockImplementation((packet) => void sent.push(packet.data[0] as string));
    let go!: () => void;
    const fanout = new QaFanout(io, async (ids) => ids.map((id) => [id, 1] as [string, number]), log);
    fanout.beforeBroadcast = () => new Promise<void>((resolve) => (go = resolve));
    try {
      fanout.voted("S", "q1");
      const flushed = fanout.flush();
      await new Promise((r) => setImmediate(r));
      expect(sent).toEqual([]); // read, and waiting
      go();
      await flushed;
      expect(sent).toContain("question:votes");
    } finally {
      fanout.stop();
    }
  });
});
