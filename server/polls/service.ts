import type { Database } from "../../db/client";
import type { NewPollRow, PollRow, SessionRow } from "../../db/schema";
import type { MyAnswer, PollSnapshot, PollView } from "../../lib/polls";
import type { CommandInput } from "../../lib/realtime/contract";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { AuditService } from "../audit/service";
import type { Clock } from "../clock";
import { Batcher, type Pending } from "../batch";
import { AppError, sessionNotFound } from "../errors";
import { errorName, type Logger } from "../log";
import { resultsCsv } from "./csv";
import { chathamOver, draftFields, notDraft, openFields, pollClosed, pollNotFound, summary } from "./lifecycle";
import { PollReads } from "./reads";
import { PollSyncs } from "./syncing";
import type { PollPublisher } from "./publisher";
import * as q from "./queries";
import { answerOf, checkAnswer, definitionOf, toPollView } from "./rules";
import { failureLog } from "../log-throttle";
import { POLL_RESULTS_TICK_MS } from "../broadcast-tick";

export interface PollServiceOptions {
  /** Results broadcasts are coalesced per poll over this many milliseconds. */
  tickMs?: number;
  /** How often this process looks for polls whose timer ran out. */
  timerSweepMs?: number;
  /** How often this process erases voter links of ended Chatham House sessions (also once at start). */
  erasureSweepMs?: number;
}

/** An answer waiting for its batch, and what writing it gives. */
type PendingAnswer = q.AnswerWrite & { pollId: string };
type Written = { seq: number; answeredAt: Date };

/** The most answers written in one batch. */
const ANSWERS_PER_BATCH = 500;

type StaffAction = "poll:create" | "poll:update" | "poll:delete" | "poll:open" | "poll:close" | "poll:reopen" | "poll:publish";

export interface PollDeps {
  db: Database;
  clock: Clock;
  guard: Guard;
  audit: AuditService;
  publish: PollPublisher;
  log: Logger;
  /** Timings (results tick, sweeps); tests and benchmarks may shorten them. */
  options?: PollServiceOptions;
}

/**
 * Live polls: preparing and running them (moderators, organizers), answering (the audience), and the
 * totals everyone may see. The database is the truth: states change by conditional updates, answers
 * are one row per person, totals are counted from those rows. Process memory holds only definitions
 * of launched polls (which never change again) and the timers that coalesce results broadcasts.
 */
export class PollService {
  private readonly answers: Batcher<PendingAnswer, Written | undefined>;
  private readonly syncs: PollSyncs;
  private readonly reads: PollReads;
  private intervals: NodeJS.Timeout[] = [];
  private stopped = false;

  private readonly db: Database;
  private readonly clock: Clock;
  private readonly guard: Guard;
  private readonly audit: AuditService;
  private readonly publish: PollPublisher;
  private readonly log: Logger;
  private readonly opts: PollServiceOptions;

  constructor(deps: PollDeps) {
    ({ db: this.db, clock: this.clock, guard: this.guard, audit: this.audit, publish: this.publish, log: this.log } = deps);
    this.opts = deps.options ?? {};
    this.reads = new PollReads(this.db, this.clock, this.publish, this.log, this.opts.tickMs ?? POLL_RESULTS_TICK_MS);
    // A batch goes at once: the answers that arrive while it is written (on PGlite's thread or
    // Postgres) make up the next one. Two at once: unlike votes, answers write no row they share (the
    // poll is only locked FOR SHARE), so the second batch is already with the database while the event
    // loop answers the first one's people (docs/benchmarks.md, 6 December, night).
    const schedule = (job: () => Promise<void>) => job();
    this.answers = new Batcher({
      name: "poll_answers",
      max: ANSWERS_PER_BATCH,
      schedule,
      oncePer: (a) => `${a.pollId} ${a.voterId}`,
      inFlight: 2,
      write: (batch) => this.writeAnswers(batch),
    });
    this.syncs = new PollSyncs(this.db, this.guard, this.reads, schedule);
  }

