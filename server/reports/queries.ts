/** The only file of server/reports that touches drizzle: counts per session, attendance samples, feedback. */
import { and, asc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  attendanceSamples,
  captionFeeds,
  feedbackQuestions,
  feedbackReceipts,
  pollResponses,
  polls,
  questions,
  sessionFeedback,
  sessionStreams,
  streamAttendance,
  streamRecordings,
  qaSessions,
  type QuestionRow,
} from "../../db/schema";

type Db = Database;

export interface QuestionTotals {
  asked: number;
  approved: number;
  answered: number;
  dismissed: number;
  pending: number;
  votes: number;
}

const zeroTotals = (): QuestionTotals => ({ asked: 0, approved: 0, answered: 0, dismissed: 0, pending: 0, votes: 0 });

/** Question totals per session. "Approved" counts every question the audience could see at some point (answered ones too). */
export async function questionTotals(db: Db): Promise<Map<string, QuestionTotals>> {
  const rows = await db
    .select({
      sessionId: questions.sessionId,
      asked: sql<number>`count(*)::int`,
      approved: sql<number>`count(*) filter (where ${questions.publishedSeq} is not null)::int`,
      answered: sql<number>`count(*) filter (where ${questions.status} = 'answered')::int`,
      dismissed: sql<number>`count(*) filter (where ${questions.status} = 'dismissed')::int`,
      pending: sql<number>`count(*) filter (where ${questions.status} = 'pending')::int`,
      votes: sql<number>`coalesce(sum(${questions.voteCount}), 0)::int`,
    })
    .from(questions)
    .groupBy(questions.sessionId);
  const out = new Map<string, QuestionTotals>();
  for (const r of rows) out.set(r.sessionId, { ...zeroTotals(), ...r });
  return out;
}

export function totalsOf(map: Map<string, QuestionTotals>, sessionId: string): QuestionTotals {
  return map.get(sessionId) ?? zeroTotals();
}

/** Poll answers per session (one per person and poll), and how many polls were launched. */
export async function pollTotals(db: Db): Promise<Map<string, { answers: number; polls: number }>> {
  const answers = await db
    .select({ sessionId: polls.sessionId, n: sql<number>`count(${pollResponses.seq})::int`, polls: sql<number>`count(distinct ${polls.id})::int` })
    .from(polls)
    .leftJoin(pollResponses, eq(pollResponses.pollId, polls.id))
    .where(sql`${polls.status} <> 'draft'`)
    .groupBy(polls.sessionId);
  return new Map(answers.map((r) => [r.sessionId, { answers: r.n, polls: r.polls }]));
}

export async function sessionQuestions(db: Db, sessionId: string): Promise<QuestionRow[]> {
  return db.select().from(questions).where(eq(questions.sessionId, sessionId)).orderBy(asc(questions.createdAt), asc(questions.id));
}

// ── Attendance samples ──────────────────────────────────────────────────────────────────────────

export interface SampleWrite {
  sessionId: string;
  inRoom: number;
  remote: number;
  stream: number;
}

