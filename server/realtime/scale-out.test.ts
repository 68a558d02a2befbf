import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgendaItem } from "../../lib/agenda";
import { connectClient, nextEvent, type TestSocket } from "../testing/clients";
import { createPostgresDatabase, testRedisUrl } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { startsInTest } from "../testing/timeouts";

const redisUrl = testRedisUrl();

/** Two Plenary instances on one Postgres database and one Redis: they must act as one. */
describe.skipIf(!redisUrl)("two instances behind one Redis", () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    const db = await createPostgresDatabase();
    drop = db.drop;
    a = await startTestServer({ database: { databaseUrl: db.url }, config: { redisUrl } });
    b = await startTestServer({ database: { databaseUrl: db.url }, config: { redisUrl } });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it("a change made on one instance reaches pages connected to the other", async () => {
    const onB = await connectClient(b.url);
    sockets.push(onB);
    await new Promise((r) => setTimeout(r, 200)); // let the adapters see each other
    const seen = nextEvent<{ item: AgendaItem }>(onB, "agenda:changed");
    await a.services.agenda.update("hosted-lunch", { title: "Hosted Lunch (Potomac Ballroom)" });
    expect((await seen).item.title).toBe("Hosted Lunch (Potomac Ballroom)");
  });

  it("signing out on one instance closes that browser's sockets on the other", async () => {
    const p = await createPerson(a.services, { name: "Two Tabs", email: "two-tabs@example.org" });
    const onB = await connectClient(b.url, { cookie: p.cookie });
    sockets.push(onB);
    const gone = new Promise<string>((resolve) => onB.on("disconnect", (reason) => resolve(reason)));
    await a.services.auth.endSignIn(p.token);
    expect(await gone).toBe("io server disconnect");
  });

  it(
    "shutting one instance down leaves the other instance's sockets connected",
    async () => {
      const c = await startTestServer({ database: { databaseUrl: b.services.config.databaseUrl as string }, config: { redisUrl } });
      const onB = await connectClient(b.url);
      sockets.push(onB);
      await c.close();
      await new Promise((r) => setTimeout(r, 300));
      expect(onB.connected).toBe(true);
    },
    startsInTest(1),
  );
});

it("scale-out tests ran (REQUIRE_REDIS=1 makes a missing Redis an error)", () => {
  if (process.env.REQUIRE_REDIS === "1") expect(redisUrl).toBeTruthy();
});
