/**
 * The database goes away under a running server (PGlite closed; the Postgres database dropped):
 * pages answer 503 with Retry-After and a page that says the service is briefly unavailable, route
 * handlers 503 `unavailable`, and /healthz names the fault — never a bare 500.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "./testing/databases";
import { startTestServer, type TestServer } from "./testing/test-server";

async function takeDatabaseAway(server: TestServer): Promise<void> {
  const db = server.services.database;
  if (db.kind === "pglite") return db.close();
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE ${db.location.split("/").pop()!} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

describe.each(testDatabaseKinds())("pages while the database is gone (%s)", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database, withNext: true, now: "2024-05-24T10:00:00-04:00" });
    // The pages work before the outage.
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    await takeDatabaseAway(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a page answers 503 with Retry-After and says the service is briefly unavailable", async () => {
    for (const path of ["/", "/sessions/defense-industry-perspectives", "/signin"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain('<html lang="en">');
      expect(html).toContain("<title>Plenary is briefly unavailable</title>");
      expect(html).toContain("Nothing you already sent is lost.");
    }
    const head = await fetch(`${server.url}/`, { method: "HEAD" });
    expect(head.status).toBe(503);
  });

  it("route handlers answer 503 unavailable with Retry-After, and /healthz names the fault", async () => {
    const agenda = await fetch(`${server.url}/api/agenda`);
    expect(agenda.status).toBe(503);
    expect(agenda.headers.get("retry-after")).toBe("5");
    expect(await agenda.json()).toMatchObject({ error: { code: "unavailable", message: expect.stringMatching(/briefly unavailable/) } });

    const join = await fetch(`${server.url}/api/join`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/json" },
      body: JSON.stringify({ code: "ABC123" }),
    });
    expect(join.status).toBe(503);
    expect((await join.json()) as unknown).toMatchObject({ error: { code: "unavailable" } });

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    const reason = database === "pglite" ? "closed" : "database_missing";
    expect(await health.json()).toMatchObject({ status: "unavailable", database: { ready: false, writable: false, fault: { reason } } });
  });
});