/** This instance's counts for the bucket: the latest values, and the largest seen within it. */
export async function writeSamples(db: Db, instanceId: string, at: Date, now: Date, samples: SampleWrite[]): Promise<void> {
  if (samples.length === 0) return;
  await db
    .insert(attendanceSamples)
    .values(
      samples.map((s) => ({
        sessionId: s.sessionId,
        instanceId,
        at,
        inRoom: s.inRoom,
        remote: s.remote,
        stream: s.stream,
        inRoomPeak: s.inRoom,
        remotePeak: s.remote,
        streamPeak: s.stream,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [attendanceSamples.sessionId, attendanceSamples.instanceId, attendanceSamples.at],
      set: {
        inRoom: sql`excluded.in_room`,
        remote: sql`excluded.remote`,
        stream: sql`excluded.stream`,
        inRoomPeak: sql`greatest(${attendanceSamples.inRoomPeak}, excluded.in_room)`,
        remotePeak: sql`greatest(${attendanceSamples.remotePeak}, excluded.remote)`,
        streamPeak: sql`greatest(${attendanceSamples.streamPeak}, excluded.stream)`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

export interface LiveCounts {
  inRoom: number;
  remote: number;
  stream: number;
}

/**
 * Who is there now, per session: each instance's latest row written since `freshSince` (an instance
 * that stopped writing counts for nobody), summed over instances; stream viewers the largest any
 * instance saw, since they all read the same webhook rows.
 */
export async function liveCounts(db: Db, freshSince: Date): Promise<Map<string, LiveCounts>> {
  type Row = { session_id: string; in_room: number; remote: number; stream: number };
  const rows = await db.execute(sql`
    select session_id, sum(in_room)::int as in_room, sum(remote)::int as remote, max(stream)::int as stream
    from (
      select distinct on (session_id, instance_id) session_id, instance_id, in_room, remote, stream
      from ${attendanceSamples}
      where updated_at >= ${freshSince.toISOString()}
      order by session_id, instance_id, at desc
    ) latest
    group by session_id`);
  return new Map(rowsOf<Row>(rows).map((r) => [r.session_id, { inRoom: Number(r.in_room), remote: Number(r.remote), stream: Number(r.stream) }]));
}

export interface SeriesPoint {
  at: Date;
  inRoom: number;
  remote: number;
  stream: number;
}

/** Attendance over time per session: per bucket, the peaks summed over instances (stream: the largest). */
export async function attendanceSeries(db: Db, sessionIds?: string[]): Promise<Map<string, SeriesPoint[]>> {
  const rows = await db
    .select({
      sessionId: attendanceSamples.sessionId,
      at: attendanceSamples.at,
      inRoom: sql<number>`sum(${attendanceSamples.inRoomPeak})::int`,
      remote: sql<number>`sum(${attendanceSamples.remotePeak})::int`,
      stream: sql<number>`max(${attendanceSamples.streamPeak})::int`,
    })
    .from(attendanceSamples)
    .where(sessionIds ? inArray(attendanceSamples.sessionId, sessionIds) : undefined)
    .groupBy(attendanceSamples.sessionId, attendanceSamples.at)
    .orderBy(asc(attendanceSamples.at));
  const out = new Map<string, SeriesPoint[]>();
  for (const r of rows) {
    if (!out.has(r.sessionId)) out.set(r.sessionId, []);
    out.get(r.sessionId)!.push({ at: new Date(r.at), inRoom: Number(r.inRoom), remote: Number(r.remote), stream: Number(r.stream) });
  }
  return out;
}

export function peaksOf(points: SeriesPoint[] | undefined): LiveCounts & { total: number } {
  const p = { inRoom: 0, remote: 0, stream: 0, total: 0 };
  for (const s of points ?? []) {
    p.inRoom = Math.max(p.inRoom, s.inRoom);
    p.remote = Math.max(p.remote, s.remote);
    p.stream = Math.max(p.stream, s.stream);
    p.total = Math.max(p.total, s.inRoom + s.remote + s.stream);
  }
  return p;
}

/** Remote viewers connected to each session's LiveKit room now (webhook rows, shared by every instance). */
export async function streamViewersNow(db: Db, sessionIds: string[]): Promise<Map<string, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .select({ sessionId: streamAttendance.sessionId, n: sql<number>`count(*)::int` })
    .from(streamAttendance)
    .where(
      and(
        inArray(streamAttendance.sessionId, sessionIds),
        isNull(streamAttendance.leftAt),
        isNotNull(streamAttendance.joinedAt),
        eq(streamAttendance.role, "viewer"),
      ),
    )
    .groupBy(streamAttendance.sessionId);
  return new Map(rows.map((r) => [r.sessionId, Number(r.n)]));
}

// ── Live state ──────────────────────────────────────────────────────────────────────────────────

export interface LiveState {
  streamState: Map<string, "idle" | "live" | "ended">;
  recording: Set<string>;
  intakePaused: Set<string>;
  /** Sessions with a caption feed, and its state (the rule of CaptionService.feed). */
  captions: Map<string, "idle" | "live" | "stalled">;
}

export async function liveState(db: Db): Promise<LiveState> {
  const [streams, recs, qa, feeds] = await Promise.all([
    db.select({ sessionId: sessionStreams.sessionId, state: sessionStreams.state }).from(sessionStreams),
    db.selectDistinct({ sessionId: streamRecordings.sessionId }).from(streamRecordings).where(eq(streamRecordings.status, "active")),
    db.select({ sessionId: qaSessions.sessionId }).from(qaSessions).where(eq(qaSessions.intakePaused, true)),
    db.select({ sessionId: captionFeeds.sessionId, lastCaptionAt: captionFeeds.lastCaptionAt, stalled: captionFeeds.stalled }).from(captionFeeds),
  ]);
  return {
    streamState: new Map(streams.map((s) => [s.sessionId, s.state])),
    recording: new Set(recs.map((r) => r.sessionId)),
    intakePaused: new Set(qa.map((r) => r.sessionId)),
    captions: new Map(feeds.map((f) => [f.sessionId, !f.lastCaptionAt ? "idle" : f.stalled ? "stalled" : "live"])),
  };
}

// ── Feedback ────────────────────────────────────────────────────────────────────────────────────

export async function feedbackTotals(db: Db): Promise<Map<string, { count: number; sum: number }>> {
  const rows = await db
    .select({ sessionId: sessionFeedback.sessionId, count: sql<number>`count(*)::int`, sum: sql<number>`coalesce(sum(${sessionFeedback.rating}), 0)::int` })
    .from(sessionFeedback)
    .groupBy(sessionFeedback.sessionId);
  return new Map(rows.map((r) => [r.sessionId, { count: Number(r.count), sum: Number(r.sum) }]));
}

function rowsOf<T>(result: unknown): T[] {
  // node-postgres answers { rows }, PGlite's drizzle driver { rows } too; be tolerant of a bare array.
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}

export async function listFeedbackQuestions(db: Db, eventId: string): Promise<Array<{ id: string; text: string }>> {
  return db
    .select({ id: feedbackQuestions.id, text: feedbackQuestions.text })
    .from(feedbackQuestions)
    .where(eq(feedbackQuestions.eventId, eventId))
    .orderBy(asc(feedbackQuestions.position));
}

/** Replaces the event's extra questions (answers keep pointing at the old ids, which the export no longer lists). */
export async function replaceFeedbackQuestions(db: Db, eventId: string, texts: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(feedbackQuestions).where(eq(feedbackQuestions.eventId, eventId));
    if (texts.length) await tx.insert(feedbackQuestions).values(texts.map((text, i) => ({ eventId, position: i + 1, text })));
  });
}

export async function hasFeedbackReceipt(db: Db, sessionId: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql`1` })
    .from(feedbackReceipts)
    .where(and(eq(feedbackReceipts.sessionId, sessionId), eq(feedbackReceipts.userId, userId)))
    .limit(1);
  return rows.length > 0;
}

/**
 * The receipt (who answered) and the answer (what) in one transaction, in two tables nothing joins:
 * false when this person had already answered (nothing is written then).
 */
export async function insertFeedback(
  db: Db,
  receipt: { sessionId: string; userId: string },
  answer: { rating: number; comment: string | null; answers: Record<string, string> },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx.insert(feedbackReceipts).values(receipt).onConflictDoNothing().returning({ sessionId: feedbackReceipts.sessionId });
    if (inserted.length === 0) return false;
    await tx.insert(sessionFeedback).values({ sessionId: receipt.sessionId, ...answer });
    return true;
  });
}

export async function feedbackComments(
  db: Db,
  sessionIds: string[],
): Promise<Array<{ sessionId: string; rating: number; comment: string | null; answers: Record<string, string> }>> {
  if (sessionIds.length === 0) return [];
  // Ordered by text, not by insertion: the order of answers says nothing about when (or by whom) they came.
  return db
    .select({ sessionId: sessionFeedback.sessionId, rating: sessionFeedback.rating, comment: sessionFeedback.comment, answers: sessionFeedback.answers })
    .from(sessionFeedback)
    .where(inArray(sessionFeedback.sessionId, sessionIds))
    .orderBy(asc(sessionFeedback.sessionId), asc(sessionFeedback.comment), asc(sessionFeedback.id));
}