  /**
   * Awaited before each results broadcast (a write to every socket of the room): the composition
   * root makes it wait for the moderators' Q&A commands under way, at most a moment.
   */
  set beforeResults(wait: () => Promise<void>) {
    this.reads.beforeBroadcast = wait;
  }

  get beforeResults(): () => Promise<void> {
    return this.reads.beforeBroadcast;
  }

  /** Answers received and not yet written (for tests and logs). */
  get answersPending(): number {
    return this.answers.pending;
  }

  /** Answers in the batches being written (for tests). */
  get answersWriting(): number {
    return this.answers.writingNow;
  }

  /** Runs the sweeps: at once (start-up erasure for sessions already over), then on intervals. */
  async start(): Promise<void> {
    await this.sweepErasure();
    await this.sweepTimers();
    const every = (ms: number, run: () => Promise<unknown>) => {
      const t = setInterval(
        () =>
          void run().catch((err: unknown) => {
            if (!this.stopped) failureLog(this.log).warn("poll sweep failed", errorName(err), "polls", { err });
          }),
        ms,
      );
      t.unref();
      this.intervals.push(t);
    };
    every(this.opts.timerSweepMs ?? 1000, () => this.sweepTimers());
    every(this.opts.erasureSweepMs ?? 10_000, () => this.sweepErasure());
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.intervals) clearInterval(t);
    this.intervals = [];
    this.reads.stop();
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * What one viewer may see of a session's polls now, their own answers, and the session's poll
   * counter. `screens`: the sessions the socket joined as the room's screen, which sees launched polls
   * and their live results (as panelists do), never drafts, whoever is signed in on it.
   *
   * Syncs are answered in batches (server/batch.ts): a room of phones opening the page at once, or
   * reconnecting after a restart, costs a few reads of the session's polls, not a few per phone.
   */
  sync(actor: Actor | null, slug: string, screens?: ReadonlySet<string>): Promise<PollSnapshot> {
    return this.syncs.sync(actor, slug, screens);
  }

  /** Every poll's totals of a session as CSV (those who run polls only). */
  async exportCsv(actor: Actor | null, slug: string): Promise<string> {
    const session = await this.sessionBySlug(slug);
    await this.guard.require(actor, "poll:manage", session, { type: "polls-export", id: slug });
    const rows = (await q.listPolls(this.db, session.id)).filter((r) => r.status !== "draft");
    const defs = await this.reads.definitionsOf(rows);
    const entries = [];
    for (const [i, row] of rows.entries()) {
      entries.push({ number: i + 1, poll: toPollView(row, defs.get(row.id)!), results: await this.reads.results(row, session, false) });
    }
    await this.audit.record({
      actor,
      action: "poll:export",
      outcome: "ok",
      objectType: "session",
      objectId: slug,
      session: { id: session.id, rule: session.rule },
    });
    return resultsCsv(entries);
  }

  // ── Running polls (poll:manage) ──────────────────────────────────────────────────────────────────

  async create(actor: Actor | null, input: CommandInput<"poll:create">): Promise<PollView> {
    const session = await this.sessionBySlug(input.slug);
    await this.guard.require(actor, "poll:manage", session, { type: "poll", id: input.slug });
    const draft = input.draft;
    const now = this.clock.now();
    if (input.open) this.assertSessionNotOver(session, now);
    const fields = draftFields(draft);
    const labels = "options" in draft ? draft.options : [];
    const row: NewPollRow = {
      ...fields,
      sessionId: session.id,
      clientKey: input.clientKey,
      createdAt: now,
      ...(input.open ? openFields(now, draft.durationSeconds) : {}),
    };
    const created = await this.db.transaction(async (tx) => {
      const made = await q.insertPoll(tx, row, labels);
      if (!made) return undefined;
      return { ...made, version: await q.bumpSessionVersion(tx, session.id) };
    });
    if (!created) {
      // The same create sent again (a resend after a reconnect): answer with the poll it made.
      const existing = await q.findPollByClientKey(this.db, session.id, input.clientKey);
      if (!existing) throw new AppError("conflict", "This poll could not be saved. Try again.");
      return toPollView(existing, await this.reads.definition(existing));
    }
    const view = toPollView(created.poll, definitionOf(created.poll, created.options));
    await this.auditOk(actor, input.open ? "poll:open" : "poll:create", session, created.poll.id, undefined, summary(view));
    if (input.open) {
      this.publish.pollChanged(session.id, "opened", { poll: view, version: created.version });
      this.reads.scheduleResults(created.poll.id, 0);
    } else {
      this.publish.draftChanged(session.id, "created", { poll: view, version: created.version });
    }
    return view;
  }

