/**
 * The organizer's exports and live dashboard against a real server, database and sockets: who may
 * download what (403 for staff who are not organizers), the Chatham House suppression (a Day 1 session
 * with 2 askers shows "fewer than 3" and nobody's identity), a formula-looking question kept inert,
 * and attendance counts moving as sockets join and leave.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "../../lib/admin";
import type { ModerationResult, SubmitResult } from "../../lib/qa";
import { connectClient, nextEvent, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, ok, refused, waitFor } from "../qa/testing";

const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thursday 23 May 2024
const DAY2 = "defense-industry-perspectives"; // on the record, 09:45–11:15 Friday 24 May 2024
const FORMULA = '=HYPERLINK("http://evil.example/steal","Click me")';

/** Distinctive identities: none of these may appear in a Chatham House file. */
const ASKERS = [
  { name: "Ozymandias Thistlewaite", email: "ozy.thistle@obscure-ministry.example", affiliation: "Ministry of Obscure Liaison" },
  { name: "Perpetua Quillfeather", email: "p.quillfeather@far-agency.example", affiliation: "Far Agency of Quills" },
];

describe.each(testDatabaseKinds())("organizer reports and dashboard (%s)", (database) => {
  let server: TestServer;
  let organizer: TestPerson;
  let moderator: TestPerson;
  let otherModerator: TestPerson;
  const askers: TestPerson[] = [];
  const sockets: TestSocket[] = [];
  const connect = async (cookie?: string) => {
    const s = await connectClient(server.url, { origin: server.url, cookie });
    sockets.push(s);
    return s;
  };
  const get = async (path: string, cookie?: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {} });
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };

  beforeAll(async () => {
    server = await startTestServer({
      database,
      withNext: true,
      now: "2024-05-23T10:00:00-04:00",
      presence: { bucketMs: 60_000, heartbeatMs: 60_000, debounceMs: 50 },
    });
    const app = server.services;
    organizer = await createPerson(app, { name: "Olga Organizer", email: "olga@plenary.test", organizer: true });
    moderator = await createPerson(app, {
      name: "Mona Moderator",
      email: "mona@plenary.test",
      roles: [
        { slug: DAY1, role: "moderator" },
        { slug: DAY2, role: "moderator" },
      ],
    });
    otherModerator = await createPerson(app, { name: "Otto Other", email: "otto@plenary.test", roles: [{ slug: "fms-case-development", role: "moderator" }] });
    for (const a of ASKERS) askers.push(await createPerson(app, { ...a, attendanceMode: "in_person" }));
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it("a Day 1 session with 2 askers: its rows and files say 'fewer than 3' and name nobody", async () => {
    const mod = await connect(moderator.cookie);
    await ok(mod, "session:join", { slug: DAY1 });
    for (const [i, a] of askers.entries()) {
      const s = await connect(a.cookie);
      await ok(s, "session:join", { slug: DAY1 });
      const asked = await ok<SubmitResult>(s, "question:submit", { slug: DAY1, key: key(), text: `Day one question number ${i + 1} about planning?` });
      await ok<ModerationResult>(mod, "question:moderate", {
        slug: DAY1,
        key: key(),
        questionId: asked.question.id,
        expectedVersion: asked.question.version,
        action: { type: "approve" },
      });
    }

    const questions = await get(`/api/sessions/${DAY1}/questions.csv`, moderator.cookie);
    expect(questions.status).toBe(200);
    expect(questions.type).toContain("text/csv");
    expect(questions.body).toContain("Questions asked,fewer than 3");
    expect(questions.body).toContain("Questions approved,fewer than 3");
    expect(questions.body).not.toContain("Day one question number");

    const report = await get("/api/admin/report.csv", organizer.cookie);
    expect(report.status).toBe(200);
    const lines = report.body
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines).toHaveLength(1 + 19);
    expect(lines[0]).toBe(
      "Day,Starts,Ends,Session,Slug,Kind,Rule,Peak in room,Peak remote,Peak stream viewers,Questions asked,Questions approved,Questions answered,Votes,Poll answers,Feedback average (1-5),Feedback answers",
    );
    const day1 = lines.find((l) => l.includes(`,${DAY1},`))!;
    expect(day1).toContain("Chatham House Rule");
    // Asked 2, approved 2, answered 0, votes 0, polls 0: all below 3.
    expect(day1).toMatch(/,fewer than 3,fewer than 3,fewer than 3,fewer than 3,fewer than 3,,fewer than 3$/);

    // The printable report page: the same 19 items, the Day 1 row as aggregates only.
    const page = await get("/admin/report", organizer.cookie);
    expect(page.status).toBe(200);
    expect(page.body.match(new RegExp('<tr data-slug="', "g"))).toHaveLength(19);
    const day1Row = new RegExp('<tr data-slug="fms-planning">(.*?)</tr>', "s").exec(page.body)![1];
    expect(day1Row).toContain("Chatham House Rule");
    expect(day1Row.match(/fewer than 3/g)!.length).toBeGreaterThanOrEqual(6);
    expect(page.body).toContain('href="/api/admin/report.csv"');

    for (const file of [questions.body, report.body, page.body, (await get("/api/admin/attendance.csv", organizer.cookie)).body]) {
      for (const a of ASKERS) for (const needle of [a.name, a.email, a.affiliation]) expect(file).not.toContain(needle);
      for (const p of askers) expect(file).not.toContain(p.userId);
    }
  });

  it("refuses staff who are not organizers (403 forbidden) and the signed-out (401)", async () => {
    expect((await get("/admin/report", moderator.cookie)).status).toBe(403);
    expect((await get("/admin/report", askers[0].cookie)).status).toBe(403);
    for (const path of ["/api/admin/report.csv", "/api/admin/attendance.csv", "/api/admin/feedback.csv"]) {
      const asModerator = await get(path, moderator.cookie);
      expect(asModerator.status).toBe(403);
      expect(JSON.parse(asModerator.body).error.code).toBe("forbidden");
      expect((await get(path)).status).toBe(401);
    }
    const other = await get(`/api/sessions/${DAY1}/questions.csv`, otherModerator.cookie);
    expect(other.status).toBe(403);
    expect(JSON.parse(other.body).error).toMatchObject({ code: "forbidden" });
    expect((await get(`/api/sessions/${DAY1}/questions.csv`, askers[0].cookie)).status).toBe(403);
    expect((await get(`/api/sessions/no-such-session/questions.csv`, organizer.cookie)).status).toBe(404);
  });

  it("a Day 2 session: one row per question, the asker named only where they chose, formulas kept inert", async () => {
    (server.clock as { set(d: Date): void }).set(new Date("2024-05-24T10:00:00-04:00"));
    const [named, anonymous] = askers;
    const a = await connect(named.cookie);
    await ok(a, "session:join", { slug: DAY2 });
    await ok(a, "question:submit", { slug: DAY2, key: key(), text: FORMULA, anonymous: false });
    const b = await connect(anonymous.cookie);
    await ok(b, "session:join", { slug: DAY2 });
    await ok(b, "question:submit", { slug: DAY2, key: key(), text: "A question from someone who stays anonymous?" });

    const csv = await get(`/api/sessions/${DAY2}/questions.csv`, organizer.cookie);
    expect(csv.status).toBe(200);
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe("Question,Status,Votes,Asked at,Answered at,Origin,Asker,Asker affiliation");
    expect(lines).toHaveLength(3);
    const formulaLine = lines.find((l) => l.includes("HYPERLINK"))!;
    // The leading apostrophe makes a spreadsheet show the text instead of running it.
    expect(formulaLine.startsWith(`"'=HYPERLINK(""http://evil.example/steal"",""Click me"")"`)).toBe(true);
    expect(formulaLine).toContain(`,pending,0,2024-05-24T10:00`);
    expect(formulaLine).toContain(`,room,${ASKERS[0].name},${ASKERS[0].affiliation}`);
    const anonLine = lines.find((l) => l.includes("stays anonymous"))!;
    expect(anonLine).toMatch(/,room,,$/);
    expect(csv.body).not.toContain(ASKERS[1].name);
    expect(csv.body).not.toContain(ASKERS[1].affiliation);

    const report = await get("/api/admin/report.csv", organizer.cookie);
    const day2 = report.body.split("\r\n").find((l) => l.includes(`,${DAY2},`))!;
    expect(day2).toContain("On the record");
    // Exact counts on the record: 2 asked, 0 approved, 0 answered.
    expect(day2).toMatch(/,On the record,\d+,\d+,\d+,2,0,0,0,0,,0$/);
  });

  it("the dashboard is for organizers only, and its counts move as people join and leave", async () => {
    const staff = await connect(moderator.cookie);
    expect((await refused(staff, "admin:dashboard", {})).code).toBe("forbidden");

    const org = await connect(organizer.cookie);
    const first = await ok<DashboardSnapshot>(org, "admin:dashboard", {});
    expect(first.sessions).toHaveLength(19);
    const row = (snap: DashboardSnapshot) => snap.sessions.find((s) => s.slug === DAY2)!;
    expect(first.today).toBe("2024-05-24");
    expect(row(first).phase).toBe("live");

    // A fresh in-person participant and a fresh remote one: counts are distinct people, staff not counted.
    const inPerson = await createPerson(server.services, { name: "Ines In-Room", attendanceMode: "in_person" });
    const remote = await createPerson(server.services, { name: "Remy Remote", attendanceMode: "remote" });
    const latest = async () => row(await ok<DashboardSnapshot>(org, "admin:dashboard", {})).attendance;
    const base = await latest();

    let changed = 0;
    org.on("admin:changed", () => changed++);
    const roomSocket = await connect(inPerson.cookie);
    await ok(roomSocket, "session:join", { slug: DAY2 });
    const remoteSocket = await connect(remote.cookie);
    await ok(remoteSocket, "session:join", { slug: DAY2 });
    const remoteTab = await connect(remote.cookie); // a second tab is the same person
    await ok(remoteTab, "session:join", { slug: DAY2 });
    await waitFor(
      async () => {
        const a = await latest();
        return a.inRoom === base.inRoom + 1 && a.remote === base.remote + 1;
      },
      10_000,
      "the join to be counted",
    );
    expect(changed).toBeGreaterThan(0);
    const joined = await latest();
    expect(joined.peakInRoom).toBeGreaterThanOrEqual(joined.inRoom);
    expect(joined.peakRemote).toBeGreaterThanOrEqual(joined.remote);

    remoteSocket.close();
    remoteTab.close();
    await waitFor(async () => (await latest()).remote === base.remote, 10_000, "the leave to be counted");
    const left = await latest();
    expect(left.inRoom).toBe(base.inRoom + 1);
    // The peak stays where it was.
    expect(left.peakRemote).toBe(joined.peakRemote);
  });

  it("the dashboard shows the caption feed's state and hears of questions as they come", async () => {
    const org = await connect(organizer.cookie);
    const row = async () => (await ok<DashboardSnapshot>(org, "admin:dashboard", {})).sessions.find((s) => s.slug === DAY2)!;
    expect((await row()).captions).toBeNull();
    const mod = await connect(moderator.cookie);
    await ok(mod, "caption:push", { slug: DAY2, text: "Good morning, everyone." });
    expect((await row()).captions).toBe("live");

    // Let the joins' own hints pass, then a question alone brings a hint.
    const asker = await connect(askers[0].cookie);
    await ok(asker, "session:join", { slug: DAY2 });
    await new Promise((r) => setTimeout(r, 1500));
    const hinted = nextEvent(org, "admin:changed", 5000);
    await ok(asker, "question:submit", { slug: DAY2, key: key(), text: "Will the dashboard hear of this question?" });
    await hinted;
  });
});
