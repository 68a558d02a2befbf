/** The only file of the notes capability that touches drizzle. */
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { panelNoteReads, panelNotes, sessions, users, type PanelNoteRow } from "../../db/schema";

type Db = Database;

export interface NoteWithReads extends PanelNoteRow {
  senderName: string | null;
  reads: Array<{ userId: string; name: string | null; readAt: Date }>;
}

/** Stores a note once per sender key: a resend after a reconnect returns the stored one. */
export async function insertNote(
  db: Db,
  row: { sessionId: string; senderId: string; senderRole: "organizer" | "moderator"; text: string; clientKey: string; sentAt: Date },
): Promise<{ note: PanelNoteRow; created: boolean }> {
  const [inserted] = await db.insert(panelNotes).values(row).onConflictDoNothing().returning();
  if (inserted) return { note: inserted, created: true };
  const [existing] = await db
    .select()
    .from(panelNotes)
    .where(and(eq(panelNotes.sessionId, row.sessionId), eq(panelNotes.senderId, row.senderId), eq(panelNotes.clientKey, row.clientKey)));
  return { note: existing, created: false };
}

export async function findNote(db: Db, sessionId: string, noteId: string): Promise<PanelNoteRow | undefined> {
  const [row] = await db
    .select()
    .from(panelNotes)
    .where(and(eq(panelNotes.id, noteId), eq(panelNotes.sessionId, sessionId)));
  return row;
}

/** Records one panelist's acknowledgement (a second one changes nothing). */
export async function markRead(db: Db, noteId: string, userId: string, at: Date): Promise<void> {
  await db.insert(panelNoteReads).values({ noteId, userId, readAt: at }).onConflictDoNothing();
}

/** The session's latest notes, newest first, with their senders' names and reads. */
export async function recentNotes(db: Db, sessionId: string, limit: number): Promise<NoteWithReads[]> {
  const rows = await db
    .select({ note: panelNotes, senderName: users.name })
    .from(panelNotes)
    .leftJoin(users, eq(users.id, panelNotes.senderId))
    .where(eq(panelNotes.sessionId, sessionId))
    .orderBy(desc(panelNotes.sentAt), desc(panelNotes.id))
    .limit(limit);
  return withReads(db, rows);
}

export async function noteWithReads(db: Db, noteId: string): Promise<NoteWithReads | undefined> {
  const rows = await db
    .select({ note: panelNotes, senderName: users.name })
    .from(panelNotes)
    .leftJoin(users, eq(users.id, panelNotes.senderId))
    .where(eq(panelNotes.id, noteId));
  return (await withReads(db, rows))[0];
}

async function withReads(db: Db, rows: Array<{ note: PanelNoteRow; senderName: string | null }>): Promise<NoteWithReads[]> {
  if (rows.length === 0) return [];
  const reads = await db
    .select({ noteId: panelNoteReads.noteId, userId: panelNoteReads.userId, name: users.name, readAt: panelNoteReads.readAt })
    .from(panelNoteReads)
    .leftJoin(users, eq(users.id, panelNoteReads.userId))
    .where(
      inArray(
        panelNoteReads.noteId,
        rows.map((r) => r.note.id),
      ),
    )
    .orderBy(asc(panelNoteReads.readAt));
  return rows.map((r) => ({
    ...r.note,
    senderName: r.senderName,
    reads: reads.filter((x) => x.noteId === r.note.id).map((x) => ({ userId: x.userId, name: x.name, readAt: x.readAt })),
  }));
}

/**
 * Deletes every note (and, by cascade, every read) of the Chatham House sessions that have ended, in
 * the caller's transaction. Idempotent: two instances running it at once do no harm.
 */
export async function eraseEndedChathamNotes(tx: Db, now: Date): Promise<{ sessionIds: string[]; notes: number }> {
  const removed = await tx
    .delete(panelNotes)
    .where(
      sql`${panelNotes.sessionId} IN (SELECT ${sessions.id} FROM ${sessions} WHERE ${sessions.rule} = 'chatham_house' AND ${sessions.endsAt} <= ${now.toISOString()}::timestamptz)`,
    )
    .returning({ sessionId: panelNotes.sessionId });
  return { sessionIds: [...new Set(removed.map((r) => r.sessionId))], notes: removed.length };
}
