import { sql } from "drizzle-orm";
import { bigserial, boolean, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const sessionKinds = ["registration", "remarks", "keynote", "break", "panel", "meal", "announcement", "conversation", "reception", "wrap_up"] as const;
export const sessionRules = ["chatham_house", "on_record"] as const;
export const qaModes = ["pre_moderated", "open"] as const;

export const events = pgTable("events", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  theme: text("theme").notNull(),
  summary: text("summary").notNull(),
  venue: text("venue").notNull(),
  city: text("city").notNull(),
  timeZone: text("time_zone").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    slug: text("slug").notNull().unique(),
    /** Event-local calendar day of the item (America/New_York for FMS 2024). */
    day: date("day").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    title: text("title").notNull(),
    topic: text("topic"),
    description: text("description"),
    kind: text("kind", { enum: sessionKinds }).notNull(),
    host: text("host").notNull(),
    rule: text("rule", { enum: sessionRules }).notNull(),
    streamed: boolean("streamed").notNull().default(false),
    recordingAllowed: boolean("recording_allowed").notNull().default(false),
    qaEnabled: boolean("qa_enabled").notNull().default(false),
    pollsEnabled: boolean("polls_enabled").notNull().default(false),
    qaMode: text("qa_mode", { enum: qaModes }).notNull().default("pre_moderated"),
    qaOpen: boolean("qa_open").notNull().default(true),
    /** Short code typed or scanned in the room to join this session (Q&A sessions only). */
    accessCode: text("access_code").unique(),
    /** Bumped on every change; clients use it to spot missed updates. */
    version: integer("version").notNull().default(1),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("sessions_event_id_idx").on(t.eventId),
    index("sessions_starts_at_idx").on(t.startsAt),
    // The event's first invariant: a Chatham House session is never streamed and never recorded.
    check("sessions_chatham_house_not_streamed_or_recorded", sql`NOT (${t.rule} = 'chatham_house' AND (${t.streamed} OR ${t.recordingAllowed}))`),
    check("sessions_ends_after_start", sql`${t.endsAt} > ${t.startsAt}`),
    check(
      "sessions_kind_valid",
      sql`${t.kind} IN ('registration','remarks','keynote','break','panel','meal','announcement','conversation','reception','wrap_up')`,
    ),
    check("sessions_rule_valid", sql`${t.rule} IN ('chatham_house','on_record')`),
    check("sessions_qa_mode_valid", sql`${t.qaMode} IN ('pre_moderated','open')`),
  ],
);
export type SessionRow = typeof sessions.$inferSelect;
export type NewSessionRow = typeof sessions.$inferInsert;

// ── People, sign-in and roles ──────────────────────────────────────────────────────────────────────

export const attendanceModes = ["in_person", "remote"] as const;
export const userKinds = ["person", "device"] as const;

/**
 * A person (registered participant, staff) or a device (someone who joined in the room with a code).
 * Only what the event needs: a display name, an affiliation, how they attend.
 */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: userKinds }).notNull().default("person"),
    email: text("email").unique(),
    emailVerified: timestamp("email_verified", { withTimezone: true }),
    name: text("name"),
    affiliation: text("affiliation"),
    attendanceMode: text("attendance_mode", { enum: attendanceModes }).notNull().default("remote"),
    /** sha256 of the device cookie's secret; only for kind = device. */
    deviceSecretHash: text("device_secret_hash").unique(),
    isDemo: boolean("is_demo").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("users_kind_valid", sql`${t.kind} IN ('person','device')`),
    check("users_attendance_mode_valid", sql`${t.attendanceMode} IN ('in_person','remote')`),
    check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
  ],
);
export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;

/** Links a user to an identity provider account (OIDC). No provider tokens are kept. */
export const accounts = pgTable(
  "accounts",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    type: text("type").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] }), index("accounts_user_id_idx").on(t.userId)],
);

/** Signed-in browsers. The cookie holds a random token; only its sha256 is stored. */
export const authSessions = pgTable(
  "auth_sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expires: timestamp("expires", { withTimezone: true }).notNull(),
    method: text("method").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("auth_sessions_user_id_idx").on(t.userId)],
);
export type AuthSessionRow = typeof authSessions.$inferSelect;

/** Magic-link tokens (next-auth stores them hashed); deleted when used. */
export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text("identifier").notNull(),
    token: text("token").notNull(),
    expires: timestamp("expires", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

/** Event-wide roles: organizers run everything; check-in helpers run the registration desk (server/checkin) and nothing else. */
export const eventRoleNames = ["organizer", "check_in"] as const;
export type EventRoleName = (typeof eventRoleNames)[number];

export const eventRoles = pgTable(
  "event_roles",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: eventRoleNames }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] }), check("event_roles_role_valid", sql`${t.role} IN ('organizer','check_in')`)],
);

export const sessionRoleNames = ["moderator", "panelist", "attendee"] as const;
export type SessionRoleName = (typeof sessionRoleNames)[number];

/** Per-session roles. `attendee` records a device that joined this session with its code. */
export const sessionRoles = pgTable(
  "session_roles",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: sessionRoleNames }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.userId, t.role] }),
    index("session_roles_user_id_idx").on(t.userId),
    check("session_roles_role_valid", sql`${t.role} IN ('moderator','panelist','attendee')`),
  ],
);

/** Fixed-window counters for throttling (code guessing, sign-in mails), shared by every instance. */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/** Small process-wide settings, e.g. the generated sign-in secret when AUTH_SECRET is not given. */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

// ── Audit ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * Who did what to which object, when: every moderator and organizer action and every refusal.
 * Under the Chatham House Rule an audience member is never named here (actor_id stays null).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    outcome: text("outcome", { enum: ["ok", "refused"] }).notNull(),
    code: text("code"),
    objectType: text("object_type"),
    objectId: text("object_id"),
    sessionId: uuid("session_id").references(() => sessions.id, { onDelete: "set null" }),
    before: jsonb("before"),
    after: jsonb("after"),
    details: jsonb("details"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_session_id_idx").on(t.sessionId),
    index("audit_log_actor_id_idx").on(t.actorId),
    index("audit_log_action_idx").on(t.action),
  ],
);
export type AuditRow = typeof auditLog.$inferSelect;
export * from "./schema-streaming";
export * from "./schema-polls";

export * from "./schema-qa";
export * from "./schema-messages";
export * from "./schema-branding";

export * from "./schema-organizer";
export * from "./schema-captions";
export * from "./schema-recording";
export * from "./schema-checkin";
