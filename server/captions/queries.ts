/** The only file of server/captions that touches drizzle. */
import { and, asc, eq, gte, isNotNull, lt, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  captionCues,
  captionFeeds,
  captionTracks,
  recordingFiles,
  sessions,
  streamRecordings,
  type CaptionCueRow,
  type CaptionFeedRow,
  type CaptionTrackRow,
  type RecordingFileRow,
  type SessionRow,
} from "../../db/schema";
import { OVERRUN_MS } from "../../lib/streaming";

type Db = Pick<Database, "select" | "selectDistinct" | "insert" | "update" | "delete" | "execute">;

/** How many recently accepted seqs a track remembers to recognise retries. */
export const CAPTION_SEQ_WINDOW = 64;

export async function findFeed(db: Db, sessionId: string): Promise<CaptionFeedRow | undefined> {
  const [row] = await db.select().from(captionFeeds).where(eq(captionFeeds.sessionId, sessionId));
  return row;
}

export async function ensureFeed(db: Db, sessionId: string): Promise<CaptionFeedRow> {
  await db.insert(captionFeeds).values({ sessionId }).onConflictDoNothing();
  return (await findFeed(db, sessionId))!;
}

/** A new ingest secret generation: the previous URL stops working with this statement. */
export async function bumpGeneration(db: Db, sessionId: string, now: Date): Promise<CaptionFeedRow> {
  const [row] = await db
    .insert(captionFeeds)
    .values({ sessionId, generation: 2, updatedAt: now })
    .onConflictDoUpdate({ target: captionFeeds.sessionId, set: { generation: sql`${captionFeeds.generation} + 1`, updatedAt: now } })
    .returning();
  return row;
}

export async function setPublished(db: Db, sessionId: string, published: boolean, now: Date): Promise<CaptionFeedRow> {
  const [row] = await db
    .insert(captionFeeds)
    .values({ sessionId, vttPublished: published, updatedAt: now })
    .onConflictDoUpdate({ target: captionFeeds.sessionId, set: { vttPublished: published, updatedAt: now } })
    .returning();
  return row;
}

export async function listTracks(db: Db, sessionId: string): Promise<CaptionTrackRow[]> {
  return db.select().from(captionTracks).where(eq(captionTracks.sessionId, sessionId)).orderBy(asc(captionTracks.lang));
}

export async function findTrack(db: Db, sessionId: string, lang: string): Promise<CaptionTrackRow | undefined> {
  const [row] = await db
    .select()
    .from(captionTracks)
    .where(and(eq(captionTracks.sessionId, sessionId), eq(captionTracks.lang, lang)));
  return row;
}

/**
 * The track's row, locked until the transaction ends, so two deliveries of the same seq (a retry
 * racing its original, on any instance) are decided one after the other.
 */
export async function lockTrack(db: Db, sessionId: string, lang: string): Promise<CaptionTrackRow | undefined> {
  const [row] = await db
    .select()
    .from(captionTracks)
    .where(and(eq(captionTracks.sessionId, sessionId), eq(captionTracks.lang, lang)))
    .for("update");
  return row;
}

/** Creates the track with its first seq; false when another delivery created it first. */
export async function insertTrack(db: Db, sessionId: string, lang: string, seq: number, now: Date): Promise<boolean> {
  const rows = await db
    .insert(captionTracks)
    .values({ sessionId, lang, lastSeq: seq, recentSeqs: [seq], lastAt: now })
    .onConflictDoNothing()
    .returning({ lang: captionTracks.lang });
  return rows.length > 0;
}

export async function updateTrack(db: Db, sessionId: string, lang: string, lastSeq: number, recentSeqs: number[], now: Date): Promise<void> {
  await db
    .update(captionTracks)
    .set({ lastSeq, recentSeqs, lastAt: now })
    .where(and(eq(captionTracks.sessionId, sessionId), eq(captionTracks.lang, lang)));
}

