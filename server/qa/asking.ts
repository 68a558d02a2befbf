/** Asking and voting: the audience's writes, each stored before it is acknowledged. */
import type { QuestionRow, SessionRow } from "../../db/schema";
import type { OwnQuestion, SubmitResult, VoteResult } from "../../lib/qa";
import { visibleTo } from "../../lib/qa-rules";
import type { CommandInput } from "../../lib/realtime/contract";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import { Batcher, type Pending } from "../batch";
import type { QaContext } from "./context";
import { projectOwn } from "./projection";
import * as q from "./queries";
import type { QaDeps } from "./service";

/** Questions one person may ask per session in a minute, counted in the database (holds across instances). */
export const ASK_LIMIT = { count: 5, windowMs: 60_000 };

/** A vote waiting for its batch: the parsed command and who sent it (authorized when the batch is written). */
type VoteCommand = CommandInput<"question:vote"> & { actor: Actor | null };

interface VoteGroup {
  session: SessionRow;
  questionId: string;
  ups: Array<Pending<VoteCommand, VoteResult>>;
  downs: Array<Pending<VoteCommand, VoteResult>>;
}

/**
 * The most votes written in one batch, which is one statement when they are all up-votes on approved
 * questions. Each batch is one turn at the gate, and an approval sent during a storm starts at once.
 * On PGlite its statements then wait in the database's one thread behind the batch under way, and
 * 250-vote statements put the storm's approvals some 40 % later: 100 there. On Postgres the approval
 * runs on a connection of its own beside the batch, so a storm's backlog goes in fewer, larger batches
 * (fewer commits): at 5,000 sockets that cut the vote ack p99 by 1.1–3.4× in six paired runs, the
 * approvals no later (docs/benchmarks.md).
 */
function votesPerBatch(kind: "pglite" | "postgres"): number {
  return kind === "postgres" ? 300 : 100;
}

/**
 * During a storm a vote batch waits to be full, or for 25 ms (server/batch.ts `fill`): a batch costs
 * PGlite's thread ~2 ms whatever its size, and fewer, fuller batches left the storm's approvals more
 * of the two cores (docs/benchmarks.md). A vote in a quiet room is written at once.
 */
const VOTE_BATCH_FILL_MS = 25;

/**
 * How many vote batches are written at once. On PGlite two: the next batch waits in the database's
 * thread while the event loop answers the last one's voters, so the thread is not idle between
 * batches in a storm (at 5,000 sockets this halved the vote ack p99). On Postgres one: a second batch
 * there runs beside the first on another connection, waits for the same questions' rows, and made
 * votes and approvals during the storm slower (docs/benchmarks.md).
 */
export function voteBatchesAtOnce(kind: "pglite" | "postgres"): number {
  return kind === "pglite" ? 2 : 1;
}

export class QaAsking {
  private readonly votes: Batcher<VoteCommand, VoteResult>;

  constructor(
    private readonly deps: QaDeps,
    private readonly ctx: QaContext,
  ) {
    this.votes = new Batcher({
      name: "qa_votes",
      max: votesPerBatch(deps.databaseKind),
      schedule: (job) => deps.gate.run(job, "audience"),
      // One vote per person in a batch: a second one (a change of mind) must see the first written.
      oncePer: (cmd) => cmd.actor?.userId,
      inFlight: voteBatchesAtOnce(deps.databaseKind),
      fill: { size: votesPerBatch(deps.databaseKind), ms: VOTE_BATCH_FILL_MS },
      write: (batch) => this.writeVotes(batch),
    });
  }

  /** Votes received and not yet answered (for tests and logs). */
  get votesPending(): number {
    return this.votes.pending;
  }

  /** Votes in the batches being written (for tests). */
  get votesWriting(): number {
    return this.votes.writingNow;
  }

  /** How many vote batches this database writes at once (for tests). */
  get batchesAtOnce(): number {
    return voteBatchesAtOnce(this.deps.databaseKind);
  }