  async update(actor: Actor | null, input: CommandInput<"poll:update">): Promise<PollView> {
    const { poll, session } = await this.staffPoll(actor, input.pollId);
    const draft = input.draft;
    if (poll.status !== "draft") throw notDraft();
    const labels = "options" in draft ? draft.options : [];
    const updated = await this.db.transaction(async (tx) => {
      const row = await q.updateDraft(tx, poll.id, input.expectedVersion, draftFields(draft), labels);
      return row ? { row, version: await q.bumpSessionVersion(tx, session.id) } : undefined;
    });
    if (!updated) {
      const current = await q.findPoll(this.db, poll.id);
      if (!current) throw pollNotFound();
      if (current.status !== "draft") throw notDraft();
      throw new AppError("version_conflict", "Someone else changed this poll since you opened it. Their version is shown now; edit again.", {
        current: toPollView(current, await this.reads.definition(current, true)),
      });
    }
    const view = toPollView(updated.row, await this.reads.definition(updated.row, true));
    await this.auditOk(actor, "poll:update", session, poll.id, summary(toPollView(poll, await this.reads.definition(poll))), summary(view));
    this.publish.draftChanged(session.id, "updated", { poll: view, version: updated.version });
    return view;
  }

  async remove(actor: Actor | null, pollId: string): Promise<null> {
    const { poll, session } = await this.staffPoll(actor, pollId);
    const version = await this.db.transaction(async (tx) => ((await q.deleteDraft(tx, poll.id)) ? q.bumpSessionVersion(tx, session.id) : undefined));
    if (version === undefined) {
      if (!(await q.findPoll(this.db, poll.id))) return null; // already gone: a resend
      throw new AppError("conflict", "Only a draft can be deleted; this poll has been launched and its answers are kept.");
    }
    await this.auditOk(actor, "poll:delete", session, poll.id, { question: poll.question }, undefined);
    this.publish.draftDeleted(session.id, { pollId: poll.id, version });
    return null;
  }

  open(actor: Actor | null, input: CommandInput<"poll:open">): Promise<PollView> {
    return this.move(actor, input.pollId, "poll:open", {
      from: ["draft"],
      already: "open",
      wrong: "This poll has already run. Reopen it to take more answers.",
      set: (poll, now) => openFields(now, input.durationSeconds === undefined ? poll.durationSeconds : input.durationSeconds),
      fact: "opened",
    });
  }

  close(actor: Actor | null, pollId: string): Promise<PollView> {
    return this.move(actor, pollId, "poll:close", {
      from: ["open"],
      already: "closed",
      wrong: "This poll is still a draft: launch it first.",
      set: (_poll, now) => ({ status: "closed", closedAt: now, closesAt: null }),
      fact: "closed",
    });
  }

  /** Closing is final unless a moderator reopens explicitly; every earlier answer stays. */
  reopen(actor: Actor | null, input: CommandInput<"poll:open">): Promise<PollView> {
    return this.move(actor, input.pollId, "poll:reopen", {
      from: ["closed"],
      already: "open",
      wrong: "This poll is still a draft: launch it first.",
      // A reopened poll takes new answers, so results published for the earlier round are withdrawn
      // until a moderator publishes again.
      set: (poll, now) => ({ ...openFields(now, input.durationSeconds === undefined ? poll.durationSeconds : input.durationSeconds), publishedAt: null }),
      fact: "reopened",
    });
  }

