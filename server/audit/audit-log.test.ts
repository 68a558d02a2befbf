import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";

// The organizer's audit log, filtered by time: the console page (/admin/audit, whose form fields are
// wall-clock minutes in event time) and the API (ISO instants) must pick the same entries.

let server: TestServer;
let organizer: TestPerson;

/** One entry per label, at these instants (event time is America/New_York, UTC-4 in May). */
const entries = [
  { label: "Thursday-evening entry", at: "2024-05-23T18:00:00-04:00" },
  { label: "Friday-nine entry", at: "2024-05-24T09:00:00-04:00" },
  { label: "Friday-half-past entry", at: "2024-05-24T09:30:30-04:00" },
  { label: "Friday-noon entry", at: "2024-05-24T12:00:00-04:00" },
];

beforeAll(async () => {
  server = await startTestServer({ withNext: true });
  organizer = await createPerson(server.services, { name: "Audra Auditor", email: "audra@example.org", organizer: true });
  for (const e of entries) {
    await server.services.audit.record({ actor: null, systemLabel: e.label, action: "filter:probe", outcome: "ok" });
    await server.services.db.execute(sql`UPDATE audit_log SET at = ${e.at}::timestamptz WHERE actor_label = ${e.label}`);
  }
});
afterAll(async () => server?.close());

async function pageLabels(query: Record<string, string>): Promise<string[]> {
  const res = await fetch(`${server.url}/admin/audit?${new URLSearchParams({ action: "filter:probe", ...query })}`, { headers: { cookie: organizer.cookie } });
  expect(res.status).toBe(200);
  const html = await res.text();
  return entries.map((e) => e.label).filter((label) => html.includes(label));
}

async function apiLabels(query: Record<string, string>): Promise<string[]> {
  const res = await fetch(`${server.url}/api/admin/audit?${new URLSearchParams({ action: "filter:probe", ...query })}`, {
    headers: { cookie: organizer.cookie },
  });
  expect(res.status).toBe(200);
  const { entries: rows } = (await res.json()) as { entries: Array<{ actorLabel: string }> };
  return entries.map((e) => e.label).filter((label) => rows.some((r) => r.actorLabel === label));
}

describe("audit log time filters", () => {
  it("without from/to every entry is listed", async () => {
    expect(await pageLabels({})).toEqual(entries.map((e) => e.label));
  });

  it("the console page reads its From/To fields as event time, To including its whole minute", async () => {
    expect(await pageLabels({ from: "2024-05-24T09:00", to: "2024-05-24T09:30" })).toEqual(["Friday-nine entry", "Friday-half-past entry"]);
    expect(await pageLabels({ from: "2024-05-24T09:01" })).toEqual(["Friday-half-past entry", "Friday-noon entry"]);
    expect(await pageLabels({ to: "2024-05-23T23:59" })).toEqual(["Thursday-evening entry"]);
  });

  it("the page also takes ISO instants (links), and shows the filter back in event time", async () => {
    expect(await pageLabels({ from: "2024-05-24T13:00:00Z", to: "2024-05-24T13:15:00Z" })).toEqual(["Friday-nine entry"]);
    const html = await (await fetch(`${server.url}/admin/audit?from=2024-05-24T13:00:00Z`, { headers: { cookie: organizer.cookie } })).text();
    expect(html).toMatch(/name="from"[^>]*value="2024-05-24T09:00"|value="2024-05-24T09:00"[^>]*name="from"/);
  });

  it("the API filters by ISO instants the same way", async () => {
    expect(await apiLabels({ from: "2024-05-24T09:00:00-04:00", to: "2024-05-24T09:30:59.999-04:00" })).toEqual([
      "Friday-nine entry",
      "Friday-half-past entry",
    ]);
    expect(await apiLabels({ to: "2024-05-24T03:59:59Z" })).toEqual(["Thursday-evening entry"]);
    const bad = await fetch(`${server.url}/api/admin/audit?from=yesterday`, { headers: { cookie: organizer.cookie } });
    expect(bad.status).toBe(400);
    // Year 0 is a date for JavaScript and not for Postgres: told, not a fault. 30 February is no date at all.
    for (const [query, message] of [
      ["from=0000-01-01T00:00:00Z", "from: Use a date between 1970 and 9999."],
      ["to=2024-02-30T00:00:00Z", "to: Not a real date-time: check the day of the month, the hour and the offset."],
    ]) {
      const res = await fetch(`${server.url}/api/admin/audit?${query}`, { headers: { cookie: organizer.cookie } });
      expect(res.status, query).toBe(400);
      expect(await res.json()).toEqual({ error: { code: "invalid_payload", message } });
      expect((await fetch(`${server.url}/admin/audit?${query}`, { headers: { cookie: organizer.cookie } })).status, `page ${query}`).toBe(200);
    }
    // A bad page size is told in words, like every other payload (server/errors.ts describeIssue).
    const negative = await fetch(`${server.url}/api/admin/audit?limit=-1`, { headers: { cookie: organizer.cookie } });
    expect(negative.status).toBe(400);
    expect(await negative.json()).toEqual({ error: { code: "invalid_payload", message: '"limit" must be at least 1.' } });
  });
});
