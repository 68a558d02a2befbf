/**
 * Session feedback on a real database: opens when the session ends, one answer per person, stored
 * with nothing that names who gave it, and shown under the Chatham House Rule only as totals (fewer
 * than 3 answers: no number, no average, no comment).
 */
import { getTableColumns } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionFeedback } from "../../db/schema";
import type { Actor } from "../auth/actor";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";

const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thursday
const DAY2 = "defense-industry-perspectives"; // on the record, 09:45–11:15 Friday

describe.each(testDatabaseKinds())("session feedback (%s)", (database) => {
  let server: TestServer;
  const actorOf = async (spec: Parameters<typeof createPerson>[1]): Promise<Actor> => {
    const p = await createPerson(server.services, spec);
    return (await server.services.auth.resolveToken(p.token)).actor!;
  };
  const setNow = (iso: string) => (server.clock as { set(d: Date): void }).set(new Date(iso));

  beforeAll(async () => {
    server = await startTestServer({ database, now: "2024-05-23T10:00:00-04:00" });
  }, 120_000);
  afterAll(async () => server?.close());

  it("cannot link an answer to anyone: the answers table has no person, device or time column", () => {
    const columns = Object.values(getTableColumns(sessionFeedback)).map((c) => c.name);
    expect(columns.sort()).toEqual(["answers", "comment", "id", "rating", "session_id"]);
  });

  it("opens when the session ends, takes one answer per person, and a Chatham House session shows only totals", async () => {
    const app = server.services;
    const org = await actorOf({ name: "Orla Organizer", organizer: true });
    const [extra] = await app.feedback.setQuestions(org, { questions: ["What should the next symposium cover?"] });
    const ann = await actorOf({ name: "Annabel Featherstonehaugh", affiliation: "Distinctive Directorate", attendanceMode: "in_person" });
    const bob = await actorOf({ name: "Bartholomew Quince", attendanceMode: "in_person" });

    expect((await app.feedback.form(ann, DAY1)).state).toBe("not_yet");
    await expect(app.feedback.submit(ann, DAY1, { rating: 5, answers: {} })).rejects.toMatchObject({ code: "conflict" });
    await expect(app.feedback.submit(null, DAY1, { rating: 5, answers: {} })).rejects.toMatchObject({ code: "unauthenticated" });
    expect((await app.feedback.form(ann, "break-thursday-0930")).state).toBe("none");

    setNow("2024-05-23T11:20:00-04:00");
    expect((await app.feedback.form(ann, DAY1)).state).toBe("open");
    await app.feedback.submit(ann, DAY1, { rating: 5, comment: "Annabel's distinctive comment", answers: { [extra.id]: "More on case timelines" } });
    await expect(app.feedback.submit(ann, DAY1, { rating: 1, answers: {} })).rejects.toMatchObject({ code: "conflict" });
    expect((await app.feedback.form(ann, DAY1)).state).toBe("answered");
    await app.feedback.submit(bob, DAY1, { rating: 3, answers: {} });
    await expect(app.feedback.submit(bob, DAY1, { rating: 4, answers: { "00000000-0000-4000-8000-000000000000": "x" } })).rejects.toMatchObject({
      code: "invalid_payload",
    });

    const dash = await app.reports.dashboard(org);
    const day1 = dash.sessions.find((s) => s.slug === DAY1)!;
    expect(day1.feedback).toEqual({ count: { fewerThan: 3 }, average: null });
    const csv = await app.reports.feedbackCsv(org);
    expect(csv).toContain(`FMS Planning: Understanding Partner Nation Needs,${DAY1},Chatham House Rule,fewer than 3,`);
    expect(csv).not.toContain("distinctive comment");
    expect(csv).not.toContain("case timelines");
    expect(csv).not.toContain("Featherstonehaugh");

    // On the record: exact numbers, the average, and the comments.
    setNow("2024-05-24T11:20:00-04:00");
    await app.feedback.submit(ann, DAY2, { rating: 4, comment: "=cmd|' /C calc'!A0", answers: { [extra.id]: "Industry panels" } });
    await app.feedback.submit(bob, DAY2, { rating: 2, answers: {} });
    const after = await app.reports.dashboard(org);
    expect(after.sessions.find((s) => s.slug === DAY2)!.feedback).toEqual({ count: 2, average: 3 });
    const csv2 = await app.reports.feedbackCsv(org);
    expect(csv2).toContain(`Defense Industry Perspectives,${DAY2},On the record,2,3`);
    expect(csv2).toContain(`Defense Industry Perspectives,4,'=cmd|' /C calc'!A0,Industry panels`);
    expect(csv2).not.toContain("Featherstonehaugh");
    const report = await app.reports.reportCsv(org);
    expect(report.split("\r\n").find((l) => l.includes(`,${DAY2},`))).toMatch(/,3,2$/);
  });

  it("only organizers set the extra questions, at most 3", async () => {
    const app = server.services;
    const mod = await actorOf({ name: "Moe Moderator", roles: [{ slug: DAY2, role: "moderator" }] });
    await expect(app.feedback.setQuestions(mod, { questions: ["Anything else?"] })).rejects.toMatchObject({ code: "forbidden" });
    const { feedbackQuestionsSchema } = await import("../../lib/schemas/feedback");
    expect(feedbackQuestionsSchema.safeParse({ questions: ["One?", "Two?", "Three?", "Four?"] }).success).toBe(false);
  });
});