  async publishResults(actor: Actor | null, pollId: string): Promise<PollView> {
    const { poll, session } = await this.staffPoll(actor, pollId);
    if (poll.status === "draft") throw new AppError("poll_not_open", "This poll is still a draft: there are no results to publish yet.");
    const now = this.clock.now();
    const done = await this.db.transaction(async (tx) => {
      const row = await q.publish(tx, poll.id, now);
      return row ? { row, version: await q.bumpSessionVersion(tx, session.id) } : undefined;
    });
    if (!done) return toPollView((await q.findPoll(this.db, poll.id)) ?? poll, await this.reads.definition(poll)); // already published
    const view = toPollView(done.row, await this.reads.definition(done.row));
    await this.auditOk(actor, "poll:publish", session, poll.id, { published: false }, { published: true });
    this.publish.pollChanged(session.id, "published", { poll: view, version: done.version });
    this.reads.scheduleResults(poll.id, 0);
    return view;
  }

  // ── Answering (poll:answer) ──────────────────────────────────────────────────────────────────────

  /**
   * One answer per person per poll; a new answer replaces the earlier one while the poll is open. The
   * row is written before the acknowledgement; totals go out with the next tick.
   */
  async answer(actor: Actor | null, input: CommandInput<"poll:answer">, socketId?: string): Promise<MyAnswer> {
    const { poll, session, def } = await this.reads.answerContext(input.pollId);
    await this.guard.require(actor, "poll:answer", session, { type: "poll", id: poll.id });
    const now = this.clock.now();
    if (chathamOver(session, now)) throw pollClosed();
    const stored = checkAnswer(def, input.answer);
    // A failed write (an outage: `unavailable`) is mapped and logged by kind where the command is answered.
    const written = await this.answers.add({ pollId: poll.id, voterId: actor!.userId, answer: stored, at: now });
    if (!written) {
      const current = await q.findPoll(this.db, poll.id);
      if (!current) throw pollNotFound();
      if (current.status === "draft") throw new AppError("poll_not_open", "This poll has not been launched yet.");
      throw pollClosed();
    }
    this.reads.answered(poll.id);
    const mine: MyAnswer = { pollId: poll.id, answer: answerOf(def, stored), answeredAt: written.answeredAt.toISOString() };
    this.publish.answered(actor!.userId, mine, socketId);
    this.reads.scheduleResults(poll.id, this.reads.resultsTick(session.id));
    return mine;
  }

