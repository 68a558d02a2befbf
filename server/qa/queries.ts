/** The only file of server/qa that touches drizzle. */
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNotNull, isNull, lte, sql, type SQL } from "drizzle-orm";
import { sessionStamp } from "../agenda/queries";
import type { Database } from "../../db/client";
import { pgArray } from "../../db/pg-array";
import {
  auditLog,
  eventRoles,
  qaActions,
  qaSessions,
  questions,
  questionVotes,
  sessionRoles,
  sessions,
  users,
  type NewQuestionRow,
  type QaActionRow,
  type QaSessionRow,
  type QuestionRow,
} from "../../db/schema";
import type { Panelist, QaCounts, QuestionStatus } from "../../lib/qa";

/** A database handle or an open transaction (drizzle's transaction is a database too). */
export type Db = Database;

/** Rows (or ids) per statement when many are written or read at once (Postgres allows 65,535 parameters). */
const ROWS_PER_STATEMENT = 1000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) out.push(items.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

export async function ensureQaSession(db: Db, sessionId: string): Promise<void> {
  // Look first: an INSERT … ON CONFLICT waits for any open transaction that updated the row (every
  // question and moderation bumps its version), so under a storm each submit would queue for the
  // lock twice. A plain read never waits; the row almost always exists.
  const [found] = await db.select({ id: qaSessions.sessionId }).from(qaSessions).where(eq(qaSessions.sessionId, sessionId));
  if (!found) await db.insert(qaSessions).values({ sessionId }).onConflictDoNothing();
}

export async function getQaSession(db: Db, sessionId: string): Promise<QaSessionRow | undefined> {
  const [row] = await db.select().from(qaSessions).where(eq(qaSessions.sessionId, sessionId));
  return row;
}

/**
 * Takes the session's Q&A row lock for the rest of the transaction and returns the next version,
 * making the row (at version 1) if the session has none yet: one statement either way. With it the
 * session row's stamp (`sessionStamp`), for a command decided on a kept row.
 */
export async function bumpVersion(tx: Db, sessionId: string): Promise<QaSessionRow & { sessionStamp: string }> {
  const now = new Date();
  const [row] = await tx
    .insert(qaSessions)
    .values({ sessionId, version: 1, updatedAt: now })
    .onConflictDoUpdate({ target: qaSessions.sessionId, set: { version: sql`${qaSessions.version} + 1`, updatedAt: now } })
    .returning({ ...getTableColumns(qaSessions), sessionStamp: sessionStamp(qaSessions.sessionId) });
  return row;
}

/** Takes the session's Q&A row lock without a new version (for writes no client needs to see). */
export async function lockQaSession(tx: Db, sessionId: string): Promise<QaSessionRow | undefined> {
  const [row] = await tx.select().from(qaSessions).where(eq(qaSessions.sessionId, sessionId)).for("update");
  return row;
}

export async function setSessionState(
  tx: Db,
  sessionId: string,
  patch: Partial<Pick<QaSessionRow, "onStageQuestionId" | "intakePaused">>,
): Promise<QaSessionRow> {
  const [row] = await tx.update(qaSessions).set(patch).where(eq(qaSessions.sessionId, sessionId)).returning();
  return row;
}

/** A question's columns as written: the panel order may be computed by the writing statement (`nextPanelOrder`). */
type Writable<T> = Omit<T, "panelOrder"> & { panelOrder?: number | SQL<number> };
export type QuestionPatch = Writable<Partial<NewQuestionRow>>;

export async function insertQuestion(tx: Db, values: Writable<NewQuestionRow>): Promise<QuestionRow | undefined> {
  const [row] = await tx.insert(questions).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findQuestionByKey(db: Db, sessionId: string, authorId: string, key: string): Promise<QuestionRow | undefined> {
  const [row] = await db
    .select()
    .from(questions)
    .where(and(eq(questions.sessionId, sessionId), eq(questions.authorId, authorId), eq(questions.clientKey, key)));
  return row;
}

export async function getQuestion(db: Db, sessionId: string, id: string): Promise<QuestionRow | undefined> {
  const [row] = await db
    .select()
    .from(questions)
    .where(and(eq(questions.id, id), eq(questions.sessionId, sessionId)));
  return row;
}

/** The question, locked until the transaction ends (so two moderators are ordered). */
export async function lockQuestion(tx: Db, sessionId: string, id: string): Promise<QuestionRow | undefined> {
  const [row] = await tx
    .select()
    .from(questions)
    .where(and(eq(questions.id, id), eq(questions.sessionId, sessionId)))
    .for("update");
  return row;
}

/**
 * A question locked for a staff command, with the panel order an approval would give it: read under
 * the session's lock (taken first, in the same transaction), so no other approval can take it.
 */
export async function lockForCommand(tx: Db, sessionId: string, id: string): Promise<{ row: QuestionRow; nextPanelOrder: number } | undefined> {
  const [found] = await tx
    .select({ row: questions, nextPanelOrder: nextPanelOrder(sessionId) })
    .from(questions)
    .where(and(eq(questions.id, id), eq(questions.sessionId, sessionId)))
    .for("update");
  return found;
}

/** Sent when called and not read back: for a locked row whose result the caller already knows. */
export function sendQuestionUpdate(tx: Db, id: string, patch: QuestionPatch): Promise<unknown> {
  return tx.update(questions).set(patch).where(eq(questions.id, id)).execute();
}

export async function updateQuestion(tx: Db, id: string, patch: QuestionPatch): Promise<QuestionRow> {
  const [row] = await tx.update(questions).set(patch).where(eq(questions.id, id)).returning();
  return row;
}

/**
 * `async` on purpose, like every list query here: a drizzle query is a thenable that runs again each
 * time it is awaited, while a Promise runs once, so a batch can share one (server/qa/reading.ts).
 */
export async function listQuestions(db: Db, sessionId: string, statuses?: readonly QuestionStatus[]): Promise<QuestionRow[]> {
  return db
    .select()
    .from(questions)
    .where(and(eq(questions.sessionId, sessionId), statuses ? inArray(questions.status, [...statuses]) : undefined))
    .orderBy(asc(questions.createdAt), asc(questions.id));
}

export async function listChangedSince(db: Db, sessionId: string, since: number): Promise<QuestionRow[]> {
  return db
    .select()
    .from(questions)
    .where(and(eq(questions.sessionId, sessionId), gt(questions.seq, since)))
    .orderBy(asc(questions.seq));
}

export async function voteCounts(db: Db, ids: readonly string[]): Promise<Array<[string, number]>> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: questions.id, n: questions.voteCount })
    .from(questions)
    .where(inArray(questions.id, [...ids]));
  return rows.map((r) => [r.id, r.n]);
}

