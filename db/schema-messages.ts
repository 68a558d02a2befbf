import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { sessions, users } from "./schema";

// ── Private notes to the panel (server/messages) ─────────────────────────────────────────────────

/**
 * A short note from a session's moderator or organizer to its panelists. Under the Chatham House Rule
 * these rows are deleted when the session ends (with the reads), in the same step that erases the
 * Q&A author links (server/qa/service.ts eraseEndedAuthorLinks).
 */
export const panelNotes = pgTable(
  "panel_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    senderId: uuid("sender_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    senderRole: text("sender_role", { enum: ["organizer", "moderator"] }).notNull(),
    text: text("text").notNull(),
    /** The sender's idempotency key: a resend after a reconnect is stored once. */
    clientKey: text("client_key").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("panel_notes_session_id_idx").on(t.sessionId, t.sentAt),
    index("panel_notes_sender_id_idx").on(t.senderId),
    uniqueIndex("panel_notes_sender_key_uq").on(t.sessionId, t.senderId, t.clientKey),
    check("panel_notes_sender_role_valid", sql`${t.senderRole} IN ('organizer','moderator')`),
    check("panel_notes_text_length", sql`char_length(${t.text}) BETWEEN 1 AND 140`),
  ],
);
export type PanelNoteRow = typeof panelNotes.$inferSelect;
export type NewPanelNoteRow = typeof panelNotes.$inferInsert;

/** A panelist acknowledged a note ("read"): once per panelist and note. */
export const panelNoteReads = pgTable(
  "panel_note_reads",
  {
    noteId: uuid("note_id")
      .notNull()
      .references(() => panelNotes.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    readAt: timestamp("read_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.userId] }), index("panel_note_reads_user_id_idx").on(t.userId)],
);
export type PanelNoteReadRow = typeof panelNoteReads.$inferSelect;
