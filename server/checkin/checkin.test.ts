/**
 * The registration desk against a real server, database and sockets: who may open it (organizers and
 * check-in helpers; a moderator is refused), search as one types, one check-in and a second that says
 * when the first was, passes (valid, forged, malformed, withdrawn), walk-ins, live counts on another
 * desk, the audit trail, and a checked-in person counting as in the room.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attendeePasses, auditLog } from "../../db/schema";
import type { DashboardSnapshot } from "../../lib/admin";
import type { CheckInResult, DeskCounts, DeskPerson } from "../../lib/checkin";
import { presenceOf } from "../reports/presence";
import { connectClient, nextEvent, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { ok, refused, waitFor } from "../qa/testing";
import { newPassCode, passToken } from "./pass";

describe.each(testDatabaseKinds())("check-in desk (%s)", (database) => {
  let server: TestServer;
  let organizer: TestPerson;
  let helper: TestPerson;
  let moderator: TestPerson;
  let ines: TestPerson; // registered in person
  let rafael: TestPerson; // registered remote
  let secret: string;
  const sockets: TestSocket[] = [];
  const connect = async (cookie?: string) => {
    const s = await connectClient(server.url, { origin: server.url, cookie });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startTestServer({ database, now: "2024-05-23T08:05:00-04:00" });
    const app = server.services;
    organizer = await createPerson(app, { name: "Olga Organizer", email: "olga@plenary.test", organizer: true });
    helper = await createPerson(app, { name: "Hal Helper", email: "hal@plenary.test", checkIn: true });
    moderator = await createPerson(app, { name: "Mona Moderator", email: "mona@plenary.test", roles: [{ slug: "fms-planning", role: "moderator" }] });
    ines = await createPerson(app, { name: "Ines Inperson", email: "ines@ministry.example", affiliation: "Ministry of Quills", attendanceMode: "in_person" });
    rafael = await createPerson(app, { name: "Rafael Remote", email: "rafael@far.example", attendanceMode: "remote" });
    secret = await app.auth.resolveSecret(undefined);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it("refuses the desk to anyone but organizers and check-in helpers, with the audit entry", async () => {
    const mod = await connect(moderator.cookie);
    for (const [event, payload] of [
      ["checkin:desk", {}],
      ["checkin:search", { query: "Ines" }],
      ["checkin:check-in", { userId: ines.userId }],
      ["checkin:walk-in", { name: "Walter Walkin", email: "walter@example.org" }],
    ] as const) {
      const e = await refused(mod, event, payload);
      expect(e.code).toBe("forbidden");
      expect(e.message).toMatch(/organizers and check-in helpers/);
    }
    const anon = await connect();
    expect((await refused(anon, "checkin:desk", {})).code).toBe("unauthenticated");
    const audited = await server.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "checkin:desk"), eq(auditLog.actorId, moderator.userId)));
    expect(audited.length).toBeGreaterThanOrEqual(4);
    expect(audited.every((a) => a.outcome === "refused")).toBe(true);
    // Nobody was checked in by the refused attempts.
    const org = await connect(organizer.cookie);
    expect((await ok<DeskCounts>(org, "checkin:desk", {})).checkedIn).toBe(0);
  });

  it("searches as one types, checks in once, and says when a second check-in's first one was", async () => {
    const desk = await connect(helper.cookie);
    const otherDesk = await connect(organizer.cookie);
    const before = await ok<DeskCounts>(desk, "checkin:desk", {});
    await ok(otherDesk, "checkin:desk", {});
    expect(before).toMatchObject({ registered: 5, checkedIn: 0 });

    expect((await refused(desk, "checkin:search", { query: "I" })).code).toBe("invalid_payload");
    const found = await ok<DeskPerson[]>(desk, "checkin:search", { query: "ministry" });
    expect(found.map((p) => p.name)).toEqual(["Ines Inperson"]);
    expect(found[0]).toMatchObject({ email: "ines@ministry.example", checkedInAt: null, attendanceMode: "in_person" });
    // A LIKE wildcard is searched for literally.
    expect(await ok<DeskPerson[]>(desk, "checkin:search", { query: "%%" })).toEqual([]);

    // The organizer's desk also watches the dashboard, which hears of the check-in and counts it.
    expect((await ok<DashboardSnapshot>(otherDesk, "admin:dashboard", {})).checkIn).toEqual({ registered: 5, checkedIn: 0 });
    const hinted = nextEvent(otherDesk, "admin:changed");
    const pushed = nextEvent<{ counts: DeskCounts; checkedIn: { userId: string; checkedInAt: string } }>(otherDesk, "checkin:changed");
    const first = await ok<CheckInResult>(desk, "checkin:check-in", { userId: ines.userId });
    expect(first.firstTime).toBe(true);
    // On the event's clock (the simulated morning of Day 1), which runs on from 08:05.
    const at = Date.parse(first.person.checkedInAt!) - Date.parse("2024-05-23T08:05:00-04:00");
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(120_000);
    expect(first.counts).toMatchObject({ checkedIn: 1, checkedInInPerson: 1, checkedInRemote: 0 });
    expect(await pushed).toEqual({ counts: first.counts, checkedIn: { userId: ines.userId, checkedInAt: first.person.checkedInAt } });
    await hinted;
    expect((await ok<DashboardSnapshot>(otherDesk, "admin:dashboard", {})).checkIn).toEqual({ registered: 5, checkedIn: 1 });

    const second = await ok<CheckInResult>(otherDesk, "checkin:check-in", { userId: ines.userId });
    expect(second.firstTime).toBe(false);
    expect(second.person.checkedInAt).toBe(first.person.checkedInAt);
    expect(second.counts.checkedIn).toBe(1);
    expect((await ok<DeskPerson[]>(desk, "checkin:search", { query: "Ines" }))[0].checkedInAt).toBe(first.person.checkedInAt);

    const trail = await server.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "checkin:check-in"), eq(auditLog.objectId, ines.userId)));
    expect(trail.map((a) => [a.actorId, a.outcome, (a.details as { firstTime: boolean }).firstTime])).toEqual([
      [helper.userId, "ok", true],
      [organizer.userId, "ok", false],
    ]);
    expect((await refused(desk, "checkin:check-in", { userId: "not-a-uuid" })).code).toBe("invalid_payload");
    expect((await refused(desk, "checkin:check-in", { userId: "00000000-0000-4000-8000-000000000000" })).code).toBe("not_found");
  });

  it("checks in the holder of a pass; refuses malformed, forged and withdrawn passes with their own codes", async () => {
    const desk = await connect(helper.cookie);
    const pass = await server.services.checkIn.passFor(rafael.userId);
    expect(pass.url).toBe(`${server.url}/p/${pass.token}`);
    expect(pass.token).not.toContain(rafael.userId);
    expect(pass.svg).toMatch(/^<svg/);
    // The same pass every time it is shown.
    expect((await server.services.checkIn.passFor(rafael.userId)).token).toBe(pass.token);

    expect((await refused(desk, "checkin:check-in", { pass: "hello" })).code).toBe("pass_invalid");
    const [code, mac] = pass.token.split(".");
    const forged = `${code}.${mac[0] === "A" ? "B" : "A"}${mac.slice(1)}`;
    const e = await refused(desk, "checkin:check-in", { pass: forged });
    expect(e.code).toBe("pass_forged");
    expect(e.message).toMatch(/not issued by this event/);
    // A well-signed code nobody holds (a withdrawn pass).
    expect((await refused(desk, "checkin:check-in", { pass: passToken(secret, newPassCode()) })).code).toBe("pass_unknown");
    // Signed with another server's secret.
    expect((await refused(desk, "checkin:check-in", { pass: passToken("another-secret", code) })).code).toBe("pass_forged");
    const refusals = await server.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "checkin:check-in"), eq(auditLog.outcome, "refused")));
    expect(refusals.map((r) => r.code).sort()).toEqual(["pass_forged", "pass_forged", "pass_invalid", "pass_unknown"]);

    // The camera reads the whole URL; the desk takes the token from it.
    const mine = await connect(rafael.cookie);
    const told = nextEvent<{ reason: string }>(mine, "viewer:changed");
    const r = await ok<CheckInResult>(desk, "checkin:check-in", { pass: pass.url });
    expect(r).toMatchObject({ firstTime: true, person: { userId: rafael.userId, name: "Rafael Remote" } });
    expect(r.counts).toMatchObject({ checkedIn: 2, checkedInRemote: 1 });
    // Their phone reconnects: the server now has them in the room, in every session, without a room code.
    expect((await told).reason).toBe("roles_changed");
    const { actor } = await server.services.auth.resolveToken(rafael.token);
    expect(actor?.checkedIn).toBe(true);
    expect(presenceOf(actor, "any-session", false)).toBe("room");
    const { actor: before } = await server.services.auth.resolveToken(moderator.token);
    expect(before?.checkedIn).toBe(false);

    // Withdrawing the pass (deleting its row) makes it unknown.
    await server.services.db.delete(attendeePasses).where(eq(attendeePasses.userId, rafael.userId));
    expect((await refused(desk, "checkin:check-in", { pass: pass.token })).code).toBe("pass_unknown");
  });

  it("adds a walk-in and checks them in; an address already registered is refused", async () => {
    const desk = await connect(helper.cookie);
    const r = await ok<CheckInResult>(desk, "checkin:walk-in", { name: "  Walter   Walkin ", email: "Walter@Example.org", affiliation: "Press" });
    expect(r.firstTime).toBe(true);
    expect(r.person).toMatchObject({ name: "Walter Walkin", email: "walter@example.org", attendanceMode: "in_person" });
    expect(r.counts).toMatchObject({ registered: 6, checkedIn: 3 });
    const again = await refused(desk, "checkin:walk-in", { name: "Walter", email: "walter@example.org" });
    expect(again.code).toBe("already_registered");
    expect(again.message).toMatch(/Search for them/);
    expect((await refused(desk, "checkin:walk-in", { name: "X", email: "not-an-address" })).code).toBe("invalid_payload");
    expect((await refused(desk, "checkin:walk-in", { name: "\u0007", email: "bell@example.org" })).code).toBe("invalid_payload");
    await waitFor(async () => (await ok<DeskCounts>(desk, "checkin:desk", {})).registered === 6, 2000, "counts");
  });
});

describe("the pass in the sign-in mail", () => {
  let server: TestServer;
  // Demo mode keeps the mails in its mailbox, where the test reads them.
  beforeAll(async () => {
    server = await startTestServer({ demo: true });
  }, 240_000);
  afterAll(async () => {
    await server?.close();
  });

  it("sends a registered participant's pass QR code with their sign-in link", async () => {
    const app = server.services;
    const person = await createPerson(app, { name: "Mara Mail", email: "mara@example.org" });
    const email = app.nextAuth.providers.find((p) => p.id === "email") as unknown as {
      options: { sendVerificationRequest(p: { identifier: string; url: string }): Promise<void> };
    };
    await email.options.sendVerificationRequest({ identifier: "mara@example.org", url: `${server.url}/api/auth/callback/email?token=t` });
    await waitFor(() => app.mailer.mailbox().length > 0, 5000, "the mail");
    const [mail] = app.mailer.mailbox();
    expect(mail.text).toMatch(/^Sign in to Plenary .*\n\nhttp:\/\/127\.0\.0\.1:\d+\/api\/auth\/callback\/email\?token=t\n/);
    expect(mail.text).toContain(`${server.url}/me/pass`);
    expect(mail.html).toContain('src="cid:pass@plenary"');
    const [png] = mail.attachments!;
    expect(png.content.subarray(1, 4).toString()).toBe("PNG");
    // The same pass the phone shows.
    expect(png.content.equals(await app.checkIn.passPng(person.userId))).toBe(true);
  });
});
