/**
 * Attendance across instances: two Plenary servers on one Postgres database and one Redis. People
 * joining through either instance are counted together on the dashboard of either, the organizer on
 * one instance hears of a join on the other, and a stopped instance's people drop out of "now".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "../../lib/admin";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPostgresDatabase, testDatabaseKinds, testRedisUrl } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { SERVER_START_MS } from "../testing/timeouts";
import { ok, sleep, waitFor } from "../qa/testing";

const DAY2 = "defense-industry-perspectives"; // on the record, Fri 24 May 09:45–11:15 EDT
const postgres = testDatabaseKinds().includes("postgres");
const redisUrl = testRedisUrl();

describe.skipIf(!postgres || !redisUrl)("attendance with two instances on one Postgres database", () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    const db = await createPostgresDatabase();
    drop = db.drop;
    const opts = {
      database: { databaseUrl: db.url },
      now: "2024-05-24T10:00:00-04:00",
      config: { redisUrl },
      // Heartbeats every 0.5 s and a row counts as "now" for 3 s, so a stopped instance drops out quickly.
      presence: { debounceMs: 50, heartbeatMs: 500, freshMs: 3_000 },
    };
    a = await startTestServer(opts);
    b = await startTestServer(opts);
    // Each simulated clock starts when its server does: set both at once so they agree, as real clocks would.
    const now = new Date("2024-05-24T10:00:00-04:00");
    for (const s of [a, b]) (s.clock as { set(d: Date): void }).set(now);
  }, 2 * SERVER_START_MS);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const join = async (server: TestServer, person: TestPerson) => {
    const s = await connectClient(server.url, { origin: server.url, cookie: person.cookie });
    sockets.push(s);
    await ok(s, "session:join", { slug: DAY2 });
    return s;
  };

  it("counts people on both instances together, and tells the organizer on the other instance", async () => {
    const organizer = await createPerson(a.services, { name: "Orin Organizer", organizer: true });
    const ann = await createPerson(a.services, { name: "Ann Remote", attendanceMode: "remote" });
    const bob = await createPerson(a.services, { name: "Bob Remote", attendanceMode: "remote" });
    const cat = await createPerson(a.services, { name: "Cat In-Room", attendanceMode: "in_person" });
    const org = await connectClient(a.url, { origin: a.url, cookie: organizer.cookie });
    sockets.push(org);
    const remoteNow = async () => (await ok<DashboardSnapshot>(org, "admin:dashboard", {})).sessions.find((s) => s.slug === DAY2)!.attendance;
    expect((await remoteNow()).remote).toBe(0);
    await new Promise((r) => setTimeout(r, 200)); // let the Redis adapters see each other

    let hints = 0;
    org.on("admin:changed", () => hints++);
    await join(a, ann);
    await join(b, bob);
    await join(b, cat);
    await waitFor(
      async () => {
        await sleep(500); // the dashboard command is rate-limited like any other: ask twice a second
        const n = await remoteNow();
        return n.remote === 2 && n.inRoom === 1;
      },
      30_000,
      "both instances' people to be counted",
    );
    // Instance b's writes reach the organizer on instance a through the Redis adapter.
    expect(hints).toBeGreaterThanOrEqual(2);

    // The dashboard on instance b says the same.
    const orgOnB = await connectClient(b.url, { origin: b.url, cookie: organizer.cookie });
    sockets.push(orgOnB);
    const fromB = (await ok<DashboardSnapshot>(orgOnB, "admin:dashboard", {})).sessions.find((s) => s.slug === DAY2)!.attendance;
    expect(fromB).toMatchObject({ remote: 2, inRoom: 1, peakRemote: 2, peakInRoom: 1 });

    // Instance b stops without a goodbye: once its last row is stale, its people no longer count as here.
    await b.close();
    await waitFor(
      async () => {
        await sleep(500); // the dashboard command is rate-limited like any other: ask twice a second
        const n = await remoteNow();
        return n.remote === 1 && n.inRoom === 0;
      },
      30_000,
      "the stopped instance's people to drop out",
    );
    expect((await remoteNow()).peakRemote).toBe(2);
  }, 120_000); // two servers, Redis and Postgres on a shared machine; the waits above are the real budgets
});
