import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseParticipantsCsv } from "./csv";
import { createPerson, type TestPerson } from "../testing/people";
import { testDatabaseKinds } from "../testing/databases";
import { startTestServer, type TestServer } from "../testing/test-server";

const slugs = new Set(["fms-planning", "defense-industry-perspectives"]);

export const sampleCsv = [
  "name,email,affiliation,attendance_mode,roles",
  "Ada Example,ada@example.org,Example Aerospace (fictional),in_person,moderator:fms-planning",
  "Ben Example,BEN@example.org,Embassy of Freedonia (fictional),remote,",
  "Cy Example,not-an-email,Nowhere,remote,",
  "Dee Example,dee@example.org,Somewhere,remote,panelist:no-such-session",
  "Ada Again,ada@example.org,Dup,remote,",
  "Eve Example,eve@example.org,Ministry (fictional),on a boat,",
  "Fay Example,fay@example.org,Org (fictional),remote,organizer;panelist:defense-industry-perspectives",
].join("\n");

describe("participants CSV", () => {
  it("gives each bad row its own errors and keeps the good ones", () => {
    const { rows, problems } = parseParticipantsCsv(sampleCsv, slugs);
    expect(rows.map((r) => r.email)).toEqual(["ada@example.org", "ben@example.org", "fay@example.org"]);
    expect(rows[0]).toMatchObject({ attendanceMode: "in_person", roles: [{ role: "moderator", sessionSlug: "fms-planning" }] });
    expect(rows[2]).toMatchObject({ organizer: true, roles: [{ role: "panelist", sessionSlug: "defense-industry-perspectives" }] });
    expect(problems).toEqual([
      { line: 4, email: "not-an-email", errors: ['"not-an-email" is not a valid e-mail address'] },
      { line: 5, email: "dee@example.org", errors: ['unknown session "no-such-session"'] },
      { line: 6, email: "ada@example.org", errors: ["duplicate of line 2 (same e-mail)"] },
      { line: 7, email: "eve@example.org", errors: ['attendance_mode "on a boat" must be in_person or remote'] },
    ]);
  });

  it("takes the check-in desk role, and names it in the refusal of an unknown role", () => {
    const { rows, problems } = parseParticipantsCsv(
      "name,email,roles\nHal,hal@example.org,check-in\nCat,cat@example.org,Check_In;organizer\nX,x@example.org,helper\n",
      slugs,
    );
    expect(rows.map((r) => [r.email, r.checkIn, r.organizer])).toEqual([
      ["hal@example.org", true, false],
      ["cat@example.org", true, true],
    ]);
    expect(problems[0].errors[0]).toMatch(/is not organizer, check-in, moderator/);
  });

  it("refuses a file without the required columns, or that is not CSV", () => {
    expect(parseParticipantsCsv("full name,mail\nA,b@c.d\n", slugs).fileError).toMatch(/Missing column\(s\): name, email/);
    expect(parseParticipantsCsv('name,email\n"unterminated,x@y.z\n', slugs).fileError).toMatch(/not valid CSV/);
  });
});

describe.each(testDatabaseKinds())("participants import on %s", (database) => {
  let server: TestServer;
  let organizer: TestPerson;
  beforeAll(async () => {
    server = await startTestServer({ withNext: true, database });
    organizer = await createPerson(server.services, { name: "Org", email: "org@example.org", organizer: true });
  });
  afterAll(async () => server?.close());

  const post = (body: unknown) =>
    fetch(`${server.url}/api/admin/import`, {
      method: "POST",
      headers: { cookie: organizer.cookie, origin: server.url, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const count = async (q: ReturnType<typeof sql>) => ((await server.services.db.execute(q)) as unknown as { rows: Array<{ n: number }> }).rows[0].n;
  const snapshot = async () => ({
    users: await count(sql`SELECT count(*)::int AS n FROM users`),
    roles: await count(sql`SELECT count(*)::int AS n FROM session_roles`),
    organizers: await count(sql`SELECT count(*)::int AS n FROM event_roles`),
  });

  it("previews without changing anything, then applies the valid rows; a second import is a no-op", async () => {
    const before = await snapshot();
    const preview = await post({ csv: sampleCsv });
    expect(preview.status).toBe(200);
    const { preview: p } = (await preview.json()) as { preview: { total: number; valid: unknown[]; problems: unknown[] } };
    expect({ total: p.total, valid: p.valid.length, problems: p.problems.length }).toEqual({ total: 7, valid: 3, problems: 4 });
    expect(await snapshot()).toEqual(before);

    const first = (await (await post({ csv: sampleCsv, apply: true })).json()) as { result: Record<string, number> };
    expect(first.result).toMatchObject({ created: 3, updated: 0, unchanged: 0, rolesAdded: 3, skipped: 4 });
    const after = await snapshot();
    expect(after).toEqual({ users: before.users + 3, roles: before.roles + 2, organizers: before.organizers + 1 });

    const second = (await (await post({ csv: sampleCsv, apply: true })).json()) as { result: Record<string, number> };
    expect(second.result).toMatchObject({ created: 0, updated: 0, unchanged: 3, rolesAdded: 0 });
    expect(await snapshot()).toEqual(after);

    const audit = await count(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'participants:import' AND outcome = 'ok'`);
    expect(audit).toBe(2);
  });

  it("the participants page says how many there are when it lists only the first 200", async () => {
    const rows = Array.from({ length: 230 }, (_, i) => `Listed ${String(i).padStart(3, "0")},listed${i}@example.org,Listing Org (fictional),remote,`);
    expect((await post({ csv: ["name,email,affiliation,attendance_mode,roles", ...rows].join("\n"), apply: true })).status).toBe(200);
    const people = await count(sql`SELECT count(*)::int AS n FROM users WHERE kind = 'person'`);
    const page = async (q: string) =>
      (await (await fetch(`${server.url}/admin/participants${q}`, { headers: { cookie: organizer.cookie } })).text()).replace(/<!-- -->/g, "");
    const all = await page("");
    expect(all).toContain(`${people.toLocaleString("en-US")} participants: the first 200 by name are listed. Search to find the others.`);
    expect(all.match(/<tr>/g)?.length).toBe(201);
    // A search that finds fewer than the limit lists them all and says so.
    expect(await page("?q=Listed%2022")).toContain("10 found for “Listed 22”.");
    expect(await page("?q=Listing")).toContain("230 found for “Listing”: the first 200 by name are listed.");
    // Typed wildcards are searched for as themselves.
    expect(await page("?q=%25")).toContain("0 found for “%”.");
    expect(await page("?q=Listed_22")).toContain("0 found for “Listed_22”.");
  });
});
