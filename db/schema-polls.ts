import { sql } from "drizzle-orm";
import { bigserial, check, index, integer, pgTable, primaryKey, smallint, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { sessions, users } from "./schema";

// ── Live polls ─────────────────────────────────────────────────────────────────────────────────────

export const pollKinds = ["single", "multiple", "rating", "word_cloud"] as const;
export const pollStatuses = ["draft", "open", "closed"] as const;
export const pollResultsVisibilities = ["live", "after_close", "published"] as const;

/**
 * One poll of a session. The definition (kind, question, options, limits) can change only while it
 * is a draft, so a definition read once stays true for as long as the poll can be answered.
 */
export const polls = pgTable(
  "polls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: pollKinds }).notNull(),
    question: text("question").notNull(),
    /** multiple: most options one person may pick. */
    maxPicks: smallint("max_picks"),
    /** rating: 5 or 10 (the scale starts at 1). */
    scaleMax: smallint("scale_max"),
    lowLabel: text("low_label"),
    highLabel: text("high_label"),
    resultsVisibility: text("results_visibility", { enum: pollResultsVisibilities }).notNull(),
    status: text("status", { enum: pollStatuses }).notNull().default("draft"),
    /** Set when a moderator publishes the results to the audience; cleared by a reopen. */
    publishedAt: timestamp("published_at", { withTimezone: true }),
    /** Optional timer: each opening closes by itself after this long. */
    durationSeconds: integer("duration_seconds"),
    /** When the running timer closes the poll; the database, not a process, is the timer's truth. */
    closesAt: timestamp("closes_at", { withTimezone: true }),
    openedAt: timestamp("opened_at", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    /** The creating client's idempotency key: a resent poll:create returns the poll it already made. */
    clientKey: text("client_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("polls_session_id_idx").on(t.sessionId),
    index("polls_open_closes_at_idx")
      .on(t.closesAt)
      .where(sql`${t.status} = 'open'`),
    unique("polls_session_client_key_unique").on(t.sessionId, t.clientKey),
    check("polls_kind_valid", sql`${t.kind} IN ('single','multiple','rating','word_cloud')`),
    check("polls_status_valid", sql`${t.status} IN ('draft','open','closed')`),
    check("polls_results_visibility_valid", sql`${t.resultsVisibility} IN ('live','after_close','published')`),
    check("polls_rating_scale", sql`(${t.kind} = 'rating') = (${t.scaleMax} IS NOT NULL) AND (${t.scaleMax} IS NULL OR ${t.scaleMax} IN (5, 10))`),
    check("polls_multiple_max_picks", sql`(${t.kind} = 'multiple') = (${t.maxPicks} IS NOT NULL) AND (${t.maxPicks} IS NULL OR ${t.maxPicks} >= 1)`),
    check("polls_duration_positive", sql`${t.durationSeconds} IS NULL OR ${t.durationSeconds} > 0`),
  ],
);
export type PollRow = typeof polls.$inferSelect;
export type NewPollRow = typeof polls.$inferInsert;

/** The choices of a single- or multiple-choice poll, in display order. */
export const pollOptions = pgTable(
  "poll_options",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pollId: uuid("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    position: smallint("position").notNull(),
    label: text("label").notNull(),
  },
  (t) => [unique("poll_options_poll_position_unique").on(t.pollId, t.position)],
);
export type PollOptionRow = typeof pollOptions.$inferSelect;

/**
 * One answer per person per poll (the unique (poll_id, voter_id) makes two tabs answering at once one
 * answer). Totals are counted from these rows, so they survive when the link to the person is erased:
 * under the Chatham House Rule `voter_id` is set to NULL when the session ends (NULLs never collide
 * in a unique constraint). `seq` grows with every write, giving results a monotonic version, and is
 * the key: a random uuid per row (the key before) took a third of a storm's insert on PGlite, where
 * each `gen_random_uuid()` is slow and each random key lands on a different index page
 * (docs/benchmarks.md).
 */
export const pollResponses = pgTable(
  "poll_responses",
  {
    pollId: uuid("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    voterId: uuid("voter_id").references(() => users.id, { onDelete: "set null" }),
    /** single, multiple: the chosen options (sorted, distinct). */
    optionIds: uuid("option_ids").array(),
    /** rating: 1..scale_max. */
    rating: smallint("rating"),
    /** word_cloud: the normalized word or phrase. */
    word: text("word"),
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    answeredAt: timestamp("answered_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("poll_responses_poll_voter_unique").on(t.pollId, t.voterId),
    index("poll_responses_voter_id_idx").on(t.voterId),
    check(
      "poll_responses_one_answer_kind",
      sql`(CASE WHEN ${t.optionIds} IS NULL THEN 0 ELSE 1 END) + (CASE WHEN ${t.rating} IS NULL THEN 0 ELSE 1 END) + (CASE WHEN ${t.word} IS NULL THEN 0 ELSE 1 END) = 1`,
    ),
  ],
);
export type PollResponseRow = typeof pollResponses.$inferSelect;

/**
 * A counter per session, bumped in the same transaction as every poll change: snapshots and facts
 * carry it, so a staff client that sees a gap asks for a fresh snapshot.
 */
export const pollSessionVersions = pgTable(
  "poll_session_versions",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    version: integer("version").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.sessionId] })],
);