  async submit(actor: Actor | null, { slug, key, text, anonymous: wantsAnonymous }: CommandInput<"question:submit">): Promise<SubmitResult> {
    const session = await this.ctx.session(slug);
    await this.deps.guard.require(actor, "question:ask", session);
    const me = actor!;

    // A resend of something already stored gets the stored question, whatever changed since.
    const existing = await q.findQuestionByKey(this.deps.db, session.id, me.userId, key);
    if (existing) return { question: await this.own(existing), duplicate: true };

    const qa = await q.getQaSession(this.deps.db, session.id);
    this.ctx.assertOpen(session, qa, "ask");
    const now = this.deps.clock.now();
    const recent = await q.questionsAskedSince(this.deps.db, session.id, me.userId, new Date(now.getTime() - ASK_LIMIT.windowMs));
    if (recent.length >= ASK_LIMIT.count) {
      const retryAfterMs = Math.max(1000, recent[0].getTime() + ASK_LIMIT.windowMs - now.getTime());
      throw new AppError("rate_limited", `You can ask ${ASK_LIMIT.count} questions a minute. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, {
        retryAfterMs,
      });
    }

    // Under the Chatham House Rule there is no choice: anonymous, whatever the client sent.
    const chatham = session.rule === "chatham_house";
    const anonymous = chatham || wantsAnonymous;
    if (!anonymous && !me.name) {
      throw new AppError("bad_request", "Your profile has no name to show. Ask anonymously, or ask the organizers to add your name.");
    }
    const open = session.qaMode === "open";
    let created: QuestionRow | undefined;
    let version = 0;
    try {
      await this.deps.db.transaction(async (tx) => {
        version = (await q.bumpVersion(tx, session.id)).version;
        created = await q.insertQuestion(tx, {
          sessionId: session.id,
          authorId: me.userId,
          chatham,
          anonymous,
          authorName: anonymous ? null : me.name,
          authorAffiliation: anonymous ? null : me.affiliation,
          origin: me.kind === "device" || me.checkedIn || me.attendanceMode === "in_person" ? "room" : "remote",
          text,
          status: open ? "approved" : "pending",
          panelOrder: open ? q.nextPanelOrder(session.id) : 0,
          clientKey: key,
          createdAt: now,
          updatedAt: now,
          seq: version,
          publishedSeq: open ? version : null,
        });
        // Another tab of the same person stored this key a moment ago: nothing new to announce.
        if (!created) throw new DuplicateKey();
      });
    } catch (err) {
      if (err instanceof DuplicateKey) {
        const row = await q.findQuestionByKey(this.deps.db, session.id, me.userId, key);
        if (row) return { question: await this.own(row), duplicate: true };
      }
      throw err;
    }
    const row = created!;
    this.deps.publish.questionsChanged(session.id, version, [{ row }], new Map());
    const own = projectOwn(row, qa?.onStageQuestionId ?? null, new Map());
    this.deps.publish.mine(me.userId, session.id, own);
    void this.ctx.announceCounts(session, version);
    return { question: own, duplicate: false };
  }

  private async own(row: QuestionRow): Promise<OwnQuestion> {
    const qa = await q.getQaSession(this.deps.db, row.sessionId);
    const [own] = await this.ctx.ownQuestions([row], qa?.onStageQuestionId ?? null);
    return own;
  }

  /**
   * A vote is written in a batch with the votes that arrived while the previous batch was being
   * written (server/batch.ts): one transaction per question, not per vote.
   */
  vote(actor: Actor | null, input: CommandInput<"question:vote">): Promise<VoteResult> {
    return this.votes.add({ actor, ...input });
  }

  /** A batch holds one vote per person (`oncePer`): so its votes on one question are each by a different person. */
  private async writeVotes(batch: Array<Pending<VoteCommand, VoteResult>>): Promise<void> {
    const sessionsBySlug = new Map<string, Promise<SessionRow>>();
    const groups = new Map<string, VoteGroup>();
    for (const p of batch) {
      const { actor, slug, questionId, up } = p.item;
      try {
        if (!sessionsBySlug.has(slug)) sessionsBySlug.set(slug, this.ctx.session(slug));
        const session = await sessionsBySlug.get(slug)!;
        await this.deps.guard.require(actor, "question:vote", session);
        this.ctx.assertOpen(session, undefined, "vote");
        const key = `${session.id} ${questionId}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { session, questionId, ups: [], downs: [] }));
        (up ? group.ups : group.downs).push(p);
      } catch (err) {
        p.reject(err);
      }
    }
    // The usual case in a storm: only up-votes, on questions open for them as themselves, all of a
    // session's in one statement; whatever that statement did not take goes the general way.
    const general = [...groups.values()].filter((g) => g.downs.length);
    const bySession = new Map<string, VoteGroup[]>();
    for (const g of groups.values()) {
      if (g.downs.length) continue;
      const list = bySession.get(g.session.id);
      if (list) list.push(g);
      else bySession.set(g.session.id, [g]);
    }
    for (const [sessionId, ups] of bySession) {
      try {
        const counts = await q.upVotesIfApproved(
          this.deps.db,
          sessionId,
          ups.flatMap((g) => g.ups.map((p) => ({ questionId: g.questionId, voterId: p.item.actor!.userId }))),
        );
        for (const g of ups) {
          const votes = counts.get(g.questionId);
          if (votes === undefined) {
            general.push(g);
            continue;
          }
          for (const p of g.ups) p.resolve({ questionId: g.questionId, up: true, votes });
          this.deps.publish.voted(sessionId, g.questionId);
        }
      } catch {
        // The statement is atomic, so nothing of it was written; each question then goes the general
        // way, which answers for itself (on Postgres a deadlock with a merge locking two questions
        // in the other order ends here).
        general.push(...ups);
      }
    }
    for (const group of general) {
      try {
        await this.writeVoteGroup(group);
      } catch (err) {
        const fault = err;
        for (const p of [...group.ups, ...group.downs]) p.reject(fault);
      }
    }
  }

  /** The votes of one batch on one question, each by a different person, in one transaction. */
  private async writeVoteGroup({ session, questionId, ups, downs }: VoteGroup): Promise<void> {
    const voterOf = (p: Pending<VoteCommand, VoteResult>) => p.item.actor!.userId;
    const { targetId, votes } = await this.deps.db.transaction(async (tx) => {
      let target = await q.lockQuestion(tx, session.id, questionId);
      // A vote for a question merged into another counts for the one it was merged into.
      if (target?.mergedInto) target = await q.lockQuestion(tx, session.id, target.mergedInto);
      if (!target || !visibleTo("audience", target.status))
        throw new AppError("not_found", "That question is not open for votes (it may have been removed by the moderators).");
      if (target.status !== "approved") throw new AppError("conflict", "This question has been answered: votes are closed for it.");
      // The row lock orders votes on one question (and votes on questions merged into it, which
      // count for it). The count is its distinct voters, kept by adding or taking, never by
      // counting the vote rows again (after a Chatham House erasure there are none to count):
      // a new vote adds one unless this person's vote on a merged question already counts; taking
      // a vote back removes this person's votes from the whole family and takes one.
      const added = ups.length ? await q.insertVotes(tx, session.id, target.id, ups.map(voterOf)) : new Set<string>();
      const alreadyCounted = added.size ? await q.votersOnMergedChildren(tx, target.id, [...added]) : new Set<string>();
      const removed = downs.length ? await q.deleteFamilyVotes(tx, target.id, downs.map(voterOf)) : new Set<string>();
      const delta = added.size - alreadyCounted.size - removed.size;
      return { targetId: target.id, votes: delta ? await q.addVotes(tx, target.id, delta) : target.voteCount };
    });
    for (const p of ups) p.resolve({ questionId: targetId, up: true, votes });
    for (const p of downs) p.resolve({ questionId: targetId, up: false, votes });
    this.deps.publish.voted(session.id, targetId);
  }
}

class DuplicateKey extends Error {}
