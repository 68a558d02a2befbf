/**
 * Chatham House reaches the last tables: when a Day 1 session ends, the room devices that joined it
 * are no longer recorded as its attendees (nor named, where that name was only tied to it), and the
 * audit log keeps what the panelists and moderators did, and when, but not who they were.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, qaActions, questions, sessionRoles, sessions, users } from "../../db/schema";
import type { SubmitResult } from "../../lib/qa";
import { connectClient, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, ok } from "./testing";

const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thursday 23 May
const DAY2 = "defense-industry-perspectives"; // on the record, Friday
const DURING = "2024-05-23T10:00:00-04:00";
const AFTER = "2024-05-23T12:00:00-04:00";
const PANELIST_NAME = "Pat Panelist-Unique";
const MOD_NAME = "Morgan Moderator-Unique";
const QUESTION = "Who pays for sustainment after delivery?";

describe.each(testDatabaseKinds())("Chatham House erasure of devices and speakers (%s)", (database) => {
  let server: TestServer;
  let panelist: TestPerson;
  let mod: TestPerson;
  let organizer: TestPerson;
  let sockets: TestSocket[] = [];
  let day1Id: string;
  let day2Id: string;
  let onlyDay1: string;
  let alsoDay2: string;

  beforeAll(async () => {
    server = await startTestServer({ now: DURING, database });
    const app = server.services;
    panelist = await createPerson(app, { name: PANELIST_NAME, email: "pat@example.org", roles: [{ slug: DAY1, role: "panelist" }] });
    mod = await createPerson(app, { name: MOD_NAME, email: "morgan@example.org", roles: [{ slug: DAY1, role: "moderator" }] });
    organizer = await createPerson(app, { name: "Olive Organizer", email: "olive@example.org", organizer: true });
    const asker = await createPerson(app, { name: "Asker", email: "asker@example.org" });
    const [day1] = await app.db.select().from(sessions).where(eq(sessions.slug, DAY1));
    const [day2] = await app.db.select().from(sessions).where(eq(sessions.slug, DAY2));
    day1Id = day1.id;
    day2Id = day2.id;

    // Two phones join Day 1 with its room code and a name; the second also joins Day 2.
    const join = async (code: string, displayName: string, secret?: string) => {
      const device = { secret: secret ?? app.auth.newDeviceSecret(), minted: !secret };
      const r = await app.auth.joinWithCode({ code, displayName }, { ip: "192.0.2.10", device, actor: null });
      return r.device!.secret;
    };
    await join(day1.accessCode!, "Phone Only Day One");
    const second = await join(day1.accessCode!, "Phone Both Days");
    await join(day2.accessCode!, "Phone Both Days", second);
    const devices = await app.db.select().from(users).where(eq(users.kind, "device"));
    onlyDay1 = devices.find((d) => d.name === "Phone Only Day One")!.id;
    alsoDay2 = devices.find((d) => d.name === "Phone Both Days")!.id;

    // The moderator approves and routes a question to the panelist, who marks it answered.
    const [a, m, p] = await Promise.all([asker, mod, panelist].map((x) => connectClient(server.url, { cookie: x.cookie })));
    sockets = [a, m, p];
    const q = await ok<SubmitResult>(a, "question:submit", { slug: DAY1, key: key(), text: QUESTION });
    await ok(m, "question:moderate", { slug: DAY1, key: key(), questionId: q.question.id, expectedVersion: 1, action: { type: "approve" } });
    await ok(m, "question:moderate", {
      slug: DAY1,
      key: key(),
      questionId: q.question.id,
      expectedVersion: 2,
      action: { type: "route", panelistId: panelist.userId },
    });
    await ok(p, "question:answer", { slug: DAY1, key: key(), questionId: q.question.id, expectedVersion: 3 });
    // An organizer's administrative change to the Day 1 session is not about what was said.
    await app.agenda.update(DAY1, { topic: "Planning" }, { actor: await app.auth.resolveToken(organizer.token).then((r) => r.actor) });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  const attendeeRows = (sessionId: string) =>
    server.services.db
      .select({ userId: sessionRoles.userId })
      .from(sessionRoles)
      .where(and(eq(sessionRoles.sessionId, sessionId), eq(sessionRoles.role, "attendee")));
  const day1Entries = () => server.services.db.select().from(auditLog).where(eq(auditLog.sessionId, day1Id));

  it("keeps everything while the session runs", async () => {
    expect((await attendeeRows(day1Id)).map((r) => r.userId).sort()).toEqual([onlyDay1, alsoDay2].sort());
    await server.services.qa.eraseEndedAuthorLinks();
    const text = JSON.stringify(await day1Entries());
    // The trail does name them during the session (what the erasure below must remove).
    expect(text).toContain(PANELIST_NAME);
    expect(text).toContain(MOD_NAME);
    expect((await day1Entries()).some((e) => e.actorId === panelist.userId)).toBe(true);
    const [question] = await server.services.db.select().from(questions).where(eq(questions.sessionId, day1Id));
    expect(question.routedTo).toBe(panelist.userId);
    expect((await server.services.db.select().from(qaActions).where(eq(qaActions.sessionId, day1Id))).length).toBeGreaterThan(0);
  });

  it("erases the devices' attendance of the ended session, and the name of a device tied only to it", async () => {
    server.clock.set!(new Date(AFTER));
    const erased = await server.services.qa.eraseEndedAuthorLinks();
    expect(erased.attendees).toBe(2);
    expect(await attendeeRows(day1Id)).toEqual([]);
    // The phone that is also at Day 2 (on the record) is still its attendee, under its name.
    expect((await attendeeRows(day2Id)).map((r) => r.userId)).toEqual([alsoDay2]);
    const names = Object.fromEntries((await server.services.db.select().from(users).where(eq(users.kind, "device"))).map((d) => [d.id, d.name]));
    expect(names[onlyDay1]).toBeNull();
    expect(names[alsoDay2]).toBe("Phone Both Days");
    // Nothing in the database says any device was in the Day 1 room.
    const everything = JSON.stringify(await server.services.db.select().from(sessionRoles).where(eq(sessionRoles.sessionId, day1Id)));
    expect(everything).not.toContain(onlyDay1);
    expect(everything).not.toContain(alsoDay2);
  });

  it("keeps the role, action and time of the speakers' audit entries, and drops the person", async () => {
    const entries = await day1Entries();
    const text = JSON.stringify(entries);
    expect(text).not.toContain(PANELIST_NAME);
    expect(text).not.toContain(MOD_NAME);
    expect(text).not.toContain(panelist.userId);
    expect(text).not.toContain(mod.userId);
    const answered = entries.find((e) => e.action === "question:answer")!;
    expect(answered).toMatchObject({ actorId: null, actorLabel: "Panelist (anonymous under the Chatham House Rule)", outcome: "ok" });
    expect(answered.at).toBeInstanceOf(Date);
    const routed = entries.find((e) => e.action === "question:route")!;
    expect(routed).toMatchObject({
      actorId: null,
      actorLabel: "Moderator (anonymous under the Chatham House Rule)",
      details: { summary: "Routed to a panelist." },
    });
    expect(entries.find((e) => e.action === "question:approve")).toMatchObject({ actorId: null, actorLabel: expect.stringMatching(/^Moderator/) });
    // An organizer's agenda edit says nothing about what was said: it keeps its author.
    expect(entries.find((e) => e.action === "agenda:edit")).toMatchObject({ actorId: organizer.userId, actorLabel: "Olive Organizer" });
    // Nor do the question's routing or the moderators' stored commands (undo history with the text).
    const [question] = await server.services.db.select().from(questions).where(eq(questions.sessionId, day1Id));
    expect(question.routedTo).toBeNull();
    const stored = await server.services.db.select().from(qaActions).where(eq(qaActions.sessionId, day1Id));
    expect(stored).toEqual([]);
    // Idempotent: a second run (another instance) finds nothing left to do.
    expect(await server.services.qa.eraseEndedAuthorLinks()).toMatchObject({ attendees: 0, auditEntries: 0 });
  });
});
