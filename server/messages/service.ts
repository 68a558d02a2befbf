/**
 * Private notes from a session's producers (moderators, organizers) to its panelists. The guard
 * decides who sends, reads and acknowledges (server/auth/policy.ts: note:*); a note is written to the
 * database before it is acknowledged and announced, and only the session's notes room (staff and
 * panelists who synced) hears it: the audience and the room screens never do. Under the Chatham House
 * Rule the notes are deleted when the session ends (queries.ts eraseEndedChathamNotes, run with the
 * Q&A erasure).
 */
import type { CommandInput } from "../../lib/realtime/contract";
import type { NoteAckResult, NoteSync, PanelNote } from "../../lib/panel-notes";
import type { SessionRow } from "../../db/schema";
import type { AgendaService } from "../agenda/service";
import type { Actor } from "../auth/actor";
import { hasSessionRole } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { AuditService } from "../audit/service";
import type { Clock } from "../clock";
import type { Database } from "../../db/client";
import { AppError } from "../errors";
import type { NotePublisher } from "./publisher";
import * as q from "./queries";

export interface NoteDeps {
  db: Database;
  guard: Guard;
  audit: AuditService;
  clock: Clock;
  agenda: Pick<AgendaService, "requireRow">;
  publish: NotePublisher;
}

/** How many of the latest notes a view loads. */
const RECENT = 20;

export class NoteService {
  constructor(private readonly deps: NoteDeps) {}

  /** The session's recent notes for a producer or panelist; `join` puts the socket in the notes room in the same turn. */
  async sync(actor: Actor | null, slug: string, join?: (sessionId: string) => Promise<void> | void): Promise<NoteSync & { sessionId: string }> {
    const session = await this.deps.agenda.requireRow(slug);
    await this.deps.guard.require(actor, "note:read", session);
    await join?.(session.id);
    const notes = await q.recentNotes(this.deps.db, session.id, RECENT);
    return {
      sessionId: session.id,
      notes: notes.map((n) => view(n, session.slug)),
      canSend: this.deps.guard.allowed(actor, "note:send", session),
      canAck: this.deps.guard.allowed(actor, "note:ack", session),
      readByMe: notes.filter((n) => n.reads.some((r) => r.userId === actor!.userId)).map((n) => n.id),
    };
  }

  async send(actor: Actor | null, input: CommandInput<"note:send">): Promise<PanelNote> {
    const session = await this.deps.agenda.requireRow(input.slug);
    await this.deps.guard.require(actor, "note:send", session);
    const now = this.deps.clock.now();
    // A note after the end would only wait for its erasure (Chatham House) or for nobody (on the record).
    if (session.endsAt <= now) throw new AppError("session_ended", "This session is over: notes to the panel can be sent only until it ends.");
    const role = actor!.isOrganizer ? "organizer" : "moderator";
    const { note, created } = await q.insertNote(this.deps.db, {
      sessionId: session.id,
      senderId: actor!.userId,
      senderRole: hasSessionRole(actor, session.id, "moderator") ? "moderator" : role,
      text: input.text,
      clientKey: input.key,
      sentAt: now,
    });
    const full = await this.load(session, note.id);
    if (created) {
      // Who sent a note and when; never its text, which under the Chatham House Rule must not outlive the session.
      await this.deps.audit.record({
        actor,
        action: "note:send",
        outcome: "ok",
        objectType: "panel_note",
        objectId: note.id,
        session: { id: session.id, rule: session.rule },
      });
      this.deps.publish.noteSent(session.id, full);
    }
    return full;
  }

  async ack(actor: Actor | null, input: CommandInput<"note:ack">): Promise<NoteAckResult> {
    const session = await this.deps.agenda.requireRow(input.slug);
    await this.deps.guard.require(actor, "note:ack", session);
    const note = await q.findNote(this.deps.db, session.id, input.noteId);
    if (!note) throw new AppError("not_found", "This note is no longer there (it may have been erased when the session ended).");
    await q.markRead(this.deps.db, note.id, actor!.userId, this.deps.clock.now());
    const full = await this.load(session, note.id);
    this.deps.publish.noteAcknowledged(session.id, full);
    return { note: full };
  }

  private async load(session: SessionRow, noteId: string): Promise<PanelNote> {
    const row = await q.noteWithReads(this.deps.db, noteId);
    if (!row) throw new AppError("not_found", "This note is no longer there.");
    return view(row, session.slug);
  }
}

function view(n: q.NoteWithReads, slug: string): PanelNote {
  return {
    id: n.id,
    slug,
    text: n.text,
    sentAt: n.sentAt.toISOString(),
    from: { name: n.senderName ?? "A producer", role: n.senderRole },
    reads: n.reads.map((r) => ({ name: r.name ?? "A panelist", at: r.readAt.toISOString() })),
  };
}
