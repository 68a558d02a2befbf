import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { sessions } from "./schema";

// ── Live captions (server/captions) ─────────────────────────────────────────────────────────────────

/**
 * One caption feed per session that ever had one: the ingest URL's generation (its secret is derived
 * from the server's secret, the session and this number, so nothing that opens the URL is stored;
 * rotating bumps it and the old URL stops at once), the feed's health and whether its WebVTT is public.
 * Holds no caption text, so it is kept for Chatham House sessions too.
 */
export const captionFeeds = pgTable("caption_feeds", {
  sessionId: uuid("session_id")
    .primaryKey()
    .references(() => sessions.id, { onDelete: "cascade" }),
  generation: integer("generation").notNull().default(1),
  /** The last caption accepted on any track; null until a captioner first sends one. */
  lastCaptionAt: timestamp("last_caption_at", { withTimezone: true }),
  /** No caption for the feed's quiet limit (30 s) while the session runs: viewers are told. */
  stalled: boolean("stalled").notNull().default(false),
  /** Organizers publish a recorded session's WebVTT to everyone. */
  vttPublished: boolean("vtt_published").notNull().default(false),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type CaptionFeedRow = typeof captionFeeds.$inferSelect;
export type NewCaptionFeedRow = typeof captionFeeds.$inferInsert;

/**
 * One caption track per session and language: the last accepted seq and the recent ones, so a
 * captioner's retry (same seq) is acknowledged and not shown twice on whichever instance it lands.
 * Sequence numbers only, never text.
 */
export const captionTracks = pgTable(
  "caption_tracks",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    lang: text("lang").notNull(),
    lastSeq: integer("last_seq").notNull(),
    /** The most recently accepted seqs (at most CAPTION_SEQ_WINDOW), for telling retries from new captions. */
    recentSeqs: integer("recent_seqs")
      .array()
      .notNull()
      .default(sql`'{}'::integer[]`),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.lang] }), check("caption_tracks_seq_valid", sql`${t.lastSeq} >= 0`)],
);
export type CaptionTrackRow = typeof captionTracks.$inferSelect;

/**
 * Caption text, kept only for on-record sessions whose recording is allowed (the WebVTT download).
 * The one insert (server/captions/queries.ts insertCue) is given the session row and refuses any
 * session that is Chatham House or may not be recorded, whoever calls it.
 */
export const captionCues = pgTable(
  "caption_cues",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    lang: text("lang").notNull(),
    seq: integer("seq").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    text: text("text").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.lang, t.seq] }), index("caption_cues_session_id_idx").on(t.sessionId, t.lang, t.at)],
);
export type CaptionCueRow = typeof captionCues.$inferSelect;
