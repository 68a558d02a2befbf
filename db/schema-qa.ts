/** Audience Q&A tables (server/qa). Re-exported from db/schema.ts. */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { sessions, users } from "./schema";

export const questionStatusValues = ["pending", "approved", "answered", "dismissed", "merged"] as const;

/**
 * Per-session Q&A state. `version` is bumped (under this row's lock) by every change a client must
 * see, so it orders changes in commit order; questions remember the version of their last change
 * (`questions.seq`), which lets a reconnecting client ask for what changed since the version it holds.
 */
export const qaSessions = pgTable("qa_sessions", {
  sessionId: uuid("session_id")
    .primaryKey()
    .references(() => sessions.id, { onDelete: "cascade" }),
  version: bigint("version", { mode: "number" }).notNull().default(0),
  onStageQuestionId: uuid("on_stage_question_id"),
  intakePaused: boolean("intake_paused").notNull().default(false),
  /** When the Chatham House author and voter links of this session were erased. */
  authorsErasedAt: timestamp("authors_erased_at", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type QaSessionRow = typeof qaSessions.$inferSelect;

export const questions = pgTable(
  "questions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    /** Only so the asker can follow their own questions and for rate limits; erased for Chatham House sessions when they end. */
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    /** Copied from the session's rule: the CHECK below holds Chatham House questions anonymous in the database itself. */
    chatham: boolean("chatham").notNull(),
    anonymous: boolean("anonymous").notNull().default(true),
    /** The asker's name and affiliation as shown, only for named questions in on-record sessions. */
    authorName: text("author_name"),
    authorAffiliation: text("author_affiliation"),
    origin: text("origin", { enum: ["room", "remote"] }).notNull(),
    text: text("text").notNull(),
    /** The asker's words when a moderator edited them. */
    originalText: text("original_text"),
    status: text("status", { enum: questionStatusValues }).notNull().default("pending"),
    dismissReason: text("dismiss_reason"),
    starred: boolean("starred").notNull().default(false),
    tags: jsonb("tags").$type<string[]>().notNull().default([]),
    routedTo: uuid("routed_to").references(() => users.id, { onDelete: "set null" }),
    mergedInto: uuid("merged_into"),
    panelOrder: doublePrecision("panel_order").notNull().default(0),
    voteCount: integer("vote_count").notNull().default(0),
    clientKey: text("client_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    answeredAt: timestamp("answered_at", { withTimezone: true }),
    version: integer("version").notNull().default(1),
    /** The session's Q&A version at this question's last change. */
    seq: bigint("seq", { mode: "number" }).notNull(),
    /**
     * The session's Q&A version at which the audience (and panelists) could first see this question
     * (approved); null while it never could. Undo does not reset it: once shown, a question was public,
     * so a reconnecting client may be told to drop it, and a question never shown is never named.
     */
    publishedSeq: bigint("published_seq", { mode: "number" }),
  },
  (t) => [
    index("questions_session_status_idx").on(t.sessionId, t.status),
    index("questions_session_seq_idx").on(t.sessionId, t.seq),
    index("questions_author_id_idx").on(t.authorId),
    index("questions_merged_into_idx").on(t.mergedInto),
    uniqueIndex("questions_author_key_unique").on(t.sessionId, t.authorId, t.clientKey),
    check("questions_status_valid", sql`${t.status} IN ('pending','approved','answered','dismissed','merged')`),
    check("questions_origin_valid", sql`${t.origin} IN ('room','remote')`),
    check("questions_text_length", sql`char_length(${t.text}) BETWEEN 3 AND 500`),
    // The Rule in the database: a Chatham House question is anonymous and carries no name or affiliation.
    check(
      "questions_chatham_house_anonymous",
      sql`NOT (${t.chatham} AND (NOT ${t.anonymous} OR ${t.authorName} IS NOT NULL OR ${t.authorAffiliation} IS NOT NULL))`,
    ),
    check("questions_anonymous_unnamed", sql`NOT (${t.anonymous} AND (${t.authorName} IS NOT NULL OR ${t.authorAffiliation} IS NOT NULL))`),
    check("questions_merged_has_target", sql`(${t.status} = 'merged') = (${t.mergedInto} IS NOT NULL)`),
  ],
);
export type QuestionRow = typeof questions.$inferSelect;
export type NewQuestionRow = typeof questions.$inferInsert;

/** One vote per person per question. The voter link of a Chatham House session is erased when it ends. */
export const questionVotes = pgTable(
  "question_votes",
  {
    questionId: uuid("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    voterId: uuid("voter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // The question's session, for reading one person's votes in a session without a join. No foreign
    // key and no index of its own: the question's key already ties the vote to that session (and
    // erasure finds a session's votes through its questions), and each cost a vote batch's statement
    // a tenth or more (docs/benchmarks.md).
    sessionId: uuid("session_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.questionId, t.voterId] }), index("question_votes_voter_idx").on(t.voterId)],
);

/**
 * Moderation actions: the undo stack of each moderator and the idempotency record of their commands
 * (a resent key gets the stored result). Actors here are staff, never audience members.
 */
export const qaActions = pgTable(
  "qa_actions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    actorId: uuid("actor_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clientKey: text("client_key").notNull(),
    kind: text("kind").notNull(),
    /** What undo restores: fields of each touched question (with the version the action left) and the stage. */
    undo: jsonb("undo"),
    result: jsonb("result").notNull(),
    undoneAt: timestamp("undone_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("qa_actions_actor_key_unique").on(t.actorId, t.clientKey), index("qa_actions_session_actor_idx").on(t.sessionId, t.actorId, t.id)],
);
export type QaActionRow = typeof qaActions.$inferSelect;
