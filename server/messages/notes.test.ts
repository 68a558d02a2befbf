/**
 * Private notes to the panel over real socket.io clients on loopback and a real database: producers
 * send, panelists see and acknowledge, the sender sees who read it and when; the audience, a room
 * screen and other sessions' staff never hear them; bad input changes nothing; and under the Chatham
 * House Rule every note is gone once the session ends.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, panelNoteReads, panelNotes, sessions } from "../../db/schema";
import type { NoteAckResult, NoteSync, PanelNote } from "../../lib/panel-notes";
import { collect, connectClient, nextEvent, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, ok, refused } from "../qa/testing";

const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thursday 23 May
const DAY2 = "defense-industry-perspectives"; // on the record, Friday 09:45–11:15
const DURING = "2024-05-23T10:00:00-04:00";
const AFTER = "2024-05-23T12:00:00-04:00";

describe.each(testDatabaseKinds())("private notes to the panel (%s)", (database) => {
  let server: TestServer;
  let people: Record<"mod" | "organizer" | "panelist" | "panelist2" | "attendee" | "otherMod", TestPerson>;
  const sockets: Record<string, TestSocket> = {};

  beforeAll(async () => {
    server = await startTestServer({ now: DURING, database });
    const app = server.services;
    people = {
      mod: await createPerson(app, { name: "Morgan Moderator", email: "morgan@example.org", roles: [{ slug: DAY1, role: "moderator" }] }),
      organizer: await createPerson(app, { name: "Olive Organizer", email: "olive@example.org", organizer: true }),
      panelist: await createPerson(app, { name: "Pat Panelist", email: "pat@example.org", roles: [{ slug: DAY1, role: "panelist" }] }),
      panelist2: await createPerson(app, { name: "Quinn Panelist", email: "quinn@example.org", roles: [{ slug: DAY1, role: "panelist" }] }),
      attendee: await createPerson(app, { name: "Ari Attendee", email: "ari@example.org" }),
      otherMod: await createPerson(app, { name: "Day Two Mod", email: "d2@example.org", roles: [{ slug: DAY2, role: "moderator" }] }),
    };
    for (const [k, p] of Object.entries(people)) sockets[k] = await connectClient(server.url, { cookie: p.cookie });
  });
  afterAll(async () => {
    for (const s of Object.values(sockets)) s.close();
    await server?.close();
  });

  it("a moderator sends, the panelists hear it at once, a panelist acknowledges and the sender sees who read it", async () => {
    const modSync = await ok<NoteSync>(sockets.mod, "note:sync", { slug: DAY1 });
    expect(modSync).toMatchObject({ notes: [], canSend: true, canAck: false });
    const panelSync = await ok<NoteSync>(sockets.panelist, "note:sync", { slug: DAY1 });
    expect(panelSync).toMatchObject({ canSend: false, canAck: true });
    await ok(sockets.panelist2, "note:sync", { slug: DAY1 });
    // The audience cannot load them, nor can another session's moderator; neither joins the room.
    expect(await refused(sockets.attendee, "note:sync", { slug: DAY1 })).toMatchObject({ code: "forbidden" });
    expect(await refused(sockets.otherMod, "note:sync", { slug: DAY1 })).toMatchObject({ code: "forbidden" });
    const overheard = [...collect(sockets.attendee, "note:sent"), ...collect(sockets.otherMod, "note:sent")];

    const heard = nextEvent<{ note: PanelNote }>(sockets.panelist, "note:sent");
    const k = key();
    const sent = await ok<PanelNote>(sockets.mod, "note:send", { slug: DAY1, key: k, text: "  2 minutes left  " });
    expect(sent).toMatchObject({ slug: DAY1, text: "2 minutes left", from: { name: "Morgan Moderator", role: "moderator" }, reads: [] });
    // Stored before the ack.
    const [row] = await server.services.db.select().from(panelNotes).where(eq(panelNotes.id, sent.id));
    expect(row).toMatchObject({ text: "2 minutes left", senderId: people.mod.userId, senderRole: "moderator" });
    expect((await heard).note).toMatchObject({ id: sent.id, text: "2 minutes left" });
    // A resend with the same key (after a reconnect) is stored once and announced once.
    const again = await ok<PanelNote>(sockets.mod, "note:send", { slug: DAY1, key: k, text: "2 minutes left" });
    expect(again.id).toBe(sent.id);
    expect(await server.services.db.select().from(panelNotes).where(eq(panelNotes.sessionId, row.sessionId))).toHaveLength(1);

    // A panelist acknowledges: the sender (and the other panelist) learn who read it and when.
    const read = nextEvent<{ note: PanelNote }>(sockets.mod, "note:acknowledged");
    const acked = await ok<NoteAckResult>(sockets.panelist, "note:ack", { slug: DAY1, noteId: sent.id });
    // The simulated clock runs on from DURING: the read is stamped with the server's "now".
    expect(acked.note.reads).toEqual([{ name: "Pat Panelist", at: expect.stringMatching(/^2024-05-23T14:0\d:\d\d\.\d{3}Z$/) }]);
    expect((await read).note.reads.map((r) => r.name)).toEqual(["Pat Panelist"]);
    // Acknowledging twice changes nothing.
    await ok(sockets.panelist, "note:ack", { slug: DAY1, noteId: sent.id });
    expect(await server.services.db.select().from(panelNoteReads).where(eq(panelNoteReads.noteId, sent.id))).toHaveLength(1);
    // The sender's next load shows the read; the panelist's shows it as theirs.
    expect((await ok<NoteSync>(sockets.mod, "note:sync", { slug: DAY1 })).notes[0].reads.map((r) => r.name)).toEqual(["Pat Panelist"]);
    expect((await ok<NoteSync>(sockets.panelist, "note:sync", { slug: DAY1 })).readByMe).toEqual([sent.id]);

    await new Promise((r) => setTimeout(r, 200));
    expect(overheard).toEqual([]);
    // The audit trail says a note was sent, never what it said.
    const trail = await server.services.db.select().from(auditLog).where(eq(auditLog.action, "note:send"));
    expect(trail).toHaveLength(1);
    expect(JSON.stringify(trail)).not.toContain("2 minutes left");
  });

  it("only the session's producers send and only its panelists acknowledge; bad text is refused and changes nothing", async () => {
    const count = async () => (await server.services.db.select().from(panelNotes)).length;
    const before = await count();
    expect(await refused(sockets.panelist, "note:send", { slug: DAY1, key: key(), text: "I need water" })).toMatchObject({ code: "forbidden" });
    expect(await refused(sockets.attendee, "note:send", { slug: DAY1, key: key(), text: "Hello panel" })).toMatchObject({ code: "forbidden" });
    expect(await refused(sockets.otherMod, "note:send", { slug: DAY1, key: key(), text: "Wrong session" })).toMatchObject({ code: "forbidden" });
    // The same visible-character and length rules as every other text (lib/text.ts).
    expect(await refused(sockets.mod, "note:send", { slug: DAY1, key: key(), text: "\u200b\u3164 \u2800" })).toMatchObject({ code: "invalid_payload" });
    const long = await refused(sockets.mod, "note:send", { slug: DAY1, key: key(), text: "x".repeat(141) });
    expect(long).toMatchObject({ code: "invalid_payload" });
    expect(long.message).toMatch(/at most 140 characters/);
    expect(await refused(sockets.mod, "note:send", { slug: DAY1, key: key(), text: "bad\u0000byte" })).toMatchObject({ code: "invalid_payload" });
    expect(await refused(sockets.mod, "note:send", { slug: DAY1, key: "short", text: "Fine text" })).toMatchObject({ code: "invalid_payload" });
    expect(await count()).toBe(before);

    // An organizer sends too; a moderator cannot acknowledge (that is the panelists' "read").
    const note = await ok<PanelNote>(sockets.organizer, "note:send", { slug: DAY1, key: key(), text: "Take the next question from the room" });
    expect(note.from).toEqual({ name: "Olive Organizer", role: "organizer" });
    expect(await refused(sockets.mod, "note:ack", { slug: DAY1, noteId: note.id })).toMatchObject({ code: "forbidden" });
    expect(await refused(sockets.panelist, "note:ack", { slug: DAY1, noteId: "00000000-0000-4000-8000-000000000000" })).toMatchObject({
      code: "not_found",
    });
  });

  it("a room screen's socket never hears notes, whoever is signed in on it", async () => {
    const screen = await connectClient(server.url, { cookie: people.mod.cookie });
    try {
      await ok(screen, "session:join", { slug: DAY1, view: "screen" });
      expect(await refused(screen, "note:sync", { slug: DAY1 })).toMatchObject({ code: "forbidden" });
    } finally {
      screen.close();
    }
  });

  it("under the Chatham House Rule, the notes and their reads are erased when the session ends", async () => {
    const [day1] = await server.services.db.select().from(sessions).where(eq(sessions.slug, DAY1));
    const notesOfDay1 = () => server.services.db.select().from(panelNotes).where(eq(panelNotes.sessionId, day1.id));
    // While the session runs, the erasure keeps them.
    await server.services.qa.eraseEndedAuthorLinks();
    expect((await notesOfDay1()).length).toBeGreaterThanOrEqual(2);
    expect((await server.services.db.select().from(panelNoteReads)).length).toBeGreaterThanOrEqual(1);

    server.clock.set!(new Date(AFTER));
    const erased = await server.services.qa.eraseEndedAuthorLinks();
    expect(erased.notes).toBeGreaterThanOrEqual(2);
    expect(erased.sessionIds).toContain(day1.id);
    expect(await notesOfDay1()).toEqual([]);
    expect(await server.services.db.select().from(panelNoteReads)).toEqual([]);
    expect((await ok<NoteSync>(sockets.mod, "note:sync", { slug: DAY1 })).notes).toEqual([]);
    // And none can be sent after the end, to wait for nobody.
    expect(await refused(sockets.mod, "note:send", { slug: DAY1, key: key(), text: "Too late" })).toMatchObject({ code: "session_ended" });
    // Idempotent: another instance running it finds nothing.
    expect(await server.services.qa.eraseEndedAuthorLinks()).toMatchObject({ notes: 0 });
  });
});