/** The vote counts of every question of a session the audience sees (approved or answered). */
export async function sessionVoteCounts(db: Db, sessionId: string): Promise<Array<[string, number]>> {
  const rows = await db
    .select({ id: questions.id, n: questions.voteCount })
    .from(questions)
    .where(and(eq(questions.sessionId, sessionId), inArray(questions.status, ["approved", "answered"])));
  return rows.map((r) => [r.id, r.n]);
}

/** The questions each of these people asked in a session, oldest first. */
export async function questionsBy(db: Db, sessionId: string, authorIds: readonly string[]): Promise<Map<string, QuestionRow[]>> {
  const out = new Map<string, QuestionRow[]>(authorIds.map((id) => [id, []]));
  for (const part of chunks([...authorIds])) {
    const rows = await db
      .select()
      .from(questions)
      .where(and(eq(questions.sessionId, sessionId), inArray(questions.authorId, part)))
      .orderBy(asc(questions.createdAt));
    for (const r of rows) out.get(r.authorId!)!.push(r);
  }
  return out;
}

export async function textsOf(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: questions.id, text: questions.text })
    .from(questions)
    .where(inArray(questions.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.text]));
}

/** The questions each of these people voted for in a session (a vote on a merged question counts for its target). */
export async function votesOf(db: Db, sessionId: string, voterIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(voterIds.map((id) => [id, []]));
  for (const part of chunks([...voterIds])) {
    const rows = await db
      .selectDistinct({ voter: questionVotes.voterId, id: sql<string>`coalesce(${questions.mergedInto}, ${questions.id})` })
      .from(questionVotes)
      .innerJoin(questions, eq(questions.id, questionVotes.questionId))
      .where(and(eq(questionVotes.sessionId, sessionId), inArray(questionVotes.voterId, part)));
    for (const r of rows) out.get(r.voter)!.push(r.id);
  }
  return out;
}

/** Adds these voters' votes on a question; returns the voters whose vote was new. */
export async function insertVotes(tx: Db, sessionId: string, questionId: string, voterIds: string[]): Promise<Set<string>> {
  const added = new Set<string>();
  for (const part of chunks(voterIds)) {
    const rows = await tx
      .insert(questionVotes)
      .values(part.map((voterId) => ({ questionId, voterId, sessionId })))
      .onConflictDoNothing()
      .returning({ voter: questionVotes.voterId });
    for (const r of rows) added.add(r.voter);
  }
  return added;
}

