/**
 * Two Plenary servers on one Postgres database (and one Redis, so either one's facts reach every
 * socket), both sweeping poll timers: a timed poll closes exactly once, announced once.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PollView } from "../../lib/polls";
import type { PollFact } from "../../lib/realtime/contract";
import { collect, type TestSocket } from "../testing/clients";
import { SERVER_START_MS } from "../testing/timeouts";
import { createPostgresDatabase, testDatabaseKinds, testRedisUrl } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { emit, eventually, joinSession, ok, rows } from "./test-helpers";

const DAY2 = "defense-industry-perspectives"; // on the record, Fri 24 May 09:45–11:15 EDT
const FRIDAY_10 = "2024-05-24T10:00:00-04:00";
const postgres = testDatabaseKinds().includes("postgres");
const redisUrl = testRedisUrl();

describe.skipIf(!postgres || !redisUrl)("a poll timer with two instances on one Postgres database", () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  const logs: string[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    const db = await createPostgresDatabase();
    drop = db.drop;
    // Both sweep every 50 ms, so their sweeps overlap again and again once the poll is due.
    const opts = {
      database: { databaseUrl: db.url },
      now: FRIDAY_10,
      config: { redisUrl },
      polls: { tickMs: 50, timerSweepMs: 50, erasureSweepMs: 60_000 },
      logSink: (l: string) => logs.push(l),
    };
    a = await startTestServer(opts);
    b = await startTestServer(opts);
  }, 2 * SERVER_START_MS); // two servers
  afterAll(async () => {
    for (const s of sockets) s.close();
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it("closes a timed poll once, and the audiences of both instances hear it once", async () => {
    const moderator = await createPerson(a.services, { name: "Mo Moderator", email: "mo@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    const ann = await createPerson(a.services, { name: "Ann Attendee", email: "ann@example.org" });
    const bob = await createPerson(a.services, { name: "Bob Builder", email: "bob@example.org" });
    const mod = await joinSession(a.url, moderator, DAY2);
    const onA = await joinSession(a.url, ann, DAY2);
    const onB = await joinSession(b.url, bob, DAY2);
    sockets.push(mod.socket, onA.socket, onB.socket);
    await new Promise((r) => setTimeout(r, 200)); // let the Redis adapters see each other

    const draft = {
      kind: "single",
      question: "Which reform matters most?",
      options: ["Speed", "Transparency", "Training"],
      resultsVisibility: "live",
      durationSeconds: 30,
    };
    const poll = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: `two-instances-${Date.now()}`, draft, open: true }));
    expect(poll.status).toBe("open");
    await ok(emit(onB.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[0].id } }));
    const heardOnA = collect<PollFact>(onA.socket, "poll:closed");
    const heardOnB = collect<PollFact>(onB.socket, "poll:closed");

    // Both instances' clocks pass the deadline; their interval sweeps race, and so do extra sweeps by hand.
    const past = new Date(Date.parse(poll.closesAt!) + 1000);
    for (const s of [a, b]) (s.clock as { set(d: Date): void }).set(past);
    const byHand = await Promise.all([a, b, a, b].map((s) => s.services.polls.sweepTimers()));
    await eventually(() => {
      expect(heardOnA.map((f) => f.poll.id)).toContain(poll.id);
      expect(heardOnB.map((f) => f.poll.id)).toContain(poll.id);
    });
    await new Promise((r) => setTimeout(r, 500)); // ten more interval sweeps on each instance

    expect(heardOnA.filter((f) => f.poll.id === poll.id)).toHaveLength(1);
    expect(heardOnB.filter((f) => f.poll.id === poll.id)).toHaveLength(1);
    const closes = logs.filter((l) => l.includes("poll closed by its timer") && l.includes(poll.id));
    expect(closes).toHaveLength(1);
    expect(byHand.reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(1);
    const [row] = await rows<{ status: string; version: number; closed_at: Date }>(
      a.services,
      sql`SELECT status, version, closed_at FROM polls WHERE id = ${poll.id}`,
    );
    expect(row.status).toBe("closed");
    expect(row.version).toBe(poll.version + 1);
    expect(new Date(row.closed_at).toISOString()).toBe(poll.closesAt);
    expect(heardOnA[0].poll.closedAt).toBe(poll.closesAt);
  }, 60_000);
});

it("the two-instance timer test ran (REQUIRE_POSTGRES=1 and REQUIRE_REDIS=1 make a missing server an error)", () => {
  if (process.env.REQUIRE_POSTGRES === "1") expect(postgres).toBe(true);
  if (process.env.REQUIRE_REDIS === "1") expect(redisUrl).toBeTruthy();
});
