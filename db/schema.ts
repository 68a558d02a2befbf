import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const sessionKinds = [
  "registration",
  "remarks",
  "keynote",
  "break",
  "panel",
  "meal",
  "announcement",
  "conversation",
  "reception",
  "wrap_up",
] as const;
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
    check("sessions_kind_valid", sql`${t.kind} IN ('registration','remarks','keynote','break','panel','meal','announcement','conversation','reception','wrap_up')`),
    check("sessions_rule_valid", sql`${t.rule} IN ('chatham_house','on_record')`),
    check("sessions_qa_mode_valid", sql`${t.qaMode} IN ('pre_moderated','open')`),
  ],
);
export type SessionRow = typeof sessions.$inferSelect;
export type NewSessionRow = typeof sessions.$inferInsert;