/**
 * A batch's up-votes on the questions that take votes as themselves (approved, not merged into
 * another), in one statement, which is atomic on its own: it locks those questions (in id order, so
 * two batches never wait on each other crosswise), adds the votes not already there, and adds to each
 * count those whose vote does not already count through a question merged into it — what the
 * general path (lock, insert, look at merged children, add) does in four statements per question. A
 * storm of votes spread over the queue then costs one statement per batch. Returns the new count of
 * each question it took votes for; a question not in that state (gone, answered, merged) is absent,
 * and the caller takes the general path for it, which says why.
 */
export async function upVotesIfApproved(
  db: Db,
  sessionId: string,
  votes: ReadonlyArray<{ questionId: string; voterId: string }>,
): Promise<Map<string, number>> {
  const res = await db.execute(sql`
    WITH input AS (
      SELECT * FROM unnest(${pgArray(votes.map((v) => v.questionId))}::uuid[], ${pgArray(votes.map((v) => v.voterId))}::uuid[]) AS v (question_id, voter_id)
    ), target AS (
      SELECT ${questions.id} AS id FROM ${questions}
       WHERE ${questions.id} IN (SELECT question_id FROM input) AND ${questions.sessionId} = ${sessionId}::uuid
         AND ${questions.status} = 'approved' AND ${questions.mergedInto} IS NULL
       ORDER BY ${questions.id}
         FOR UPDATE
    ), added AS (
      INSERT INTO ${questionVotes} (question_id, voter_id, session_id)
      SELECT i.question_id, i.voter_id, ${sessionId}::uuid FROM input i JOIN target t ON t.id = i.question_id
      ON CONFLICT DO NOTHING
      RETURNING question_id, voter_id
    ), children AS MATERIALIZED (
      -- Usually none: found first, so that the usual batch looks up no voter's other votes.
      SELECT ${questions.id} AS id, ${questions.mergedInto} AS merged_into FROM ${questions}
       WHERE ${questions.mergedInto} IN (SELECT id FROM target)
    ), counted AS (
      SELECT DISTINCT a.question_id, a.voter_id FROM added a
        JOIN children c ON c.merged_into = a.question_id
        JOIN ${questionVotes} qv ON qv.question_id = c.id AND qv.voter_id = a.voter_id
    ), bumped AS (
      UPDATE ${questions} q SET vote_count = q.vote_count
          + (SELECT count(*) FROM added a WHERE a.question_id = q.id)::int
          - (SELECT count(*) FROM counted k WHERE k.question_id = q.id)::int
       WHERE q.id IN (SELECT id FROM target)
      RETURNING q.id, q.vote_count
    )
    SELECT id, vote_count AS votes FROM bumped`);
  return new Map((res as { rows: Array<{ id: string; votes: number }> }).rows.map((r) => [r.id, Number(r.votes)]));
}

/** Removes these voters' votes from a question and from every question merged into it; returns the voters who had one. */
export async function deleteFamilyVotes(tx: Db, targetId: string, voterIds: string[]): Promise<Set<string>> {
  const removed = new Set<string>();
  for (const part of chunks(voterIds)) {
    const rows = await tx
      .delete(questionVotes)
      .where(and(inArray(questionVotes.voterId, part), inArray(questionVotes.questionId, familyIds(tx, targetId))))
      .returning({ voter: questionVotes.voterId });
    for (const r of rows) removed.add(r.voter);
  }
  return removed;
}

/** The question and the questions merged into it, as a subquery (both lookups use an index). */
function familyIds(tx: Db, targetId: string) {
  return sql`(SELECT ${targetId}::uuid UNION ALL SELECT ${questions.id} FROM ${questions} WHERE ${questions.mergedInto} = ${targetId})`;
}

/** Which of these voters have a vote on a question merged into `targetId` (their vote already counts for it). */
export async function votersOnMergedChildren(tx: Db, targetId: string, voterIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks(voterIds)) {
    const rows = await tx
      .selectDistinct({ voter: questionVotes.voterId })
      .from(questionVotes)
      .innerJoin(questions, eq(questions.id, questionVotes.questionId))
      .where(and(eq(questions.mergedInto, targetId), inArray(questionVotes.voterId, part)));
    for (const r of rows) found.add(r.voter);
  }
  return found;
}