/** Notes a caption on the feed; returns whether the feed was idle or stalled before (so a state change is announced). */
export async function noteCaption(db: Db, sessionId: string, now: Date): Promise<{ wasIdle: boolean; wasStalled: boolean }> {
  const before = await db.select().from(captionFeeds).where(eq(captionFeeds.sessionId, sessionId)).for("update");
  const row = before[0];
  if (!row) {
    await db.insert(captionFeeds).values({ sessionId, lastCaptionAt: now, updatedAt: now }).onConflictDoNothing();
    return { wasIdle: true, wasStalled: false };
  }
  await db.update(captionFeeds).set({ lastCaptionAt: now, stalled: false, updatedAt: now }).where(eq(captionFeeds.sessionId, sessionId));
  return { wasIdle: row.lastCaptionAt === null, wasStalled: row.stalled };
}

/**
 * Marks as stalled every feed that had a captioner, has been quiet since `quietSince` and whose session
 * is still within its window; returns those sessions. One UPDATE, so when several instances sweep
 * together each feed is claimed (and announced) once.
 */
export async function markStalled(db: Db, now: Date, quietSince: Date): Promise<SessionRow[]> {
  const claimed = await db
    .update(captionFeeds)
    .set({ stalled: true, updatedAt: now })
    .where(
      and(
        eq(captionFeeds.stalled, false),
        isNotNull(captionFeeds.lastCaptionAt),
        lt(captionFeeds.lastCaptionAt, quietSince),
        sql`exists (select 1 from ${sessions} where ${sessions.id} = ${captionFeeds.sessionId} and ${sessions.endsAt} + make_interval(secs => ${OVERRUN_MS / 1000}) > ${now.toISOString()}::timestamptz)`,
      ),
    )
    .returning({ sessionId: captionFeeds.sessionId });
  if (claimed.length === 0) return [];
  const out: SessionRow[] = [];
  for (const { sessionId } of claimed) {
    const [s] = await db.select().from(sessions).where(eq(sessions.id, sessionId));
    if (s) out.push(s);
  }
  return out;
}

/**
 * The one write of caption text. It refuses, whoever calls it, a session that is held under the
 * Chatham House Rule or may not be recorded: those keep no captions at all.
 */
export async function insertCue(db: Db, session: SessionRow, cue: { lang: string; seq: number; at: Date; text: string }): Promise<void> {
  if (session.rule !== "on_record" || !session.recordingAllowed) throw new Error("caption cues are kept only for on-record sessions that may be recorded");
  await db
    .insert(captionCues)
    .values({ sessionId: session.id, ...cue })
    .onConflictDoNothing();
}

/** A track's cues in seq order; with `window`, only those sent while a recording ran. */
export async function listCues(db: Db, sessionId: string, lang: string, window?: CueWindow): Promise<CaptionCueRow[]> {
  return db
    .select()
    .from(captionCues)
    .where(and(eq(captionCues.sessionId, sessionId), eq(captionCues.lang, lang), ...inWindow(window)))
    .orderBy(asc(captionCues.seq));
}

export type CueWindow = { from: Date; to: Date | null };

function inWindow(window?: CueWindow) {
  if (!window) return [];
  return [gte(captionCues.at, window.from), ...(window.to ? [lte(captionCues.at, window.to)] : [])];
}

/** The languages with cues in the window (a recording's captions tracks). */
export async function cueLanguages(db: Db, sessionId: string, window: CueWindow): Promise<string[]> {
  const rows = await db
    .selectDistinct({ lang: captionCues.lang })
    .from(captionCues)
    .where(and(eq(captionCues.sessionId, sessionId), ...inWindow(window)))
    .orderBy(asc(captionCues.lang));
  return rows.map((r) => r.lang);
}

/** One recording of this session, for the window its captions are cut to and timed from. */
export async function findRecording(db: Db, sessionId: string, id: string): Promise<RecordingFileRow | undefined> {
  const [row] = await db
    .select()
    .from(recordingFiles)
    .where(and(eq(recordingFiles.sessionId, sessionId), eq(recordingFiles.id, id)));
  return row;
}

/** The first recording's start, if the session was recorded: the WebVTT is timed against it then. */
export async function firstRecordingStart(db: Db, sessionId: string): Promise<Date | null> {
  const [row] = await db
    .select({ startedAt: streamRecordings.startedAt })
    .from(streamRecordings)
    .where(eq(streamRecordings.sessionId, sessionId))
    .orderBy(asc(streamRecordings.startedAt))
    .limit(1);
  return row?.startedAt ?? null;
}
