import { and, asc, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { pgArray } from "../../db/pg-array";
import {
  pollOptions,
  pollResponses,
  polls,
  pollSessionVersions,
  sessions,
  type NewPollRow,
  type PollOptionRow,
  type PollResponseRow,
  type PollRow,
  type SessionRow,
} from "../../db/schema";
import type { AnswerGroup, StoredAnswer } from "./rules";
import { isSlug } from "../../lib/text";

/** A transaction or the database itself. */
type Db = Pick<Database, "select" | "insert" | "update" | "delete" | "execute">;

export async function insertPoll(tx: Db, row: NewPollRow, labels: string[]): Promise<{ poll: PollRow; options: PollOptionRow[] } | undefined> {
  const [poll] = await tx
    .insert(polls)
    .values(row)
    .onConflictDoNothing({ target: [polls.sessionId, polls.clientKey] })
    .returning();
  if (!poll) return undefined;
  const options = labels.length
    ? await tx
        .insert(pollOptions)
        .values(labels.map((label, position) => ({ pollId: poll.id, position, label })))
        .returning()
    : [];
  return { poll, options };
}

export async function findPollByClientKey(db: Db, sessionId: string, clientKey: string): Promise<PollRow | undefined> {
  const [row] = await db
    .select()
    .from(polls)
    .where(and(eq(polls.sessionId, sessionId), eq(polls.clientKey, clientKey)));
  return row;
}

/** Replaces a draft's definition, if it is still a draft at `version`. */
export async function updateDraft(tx: Db, id: string, version: number, changes: Partial<NewPollRow>, labels: string[]): Promise<PollRow | undefined> {
  const [row] = await tx
    .update(polls)
    .set({ ...changes, version: version + 1 })
    .where(and(eq(polls.id, id), eq(polls.version, version), eq(polls.status, "draft")))
    .returning();
  if (!row) return undefined;
  await tx.delete(pollOptions).where(eq(pollOptions.pollId, id));
  if (labels.length) await tx.insert(pollOptions).values(labels.map((label, position) => ({ pollId: id, position, label })));
  return row;
}

export async function deleteDraft(tx: Db, id: string): Promise<PollRow | undefined> {
  const [row] = await tx
    .delete(polls)
    .where(and(eq(polls.id, id), eq(polls.status, "draft")))
    .returning();
  return row;
}

/** Moves a poll between states only from the states given: the database decides who wins a race. */
export async function transition(tx: Db, id: string, from: PollRow["status"][], set: Partial<NewPollRow>): Promise<PollRow | undefined> {
  const [row] = await tx
    .update(polls)
    .set({ ...set, version: sql`${polls.version} + 1` })
    .where(and(eq(polls.id, id), inArray(polls.status, from)))
    .returning();
  return row;
}

export async function publish(tx: Db, id: string, at: Date): Promise<PollRow | undefined> {
  const [row] = await tx
    .update(polls)
    .set({ publishedAt: at, version: sql`${polls.version} + 1` })
    .where(and(eq(polls.id, id), inArray(polls.status, ["open", "closed"]), sql`${polls.publishedAt} IS NULL`))
    .returning();
  return row;
}

export async function bumpSessionVersion(tx: Db, sessionId: string): Promise<number> {
  const [row] = await tx
    .insert(pollSessionVersions)
    .values({ sessionId, version: 1 })
    .onConflictDoUpdate({ target: pollSessionVersions.sessionId, set: { version: sql`${pollSessionVersions.version} + 1` } })
    .returning({ version: pollSessionVersions.version });
  return row.version;
}

export async function sessionVersion(db: Db, sessionId: string): Promise<number> {
  const [row] = await db.select({ version: pollSessionVersions.version }).from(pollSessionVersions).where(eq(pollSessionVersions.sessionId, sessionId));
  return row?.version ?? 0;
}

export async function findPoll(db: Db, id: string): Promise<PollRow | undefined> {
  const [row] = await db.select().from(polls).where(eq(polls.id, id));
  return row;
}

export async function findPollWithSession(db: Db, id: string): Promise<{ poll: PollRow; session: SessionRow } | undefined> {
  const [row] = await db.select({ poll: polls, session: sessions }).from(polls).innerJoin(sessions, eq(sessions.id, polls.sessionId)).where(eq(polls.id, id));
  return row;
}

export async function listPolls(db: Db, sessionId: string): Promise<PollRow[]> {
  return db.select().from(polls).where(eq(polls.sessionId, sessionId)).orderBy(asc(polls.createdAt), asc(polls.id));
}

export async function listOptions(db: Db, pollIds: string[]): Promise<PollOptionRow[]> {
  if (pollIds.length === 0) return [];
  return db.select().from(pollOptions).where(inArray(pollOptions.pollId, pollIds)).orderBy(asc(pollOptions.position));
}

/** One person's answer to a poll, to be written. */
export interface AnswerWrite {
  voterId: string;
  answer: StoredAnswer;
  at: Date;
}

/**
 * Answers of several people to one poll, in one statement (each person at most once): written only
 * if the poll is open and its timer had not run out at the answer's time; returns what was written,
 * by voter (nobody, if the poll is not open). The share lock on the poll row makes a close (which
 * takes the row exclusively) wait for answers in flight, and answers after it see it closed. A second
 * answer from the same person (another tab, a change of mind) replaces the first: unique (poll_id,
 * voter_id).
 */
export async function answersIfOpen(db: Db, pollId: string, writes: AnswerWrite[]): Promise<Map<string, { seq: number; answeredAt: Date }>> {
  // Option ids were checked against the poll's own (uuid) ids before they get here.
  const row = (w: AnswerWrite) =>
    sql`(${w.voterId}::uuid, ${w.answer.optionIds ? pgArray(w.answer.optionIds) : null}::uuid[], ${w.answer.rating}::smallint, ${w.answer.word}::text, ${w.at.toISOString()}::timestamptz)`;
  const res = await db.execute(sql`
    INSERT INTO ${pollResponses} (poll_id, voter_id, option_ids, rating, word, answered_at)
    SELECT ${polls.id}, v.voter_id, v.option_ids, v.rating, v.word, v.answered_at
      FROM ${polls}, (VALUES ${sql.join(writes.map(row), sql`, `)}) AS v (voter_id, option_ids, rating, word, answered_at)
     WHERE ${polls.id} = ${pollId}::uuid AND ${polls.status} = 'open' AND (${polls.closesAt} IS NULL OR ${polls.closesAt} > v.answered_at)
       FOR SHARE OF ${polls}
    ON CONFLICT (poll_id, voter_id) DO UPDATE
       SET option_ids = excluded.option_ids, rating = excluded.rating, word = excluded.word, answered_at = excluded.answered_at,
           seq = nextval(pg_get_serial_sequence('poll_responses', 'seq'))
    RETURNING voter_id, seq, answered_at`);
  const rows = (res as { rows: Array<{ voter_id: string; seq: string | number; answered_at: string | Date }> }).rows;
  return new Map(rows.map((r) => [r.voter_id, { seq: Number(r.seq), answeredAt: new Date(r.answered_at) }]));
}

/** Identical answers grouped and counted by the database, and the highest write sequence seen. */
export async function answerGroups(db: Db, pollId: string): Promise<{ groups: AnswerGroup[]; seq: number }> {
  const rows = await db
    .select({
      optionIds: pollResponses.optionIds,
      rating: pollResponses.rating,
      word: pollResponses.word,
      n: sql<number>`count(*)::int`,
      seq: sql<number>`max(${pollResponses.seq})::float8`,
    })
    .from(pollResponses)
    .where(eq(pollResponses.pollId, pollId))
    .groupBy(pollResponses.optionIds, pollResponses.rating, pollResponses.word);
  return {
    groups: rows.map((r) => ({ optionIds: r.optionIds, rating: r.rating, word: r.word, n: Number(r.n) })),
    seq: rows.reduce((m, r) => Math.max(m, Number(r.seq)), 0),
  };
}

/** One person's stored answer to a poll, as their own snapshot shows it. */
export type OwnResponse = Pick<PollResponseRow, "pollId" | "optionIds" | "rating" | "word" | "answeredAt">;

/** Several people's answers to a session's polls, in one statement (a batch of syncs), by voter. */
export async function responsesOf(db: Db, sessionId: string, voterIds: string[]): Promise<Map<string, OwnResponse[]>> {
  const byVoter = new Map<string, OwnResponse[]>();
  if (voterIds.length === 0) return byVoter;
  const rows = await db
    .select({
      voterId: pollResponses.voterId,
      pollId: pollResponses.pollId,
      optionIds: pollResponses.optionIds,
      rating: pollResponses.rating,
      word: pollResponses.word,
      answeredAt: pollResponses.answeredAt,
    })
    .from(pollResponses)
    .innerJoin(polls, eq(polls.id, pollResponses.pollId))
    .where(and(eq(polls.sessionId, sessionId), inArray(pollResponses.voterId, voterIds)));
  for (const { voterId, ...r } of rows) {
    if (voterId === null) continue;
    const list = byVoter.get(voterId);
    if (list) list.push(r);
    else byVoter.set(voterId, [r]);
  }
  return byVoter;
}

/** Open polls whose timer has run out. */
export async function duePolls(db: Db, now: Date): Promise<PollRow[]> {
  return db
    .select()
    .from(polls)
    .where(and(eq(polls.status, "open"), isNotNull(polls.closesAt), lte(polls.closesAt, now)));
}

/** Closes a due poll only if it is still open and still due: with two instances, one wins. */
export async function closeIfDue(tx: Db, id: string, now: Date): Promise<PollRow | undefined> {
  const [row] = await tx
    .update(polls)
    .set({ status: "closed", closedAt: sql`${polls.closesAt}`, closesAt: null, version: sql`${polls.version} + 1` })
    .where(and(eq(polls.id, id), eq(polls.status, "open"), isNotNull(polls.closesAt), lte(polls.closesAt, now)))
    .returning();
  return row;
}

const endedChathamSessions = (now: Date) =>
  sql`SELECT ${sessions.id} FROM ${sessions} WHERE ${sessions.rule} = 'chatham_house' AND ${sessions.endsAt} <= ${now.toISOString()}::timestamptz`;

/** Open polls of Chatham House sessions that have ended: they close before the links are erased. */
export async function closeOpenInEndedChatham(tx: Db, now: Date): Promise<PollRow[]> {
  return tx
    .update(polls)
    .set({ status: "closed", closedAt: now, closesAt: null, version: sql`${polls.version} + 1` })
    .where(and(eq(polls.status, "open"), sql`${polls.sessionId} IN (${endedChathamSessions(now)})`))
    .returning();
}

/** Erases the link between people and answers in ended Chatham House sessions; totals stay. */
export async function eraseVoterLinks(tx: Db, now: Date): Promise<number> {
  const rows = await tx
    .update(pollResponses)
    .set({ voterId: null })
    .where(
      and(
        isNotNull(pollResponses.voterId),
        sql`${pollResponses.pollId} IN (SELECT ${polls.id} FROM ${polls} WHERE ${polls.sessionId} IN (${endedChathamSessions(now)}))`,
      ),
    )
    .returning({ seq: pollResponses.seq });
  return rows.length;
}

export async function findSessionBySlug(db: Db, slug: string): Promise<SessionRow | undefined> {
  // Not a slug (a stray NUL, a path): no such session, without asking the database, which cannot store U+0000.
  if (!isSlug(slug)) return undefined;
  const [row] = await db.select().from(sessions).where(eq(sessions.slug, slug));
  return row;
}