/** Adds `delta` to the stored count (votes keep it equal to the distinct voters of the question and those merged into it). */
export async function addVotes(tx: Db, targetId: string, delta: number): Promise<number> {
  const [row] = await tx
    .update(questions)
    .set({ voteCount: sql`${questions.voteCount} + ${delta}` })
    .where(eq(questions.id, targetId))
    .returning({ n: questions.voteCount });
  return row.n;
}

/**
 * Distinct voters of a question and of the questions merged into it: "votes combined". Only while
 * the voter links exist: after a Chatham House session's links are erased there is nothing to count.
 */
export async function recountVotes(tx: Db, targetId: string): Promise<number> {
  const [row] = await tx
    .update(questions)
    .set({
      voteCount: sql`(SELECT count(DISTINCT ${questionVotes.voterId})::int FROM ${questionVotes} WHERE ${questionVotes.questionId} IN ${familyIds(tx, targetId)})`,
    })
    .where(eq(questions.id, targetId))
    .returning({ n: questions.voteCount });
  return row.n;
}

/** The next place at the end of the panel queue, read by the statement that writes it (under the session's lock). */
export function nextPanelOrder(sessionId: string): SQL<number> {
  return sql<number>`(select coalesce(max(${questions.panelOrder}), 0) + 1 from ${questions} where ${questions.sessionId} = ${sessionId} and ${questions.status} in ('approved', 'answered'))`;
}

/** The approved question just above (up) or below (down) `order` in the panel queue, locked. */
export async function queueNeighbor(tx: Db, sessionId: string, order: number, id: string, direction: "up" | "down"): Promise<QuestionRow | undefined> {
  const up = direction === "up";
  const [row] = await tx
    .select()
    .from(questions)
    .where(
      and(
        eq(questions.sessionId, sessionId),
        eq(questions.status, "approved"),
        sql`${questions.id} <> ${id}`,
        up ? sql`${questions.panelOrder} <= ${order}` : sql`${questions.panelOrder} >= ${order}`,
      ),
    )
    .orderBy(up ? desc(questions.panelOrder) : asc(questions.panelOrder))
    .limit(1)
    .for("update");
  return row;
}

export async function lockApprovedQueue(tx: Db, sessionId: string): Promise<QuestionRow[]> {
  return tx
    .select()
    .from(questions)
    .where(and(eq(questions.sessionId, sessionId), eq(questions.status, "approved")))
    .orderBy(asc(questions.panelOrder), asc(questions.createdAt))
    .for("update");
}

export async function lockMergedChildren(tx: Db, targetId: string): Promise<QuestionRow[]> {
  return tx.select().from(questions).where(eq(questions.mergedInto, targetId)).for("update");
}

export async function questionsAskedSince(db: Db, sessionId: string, authorId: string, since: Date): Promise<Date[]> {
  const rows = await db
    .select({ at: questions.createdAt })
    .from(questions)
    .where(and(eq(questions.sessionId, sessionId), eq(questions.authorId, authorId), gt(questions.createdAt, since)))
    .orderBy(asc(questions.createdAt));
  return rows.map((r) => r.at);
}

export async function panelistsOf(db: Db, sessionId: string): Promise<Panelist[]> {
  const rows = await db
    .select({ id: users.id, name: users.name })
    .from(sessionRoles)
    .innerJoin(users, eq(users.id, sessionRoles.userId))
    .where(and(eq(sessionRoles.sessionId, sessionId), eq(sessionRoles.role, "panelist")))
    .orderBy(asc(users.name));
  return rows.map((r) => ({ id: r.id, name: r.name ?? "Panelist" }));
}

export async function counts(db: Db, sessionId: string): Promise<QaCounts> {
  const rows = await db
    .select({ status: questions.status, origin: questions.origin, n: sql<number>`count(*)::int` })
    .from(questions)
    .where(eq(questions.sessionId, sessionId))
    .groupBy(questions.status, questions.origin);
  const c: QaCounts = { pending: 0, approved: 0, answered: 0, dismissed: 0, merged: 0, room: 0, remote: 0 };
  for (const r of rows) {
    c[r.status] += r.n;
    c[r.origin] += r.n;
  }
  return c;
}

export async function findActionByKey(db: Db, actorId: string, key: string): Promise<QaActionRow | undefined> {
  const [row] = await db
    .select()
    .from(qaActions)
    .where(and(eq(qaActions.actorId, actorId), eq(qaActions.clientKey, key)));
  return row;
}

