/** The organizer's tables: attendance over time and session feedback (server/reports). Re-exported from db/schema.ts. */
import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { events, sessions, users } from "./schema";

/**
 * Who was there, over time: each app instance writes, per session and time bucket, how many distinct
 * people its own sockets had in the session (in the room, remote) and how many LiveKit viewers the
 * database knew of. Counts across instances are sums over `instance_id` (stream: the largest, since every
 * instance reads the same webhook rows). `*_peak` is the largest value seen within the bucket, `in_room`
 * and `remote` the latest. Holds numbers only: never a person, device or socket.
 */
export const attendanceSamples = pgTable(
  "attendance_samples",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    instanceId: text("instance_id").notNull(),
    /** Start of the time bucket (server/reports/presence.ts, BUCKET_MS). */
    at: timestamp("at", { withTimezone: true }).notNull(),
    inRoom: integer("in_room").notNull().default(0),
    remote: integer("remote").notNull().default(0),
    stream: integer("stream").notNull().default(0),
    inRoomPeak: integer("in_room_peak").notNull().default(0),
    remotePeak: integer("remote_peak").notNull().default(0),
    streamPeak: integer("stream_peak").notNull().default(0),
    /** When this instance last wrote the row: rows not refreshed for a while belong to an instance that stopped. */
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.instanceId, t.at] }),
    index("attendance_samples_session_at_idx").on(t.sessionId, t.at),
    index("attendance_samples_updated_at_idx").on(t.updatedAt),
    check("attendance_samples_counts_valid", sql`${t.inRoom} >= 0 AND ${t.remote} >= 0 AND ${t.stream} >= 0`),
  ],
);
export type AttendanceSampleRow = typeof attendanceSamples.$inferSelect;
export type NewAttendanceSampleRow = typeof attendanceSamples.$inferInsert;

/** Up to three extra questions an organizer adds to every session's feedback survey. */
export const feedbackQuestions = pgTable(
  "feedback_questions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    position: smallint("position").notNull(),
    text: text("text").notNull(),
  },
  (t) => [
    index("feedback_questions_event_id_idx").on(t.eventId),
    check("feedback_questions_position_valid", sql`${t.position} BETWEEN 1 AND 3`),
    check("feedback_questions_text_length", sql`char_length(${t.text}) BETWEEN 3 AND 200`),
  ],
);
export type FeedbackQuestionRow = typeof feedbackQuestions.$inferSelect;

/**
 * One answer to a session's feedback survey. Deliberately without a user, device, sign-in or time
 * column: under the Chatham House Rule an answer cannot be linked to who gave it, because nothing
 * to link with is stored (one answer per person is held by `feedback_receipts`, which holds no answer).
 */
export const sessionFeedback = pgTable(
  "session_feedback",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    comment: text("comment"),
    /** Answers to the event's extra questions: feedback question id → text. */
    answers: jsonb("answers").$type<Record<string, string>>().notNull().default({}),
  },
  (t) => [
    index("session_feedback_session_id_idx").on(t.sessionId),
    check("session_feedback_rating_valid", sql`${t.rating} BETWEEN 1 AND 5`),
    check("session_feedback_comment_length", sql`${t.comment} IS NULL OR char_length(${t.comment}) <= 1000`),
  ],
);
export type SessionFeedbackRow = typeof sessionFeedback.$inferSelect;

/** That a person answered a session's survey (once per person), never what they answered, nor when. */
export const feedbackReceipts = pgTable(
  "feedback_receipts",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] }), index("feedback_receipts_user_id_idx").on(t.userId)],
);
