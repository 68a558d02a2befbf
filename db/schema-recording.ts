/** Recording files (server/streaming/recording.ts). Re-exported from db/schema.ts. */
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { sessions, users } from "./schema";

export const recordingFileStatuses = ["recording", "finalising", "ready", "failed"] as const;
export const recordingBackends = ["recorder", "egress"] as const;

/**
 * One recording Plenary started, and the file it becomes. `id` is the id the REC indicator's row in
 * stream_recordings carries (egress_id: LiveKit's egress id, or the track recorder's RC_… id), which
 * is written there only by LiveKit's webhooks. `path` is relative to DATA_DIR. Published recordings
 * are offered to the session's attendees.
 */
export const recordingFiles = pgTable(
  "recording_files",
  {
    id: text("id").primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    backend: text("backend", { enum: recordingBackends }).notNull(),
    status: text("status", { enum: recordingFileStatuses }).notNull(),
    /** The LiveKit identity of the recorder participant (track recorder only). */
    identity: text("identity"),
    path: text("path"),
    bytes: bigint("bytes", { mode: "number" }),
    durationMs: integer("duration_ms"),
    /** Why the file is not there, in words an organizer can act on. */
    error: text("error"),
    startedBy: uuid("started_by").references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    publishedBy: uuid("published_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    index("recording_files_session_id_idx").on(t.sessionId, t.startedAt),
    check("recording_files_status_valid", sql`${t.status} IN ('recording','finalising','ready','failed')`),
    check("recording_files_backend_valid", sql`${t.backend} IN ('recorder','egress')`),
  ],
);
export type RecordingFileRow = typeof recordingFiles.$inferSelect;