  /**
   * Answers are written in batches (server/batch.ts): every answer that arrived while the previous
   * batch was written, one statement per poll. A batch holds one answer per person and poll
   * (`oncePer`): a second one waits for the next batch, so the later answer is the one kept.
   */
  private async writeAnswers(batch: Array<Pending<PendingAnswer, Written | undefined>>): Promise<void> {
    const byPoll = new Map<string, Array<Pending<PendingAnswer, Written | undefined>>>();
    for (const p of batch) {
      const group = byPoll.get(p.item.pollId);
      if (group) group.push(p);
      else byPoll.set(p.item.pollId, [p]);
    }
    for (const [pollId, group] of byPoll) {
      try {
        const written = await q.answersIfOpen(
          this.db,
          pollId,
          group.map((p) => p.item),
        );
        for (const p of group) p.resolve(written.get(p.item.voterId));
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    }
  }

  // ── Timers and erasure (safe with several instances: the database decides) ───────────────────────

  /** Closes polls whose timer ran out; the conditional update lets exactly one instance do each. */
  async sweepTimers(): Promise<number> {
    if (this.stopped) return 0;
    const now = this.clock.now();
    let closed = 0;
    for (const due of await q.duePolls(this.db, now)) {
      const done = await this.db.transaction(async (tx) => {
        const row = await q.closeIfDue(tx, due.id, now);
        return row ? { row, version: await q.bumpSessionVersion(tx, row.sessionId) } : undefined;
      });
      if (!done) continue; // another instance got there first
      closed++;
      this.log.info("poll closed by its timer", { pollId: done.row.id });
      this.publish.pollChanged(done.row.sessionId, "closed", { poll: toPollView(done.row, await this.reads.definition(done.row)), version: done.version });
      this.reads.scheduleResults(done.row.id, 0);
    }
    return closed;
  }

  /**
   * Under the Chatham House Rule no record may link a person to an answer once the session ends: open
   * polls of ended sessions close, then the voter links are erased. The rows stay, so totals do.
   */
  async sweepErasure(): Promise<{ closed: number; erased: number }> {
    if (this.stopped) return { closed: 0, erased: 0 };
    const now = this.clock.now();
    const { closed, erased } = await this.db.transaction(async (tx) => {
      const rows = await q.closeOpenInEndedChatham(tx, now);
      const closed: Array<{ row: PollRow; version: number }> = [];
      for (const row of rows) closed.push({ row, version: await q.bumpSessionVersion(tx, row.sessionId) });
      return { closed, erased: await q.eraseVoterLinks(tx, now) };
    });
    for (const { row, version } of closed) {
      this.publish.pollChanged(row.sessionId, "closed", { poll: toPollView(row, await this.reads.definition(row)), version });
      this.reads.scheduleResults(row.id, 0);
    }
    if (erased > 0 || closed.length > 0) this.log.info("chatham house poll links erased", { erased, closed: closed.length });
    return { closed: closed.length, erased };
  }

  // ── Helpers ──────────────────────────────────────────────────────────────────────────────────────

  private async move(
    actor: Actor | null,
    pollId: string,
    action: StaffAction,
    how: {
      from: PollRow["status"][];
      already: PollRow["status"];
      wrong: string;
      set: (poll: PollRow, now: Date) => Partial<NewPollRow>;
      fact: "opened" | "closed" | "reopened";
    },
  ): Promise<PollView> {
    const { poll, session } = await this.staffPoll(actor, pollId);
    const now = this.clock.now();
    if (how.already === "open") this.assertSessionNotOver(session, now);
    const done = await this.db.transaction(async (tx) => {
      const row = await q.transition(tx, poll.id, how.from, how.set(poll, now));
      return row ? { row, version: await q.bumpSessionVersion(tx, session.id) } : undefined;
    });
    if (!done) {
      const current = await q.findPoll(this.db, poll.id);
      if (!current) throw pollNotFound();
      // Asking again for the state it is in (a resend, two moderators at once) changes nothing.
      if (current.status === how.already) return toPollView(current, await this.reads.definition(current));
      throw new AppError("conflict", how.wrong);
    }
    const view = toPollView(done.row, await this.reads.definition(done.row));
    await this.auditOk(actor, action, session, poll.id, { status: poll.status }, { status: view.status, closesAt: view.closesAt });
    this.publish.pollChanged(session.id, how.fact, { poll: view, version: done.version });
    this.reads.scheduleResults(poll.id, 0);
    return view;
  }

  private async staffPoll(actor: Actor | null, pollId: string): Promise<{ poll: PollRow; session: SessionRow }> {
    const found = await q.findPollWithSession(this.db, pollId);
    if (!found) throw pollNotFound();
    await this.guard.require(actor, "poll:manage", found.session, { type: "poll", id: pollId });
    return found;
  }

  /** A Chatham House session's answers lose their link to people when it ends: no answers after that. */
  private assertSessionNotOver(session: SessionRow, now: Date): void {
    if (chathamOver(session, now)) {
      throw new AppError(
        "policy_violation",
        "This session has ended and is held under the Chatham House Rule: its polls cannot take answers any more. To run over time, extend the session in the agenda first.",
      );
    }
  }

  private async sessionBySlug(slug: string): Promise<SessionRow> {
    const session = await q.findSessionBySlug(this.db, slug);
    if (!session) throw sessionNotFound(slug);
    return session;
  }

  private auditOk(actor: Actor | null, action: string, session: SessionRow, pollId: string, before: unknown, after: unknown): Promise<void> {
    return this.audit.record({
      actor,
      action,
      outcome: "ok",
      objectType: "poll",
      objectId: pollId,
      session: { id: session.id, rule: session.rule },
      before,
      after,
    });
  }
}
