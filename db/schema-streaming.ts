import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { sessions, users } from "./schema";

// ── Streaming (LiveKit) ────────────────────────────────────────────────────────────────────────────

export const streamStates = ["idle", "live", "ended"] as const;

/**
 * Whether a streamed session is on air. Moderators start and end it; viewers are admitted only while
 * it is live, so panelists can wait backstage in the LiveKit room before that.
 */
export const sessionStreams = pgTable(
  "session_streams",
  {
    sessionId: uuid("session_id")
      .primaryKey()
      .references(() => sessions.id, { onDelete: "cascade" }),
    state: text("state", { enum: streamStates }).notNull().default("idle"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    version: integer("version").notNull().default(1),
    /**
     * Bumped, under this row's lock, in the transaction of every change to the session's attendance,
     * so it follows their commit order: a count read with a higher one is the newer count, whichever
     * instance read it and whenever it arrives.
     */
    attendanceVersion: integer("attendance_version").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("session_streams_state_valid", sql`${t.state} IN ('idle','live','ended')`)],
);
export type SessionStreamRow = typeof sessionStreams.$inferSelect;
export type NewSessionStreamRow = typeof sessionStreams.$inferInsert;

export const recordingStatuses = ["active", "ended", "stopped_by_guard"] as const;

/**
 * Every LiveKit egress (recording) Plenary knows of, whoever started it. The REC indicator is on while
 * a session has an `active` row. Keyed by LiveKit's egress id, so webhooks arriving twice or out of
 * order land on the same row.
 */
export const streamRecordings = pgTable(
  "stream_recordings",
  {
    egressId: text("egress_id").primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    status: text("status", { enum: recordingStatuses }).notNull(),
    startedBy: uuid("started_by").references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [
    index("stream_recordings_session_id_idx").on(t.sessionId, t.status),
    check("stream_recordings_status_valid", sql`${t.status} IN ('active','ended','stopped_by_guard')`),
  ],
);
export type StreamRecordingRow = typeof streamRecordings.$inferSelect;
export type NewStreamRecordingRow = typeof streamRecordings.$inferInsert;

export const streamParticipantRoles = ["viewer", "publisher", "monitor", "speaker"] as const;

/**
 * Who is connected to a session's LiveKit room, from LiveKit's webhooks: one row per participant
 * connection (LiveKit's participant sid), so a `participant_left` arriving before its
 * `participant_joined` still ends that connection. Holds no name: identities are opaque. Each row
 * names the room instance (LiveKit's room sid): a room that empties and is made again under the same
 * name is a new instance, and only its own `room_finished` ends its connections.
 */
export const streamAttendance = pgTable(
  "stream_attendance",
  {
    participantSid: text("participant_sid").primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    roomSid: text("room_sid").notNull(),
    identity: text("identity").notNull(),
    role: text("role", { enum: streamParticipantRoles }).notNull(),
    joinedAt: timestamp("joined_at", { withTimezone: true }),
    leftAt: timestamp("left_at", { withTimezone: true }),
  },
  (t) => [
    index("stream_attendance_session_id_idx").on(t.sessionId, t.leftAt),
    check("stream_attendance_role_valid", sql`${t.role} IN ('viewer','publisher','monitor','speaker')`),
  ],
);
export type StreamAttendanceRow = typeof streamAttendance.$inferSelect;

/**
 * Room instances LiveKit reported finished (`room_finished`): a `participant_joined` of one of them
 * that arrives late is not counted. Keyed by the instance, not by time, so a join to the next
 * instance in the same second still counts.
 */
export const streamRoomsFinished = pgTable(
  "stream_rooms_finished",
  {
    roomSid: text("room_sid").primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("stream_rooms_finished_session_id_idx").on(t.sessionId)],
);

export const webhookEventStatuses = ["processing", "done"] as const;

/**
 * LiveKit webhook events by id: LiveKit retries a delivery, and a retry must not count twice, nor be
 * lost. A delivery claims its event (`processing`, with a lease it renews while it works) and marks
 * it `done` only after handling it; a failed handling releases the claim, and a claim whose lease ran
 * out (its process died) is taken over by LiveKit's next retry.
 */
export const livekitWebhookEvents = pgTable(
  "livekit_webhook_events",
  {
    id: text("id").primaryKey(),
    event: text("event").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    status: text("status", { enum: webhookEventStatuses }).notNull().default("done"),
    /** The delivery handling it now (random per delivery), so only that one renews, finishes or releases. */
    claimToken: text("claim_token"),
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
  },
  (t) => [
    index("livekit_webhook_events_received_at_idx").on(t.receivedAt),
    check("livekit_webhook_events_status_valid", sql`${t.status} IN ('processing','done')`),
  ],
);

export const handStatuses = ["waiting", "promoted", "done", "withdrawn"] as const;

/**
 * Requests to speak from remote stakeholders, first come first served. Kept here, not in LiveKit
 * metadata: the server decides who may speak, and the queue survives a LiveKit restart.
 */
export const handRaises = pgTable(
  "hand_raises",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: handStatuses }).notNull().default("waiting"),
    /** Promoted with the camera as well as the microphone. */
    camera: boolean("camera").notNull().default(false),
    raisedAt: timestamp("raised_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    // One open request per person and session: raising twice is the same request.
    uniqueIndex("hand_raises_open_unique")
      .on(t.sessionId, t.userId)
      .where(sql`${t.status} IN ('waiting','promoted')`),
    index("hand_raises_queue_idx").on(t.sessionId, t.status, t.raisedAt),
    index("hand_raises_user_id_idx").on(t.userId),
    check("hand_raises_status_valid", sql`${t.status} IN ('waiting','promoted','done','withdrawn')`),
  ],
);
export type HandRaiseRow = typeof handRaises.$inferSelect;
export type NewHandRaiseRow = typeof handRaises.$inferInsert;