/** Stores a command's answer under its key; undefined when the key was already used. */
/** Stores an answer under its key unless the key is already used (the caller reads what is stored after). */
export async function insertAction(tx: Db, values: typeof qaActions.$inferInsert): Promise<void> {
  await tx.insert(qaActions).values(values).onConflictDoNothing();
}

/**
 * Stores a staff command's answer under its key; a key already used fails with a unique violation,
 * which fails the transaction. Sent when called (not on first `await`), so a commit sent after it
 * runs after it.
 */
export function claimAction(tx: Db, values: typeof qaActions.$inferInsert): Promise<unknown> {
  return tx.insert(qaActions).values(values).execute();
}

/** This moderator's most recent action in the session that can still be undone, locked. */
export async function lastUndoable(tx: Db, sessionId: string, actorId: string): Promise<QaActionRow | undefined> {
  const [row] = await tx
    .select()
    .from(qaActions)
    .where(and(eq(qaActions.sessionId, sessionId), eq(qaActions.actorId, actorId), isNull(qaActions.undoneAt), isNotNull(qaActions.undo)))
    .orderBy(desc(qaActions.id))
    .limit(1)
    .for("update");
  return row;
}

export async function markUndone(tx: Db, id: number, at: Date): Promise<void> {
  await tx.update(qaActions).set({ undoneAt: at }).where(eq(qaActions.id, id));
}

/**
 * Erases the author and voter links of every Chatham House session that has ended, in the caller's
 * transaction. Each statement is idempotent, so two instances running it at once do the same work
 * twice and no harm.
 */
export async function eraseEndedChathamLinks(tx: Db, now: Date): Promise<{ sessionIds: string[]; questions: number; votes: number }> {
  const ended = await tx
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.rule, "chatham_house"), lte(sessions.endsAt, now)));
  const ids = ended.map((s) => s.id);
  if (ids.length === 0) return { sessionIds: [], questions: 0, votes: 0 };
  const q = await tx
    .update(questions)
    .set({ authorId: null })
    .where(and(inArray(questions.sessionId, ids), isNotNull(questions.authorId)))
    .returning({ sessionId: questions.sessionId });
  // Through the questions, whose key leads the votes' own: the votes have no index by session.
  const endedQuestions = tx.select({ id: questions.id }).from(questions).where(inArray(questions.sessionId, ids));
  const v = await tx.delete(questionVotes).where(inArray(questionVotes.questionId, endedQuestions)).returning({ sessionId: questionVotes.sessionId });
  // Routing a question to a named panelist, and a moderator's stored commands (their undo history,
  // with the questions' texts), tie a speaker to what was discussed: they go too.
  const routed = await tx
    .update(questions)
    .set({ routedTo: null })
    .where(and(inArray(questions.sessionId, ids), isNotNull(questions.routedTo)))
    .returning({ sessionId: questions.sessionId });
  const actions = await tx.delete(qaActions).where(inArray(qaActions.sessionId, ids)).returning({ sessionId: qaActions.sessionId });
  const touched = [...new Set([...q, ...v, ...routed, ...actions].map((r) => r.sessionId))];
  if (touched.length) await tx.update(qaSessions).set({ authorsErasedAt: now }).where(inArray(qaSessions.sessionId, touched));
  return { sessionIds: touched, questions: q.length, votes: v.length };
}

/**
 * The role (never the name) of whoever last changed a question, from the audit log: what a moderator
 * whose decision was refused as stale is told. Null when no staff change is on record.
 */
export async function lastChangerRole(db: Db, sessionId: string, questionId: string): Promise<"organizer" | "moderator" | "panelist" | "staff" | null> {
  const [last] = await db
    .select({ actorId: auditLog.actorId })
    .from(auditLog)
    .where(and(eq(auditLog.sessionId, sessionId), eq(auditLog.objectType, "question"), eq(auditLog.objectId, questionId), eq(auditLog.outcome, "ok")))
    .orderBy(desc(auditLog.id))
    .limit(1);
  if (!last) return null;
  // Under the Chatham House Rule, entries of an ended session no longer name anyone.
  if (!last.actorId) return "staff";
  const roles = await db
    .select({ role: sessionRoles.role })
    .from(sessionRoles)
    .where(and(eq(sessionRoles.sessionId, sessionId), eq(sessionRoles.userId, last.actorId)));
  if (roles.some((r) => r.role === "moderator")) return "moderator";
  if (roles.some((r) => r.role === "panelist")) return "panelist";
  const [organizer] = await db.select({ userId: eventRoles.userId }).from(eventRoles).where(eq(eventRoles.userId, last.actorId)).limit(1);
  return organizer ? "organizer" : "staff";
}
