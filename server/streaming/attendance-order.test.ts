/**
 * Two webhooks handled at once must not leave backstage with the older count. The race: the first
 * webhook's count is read, a second participant joins and its count is read and sent, and only then
 * is the first (older) count sent. On a fast machine this left "On stage: 0" on the moderator's
 * page. The same happens across instances behind a load balancer, where LiveKit's webhooks for one
 * room land on either. Each count carries its attendance version and the page's stream engine keeps
 * the newest. The database, Redis and LiveKit are real; the only thing changed is that the first
 * count read is answered late, which makes the race happen every time instead of now and then.
 */
import { io as connect } from "socket.io-client";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { SessionRow } from "../../db/schema";
import { followStream, initialStreamState, type LiveStreamState } from "../../lib/client/stream";
import type { PlenarySocket } from "../../lib/client/socket";
import { createPostgresDatabase, testDatabaseKinds, testRedisUrl } from "../testing/databases";
import { livekitBinForTests, signWebhook } from "../testing/livekit";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { startsInTest } from "../testing/timeouts";
import { roomNameFor } from "./grants";

/** The count reads so far, and how long the next one's answer is held back. */
const reads = vi.hoisted(() => ({ count: 0, holdNextMs: 0, started: [] as Array<() => void> }));

vi.mock("./queries", async (importOriginal) => {
  const real = await importOriginal<typeof import("./queries")>();
  return {
    ...real,
    countAttendance: async (...args: Parameters<typeof real.countAttendance>) => {
      const hold = reads.holdNextMs;
      reads.holdNextMs = 0;
      const result = await real.countAttendance(...args);
      reads.count++;
      for (const wake of reads.started.splice(0)) wake();
      if (hold) await new Promise((r) => setTimeout(r, hold));
      return result;
    },
  };
});

const DAY2 = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024
const NOW = "2024-05-24T09:50:00-04:00";
const cluster = testDatabaseKinds().includes("postgres") && Boolean(testRedisUrl());

describe.skipIf(!livekitBinForTests())("attendance sent to the staff", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  /** The first webhook goes to `first`, the second to `second` (the same server, or another instance). */
  async function race(first: TestServer, second: TestServer, room: string) {
    const day2: SessionRow = (await first.services.agenda.findRow(DAY2))!;
    const moderator = await createPerson(first.services, { name: `Morgan ${room}`, roles: [{ slug: DAY2, role: "moderator" }] });
    // The moderator's page: a socket on the first instance, and the pages' own stream engine.
    const socket: PlenarySocket = connect(first.url, {
      transports: ["websocket"],
      extraHeaders: { origin: first.url, cookie: moderator.cookie },
      forceNew: true,
    });
    cleanups.push(() => void socket.close());
    const snapshot = await first.services.streaming.snapshot(day2);
    let state: LiveStreamState = initialStreamState(snapshot);
    const facts: Array<{ publishers: number; version: number }> = [];
    socket.on("stream:attendance", (a) => facts.push({ publishers: a.publishers, version: a.version }));
    const stop = followStream(socket, DAY2, (change) => (state = change(state)));
    cleanups.push(stop);
    await expect.poll(() => state.synced).toBe(true);
    const before = state.attendance?.version ?? 0;

    const deliver = async (server: TestServer, id: string, sid: string, role: "viewer" | "publisher") => {
      const { apiKey, apiSecret } = server.services.streaming.livekit();
      const event = {
        event: "participant_joined",
        id: `${id}_${room}`,
        createdAt: String(Math.floor(Date.now() / 1000)),
        room: { name: roomNameFor(day2.id), sid: room },
        participant: { sid: `${sid}_${room}`, identity: `${sid}_${room}.tab`, attributes: { "plenary.role": role }, permission: { hidden: role === "viewer" } },
      };
      const signed = await signWebhook(apiKey, apiSecret, event);
      const res = await fetch(`${server.url}/api/livekit/webhook`, {
        method: "POST",
        headers: { "content-type": "application/webhook+json", authorization: signed.authorization },
        body: signed.body,
      });
      expect(res.status).toBe(200);
    };

    // The moderator's monitor joins; its count is read (nobody on stage yet) and answered late.
    reads.holdNextMs = 400;
    const firstRead = new Promise<void>((resolve) => reads.started.push(resolve));
    const monitor = deliver(first, "EV_order_1", "PA_monitor", "viewer");
    await firstRead;
    // Meanwhile the panelist joins, and that webhook is handled in full.
    await deliver(second, "EV_order_2", "PA_panelist", "publisher");
    await monitor;

    await expect.poll(() => facts.length).toBe(2);
    // The race happened: the older count (read first, nobody on stage) was sent last...
    expect(facts).toEqual([
      { publishers: 1, version: before + 2 },
      { publishers: 0, version: before + 1 },
    ]);
    // ...and the page keeps the newer one.
    expect(state.attendance).toMatchObject({ viewers: 1, publishers: 1, version: before + 2 });
  }

  it(
    "one instance: the page keeps the newest count, whichever arrives last",
    async () => {
      const server = await startTestServer({ now: NOW, livekit: true });
      cleanups.push(() => server.close());
      await race(server, server, "RM_one");
    },
    startsInTest(1),
  );

  it.skipIf(!cluster)(
    "two instances on one Postgres and Redis: the page keeps the newest count, whichever instance read it",
    async () => {
      const db = await createPostgresDatabase();
      cleanups.push(db.drop);
      const a = await startTestServer({ now: NOW, livekit: true, database: { databaseUrl: db.url }, config: { redisUrl: testRedisUrl() } });
      cleanups.push(() => a.close());
      const lk = a.services.streaming.livekit();
      const b = await startTestServer({
        now: NOW,
        database: { databaseUrl: db.url },
        config: { redisUrl: testRedisUrl(), livekit: { mode: "external", url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret } },
      });
      cleanups.push(() => b.close());
      await new Promise((r) => setTimeout(r, 200)); // let the Redis adapters see each other
      await race(a, b, "RM_two");
    },
    startsInTest(2),
  );
});
