import type { Database } from "../../db/client";
import type { NewPollRow, PollRow, SessionRow } from "../../db/schema";
import type { MyAnswer, PollAnswer, PollEntry, PollResults, PollSnapshot, PollView } from "../../lib/polls";
import { pollDraftSchema, type PollDraft } from "../../lib/schemas/polls";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { AuditService } from "../audit/service";
import type { Clock } from "../clock";
import { Batcher, type Pending } from "../batch";
import { AppError } from "../errors";
import type { Logger } from "../log";
import { resultsCsv } from "./csv";
import type { PollPublisher } from "./publisher";
import * as q from "./queries";
import { answerOf, checkAnswer, definitionOf, projectResults, resultsPublic, tally, toPollView, visibleTo, type PollDefinition } from "./rules";

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

/** How long a session's policy may be reused for answers: a change (polls turned off) applies within this. */
const ANSWER_CONTEXT_MS = 2000;

type StaffAction = "poll:create" | "poll:update" | "poll:delete" | "poll:open" | "poll:close" | "poll:reopen" | "poll:publish";

/**
 * Live polls: preparing and running them (moderators, organizers), answering (the audience), and the
 * totals everyone may see. The database is the truth: states change by conditional updates, answers
 * are one row per person, totals are counted from those rows. Process memory holds only definitions
 * of launched polls (which never change again) and the timers that coalesce results broadcasts.
 */
export class PollService {
  private readonly tickMs: number;
  private readonly answers: Batcher<PendingAnswer, Written | undefined>;
  private readonly definitions = new Map<string, PollDefinition>();
  private readonly pendingTicks = new Map<string, NodeJS.Timeout>();
  private readonly resultsCache = new Map<string, { at: number; generation: number; results: PollResults }>();
  /** Answers this process has written per poll: totals read before the latest one are not reused. */
  private readonly generations = new Map<string, number>();
  private readonly answerContexts = new Map<string, { at: number; poll: PollRow; session: SessionRow; def: PollDefinition }>();
  private intervals: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly guard: Guard,
    private readonly audit: AuditService,
    private readonly publish: PollPublisher,
    private readonly log: Logger,
    private readonly opts: PollServiceOptions = {},
  ) {
    this.tickMs = opts.tickMs ?? 250;
    this.answers = new Batcher({
      name: "poll_answers",
      max: ANSWERS_PER_BATCH,
      schedule: (job) => job(),
      oncePer: (a) => `${a.pollId} ${a.voterId}`,
      write: (batch) => this.writeAnswers(batch),
    });
  }

  /** Answers received and not yet written (for tests and logs). */
  get answersPending(): number {
    return this.answers.pending;
  }

  /** Runs the sweeps: at once (start-up erasure for sessions already over), then on intervals. */
  async start(): Promise<void> {
    await this.sweepErasure();
    await this.sweepTimers();
    const every = (ms: number, run: () => Promise<unknown>) => {
      const t = setInterval(
        () =>
          void run().catch((err: unknown) => {
            if (!this.stopped) this.log.warn("poll sweep failed", { code: pgCode(err) });
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
    for (const t of this.pendingTicks.values()) clearTimeout(t);
    this.intervals = [];
    this.pendingTicks.clear();
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * What one viewer may see of a session's polls now, their own answers, and the session's poll
   * counter. `screens`: the sessions the socket joined as the room's screen, which sees launched polls
   * and their live results (as panelists do), never drafts, whoever is signed in on it.
   */
  async sync(actor: Actor | null, slug: string, screens?: ReadonlySet<string>): Promise<PollSnapshot> {
    const session = await this.sessionBySlug(slug);
    const screen = screens?.has(session.id) ?? false;
    const viewer = screen ? { manage: false, viewResults: this.guard.allowed(actor, "poll:view-results", session), answer: false } : this.viewer(actor, session);
    // The counter is read before the polls: a change in between is then both in the snapshot and in
    // a later fact, which the client recognises by the poll's own version.
    const version = await q.sessionVersion(this.db, session.id);
    const rows = session.pollsEnabled ? await q.listPolls(this.db, session.id) : [];
    const defs = await this.definitionsOf(rows);
    const polls: PollEntry[] = [];
    for (const row of rows) {
      const vis = visibleTo(viewer, row);
      if (!vis.poll) continue;
      polls.push({ poll: toPollView(row, defs.get(row.id)!), results: vis.results ? await this.results(row, session, true) : null });
    }
    const mine: MyAnswer[] = [];
    if (actor && session.pollsEnabled && !screen) {
      for (const r of await q.myResponses(this.db, session.id, actor.userId)) {
        const def = defs.get(r.pollId);
        if (def) mine.push({ pollId: r.pollId, answer: answerOf(def, r), answeredAt: r.answeredAt.toISOString() });
      }
    }
    return { sessionId: session.id, slug: session.slug, chathamHouse: session.rule === "chatham_house", version, can: viewer, polls, mine };
  }

  /** Every poll's totals of a session as CSV (those who run polls only). */
  async exportCsv(actor: Actor | null, slug: string): Promise<string> {
    const session = await this.sessionBySlug(slug);
    await this.guard.require(actor, "poll:manage", session, { type: "polls-export", id: slug });
    const rows = (await q.listPolls(this.db, session.id)).filter((r) => r.status !== "draft");
    const defs = await this.definitionsOf(rows);
    const entries = [];
    for (const [i, row] of rows.entries()) {
      entries.push({ number: i + 1, poll: toPollView(row, defs.get(row.id)!), results: await this.results(row, session, false) });
    }
    await this.audit.record({ actor, action: "poll:export", outcome: "ok", objectType: "session", objectId: slug, session: { id: session.id, rule: session.rule } });
    return resultsCsv(entries);
  }

  // ── Running polls (poll:manage) ──────────────────────────────────────────────────────────────────

  async create(actor: Actor | null, input: { slug: string; clientKey: string; draft: unknown; open?: boolean }): Promise<PollView> {
    const session = await this.sessionBySlug(input.slug);
    await this.guard.require(actor, "poll:manage", session, { type: "poll", id: input.slug });
    const draft = parseDraft(input.draft);
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
      return toPollView(existing, await this.definition(existing));
    }
    const view = toPollView(created.poll, definitionOf(created.poll, created.options));
    await this.auditOk(actor, input.open ? "poll:open" : "poll:create", session, created.poll.id, undefined, summary(view));
    if (input.open) {
      this.publish.toSession(session.id, "poll:opened", { poll: view, version: created.version });
      this.scheduleResults(created.poll.id, 0);
    } else {
      this.publish.toStaff(session.id, "poll:created", { poll: view, version: created.version });
    }
    return view;
  }

  async update(actor: Actor | null, input: { pollId: string; expectedVersion: number; draft: unknown }): Promise<PollView> {
    const { poll, session } = await this.staffPoll(actor, input.pollId);
    const draft = parseDraft(input.draft);
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
        current: toPollView(current, await this.definition(current, true)),
      });
    }
    const view = toPollView(updated.row, await this.definition(updated.row, true));
    await this.auditOk(actor, "poll:update", session, poll.id, summary(toPollView(poll, await this.definition(poll))), summary(view));
    this.publish.toStaff(session.id, "poll:updated", { poll: view, version: updated.version });
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
    this.publish.toStaff(session.id, "poll:deleted", { pollId: poll.id, version });
    return null;
  }

  open(actor: Actor | null, input: { pollId: string; durationSeconds?: number | null }): Promise<PollView> {
    return this.move(actor, input.pollId, "poll:open", {
      from: ["draft"],
      already: "open",
      wrong: "This poll has already run. Reopen it to take more answers.",
      set: (poll, now) => openFields(now, input.durationSeconds === undefined ? poll.durationSeconds : input.durationSeconds),
      fact: "poll:opened",
    });
  }

  close(actor: Actor | null, pollId: string): Promise<PollView> {
    return this.move(actor, pollId, "poll:close", {
      from: ["open"],
      already: "closed",
      wrong: "This poll is still a draft: launch it first.",
      set: (_poll, now) => ({ status: "closed", closedAt: now, closesAt: null }),
      fact: "poll:closed",
    });
  }

  /** Closing is final unless a moderator reopens explicitly; every earlier answer stays. */
  reopen(actor: Actor | null, input: { pollId: string; durationSeconds?: number | null }): Promise<PollView> {
    return this.move(actor, input.pollId, "poll:reopen", {
      from: ["closed"],
      already: "open",
      wrong: "This poll is still a draft: launch it first.",
      // A reopened poll takes new answers, so results published for the earlier round are withdrawn
      // until a moderator publishes again.
      set: (poll, now) => ({ ...openFields(now, input.durationSeconds === undefined ? poll.durationSeconds : input.durationSeconds), publishedAt: null }),
      fact: "poll:reopened",
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
    if (!done) return toPollView((await q.findPoll(this.db, poll.id)) ?? poll, await this.definition(poll)); // already published
    const view = toPollView(done.row, await this.definition(done.row));
    await this.auditOk(actor, "poll:publish", session, poll.id, { published: false }, { published: true });
    this.publish.toSession(session.id, "poll:published", { poll: view, version: done.version });
    this.scheduleResults(poll.id, 0);
    return view;
  }

  // ── Answering (poll:answer) ──────────────────────────────────────────────────────────────────────

  /**
   * One answer per person per poll; a new answer replaces the earlier one while the poll is open. The
   * row is written before the acknowledgement; totals go out with the next tick.
   */
  async answer(actor: Actor | null, input: { pollId: string; answer: PollAnswer }, socketId?: string): Promise<MyAnswer> {
    const { poll, session, def } = await this.answerContext(input.pollId);
    await this.guard.require(actor, "poll:answer", session, { type: "poll", id: poll.id });
    const now = this.clock.now();
    if (chathamOver(session, now)) throw pollClosed();
    const stored = checkAnswer(def, input.answer);
    let written: { seq: number; answeredAt: Date } | undefined;
    try {
      written = await this.answers.add({ pollId: poll.id, voterId: actor!.userId, answer: stored, at: now });
    } catch (err) {
      // The driver's message carries the statement's parameters (the voter's id): log the code only.
      this.log.error("poll answer failed", { pollId: poll.id, code: pgCode(err) });
      throw new AppError("internal", "Your answer could not be saved. Try again.");
    }
    if (!written) {
      const current = await q.findPoll(this.db, poll.id);
      if (!current) throw pollNotFound();
      if (current.status === "draft") throw new AppError("poll_not_open", "This poll has not been launched yet.");
      throw pollClosed();
    }
    this.generations.set(poll.id, (this.generations.get(poll.id) ?? 0) + 1);
    trim(this.generations);
    const mine: MyAnswer = { pollId: poll.id, answer: answerOf(def, stored), answeredAt: written.answeredAt.toISOString() };
    this.publish.toUser(actor!.userId, "poll:answered", mine, socketId);
    this.scheduleResults(poll.id);
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
        const written = await q.answersIfOpen(this.db, pollId, group.map((p) => p.item));
        for (const p of group) p.resolve(written.get(p.item.voterId));
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    }
  }

  /**
   * What checking an answer needs: the poll's definition (frozen once launched), its session's policy
   * (kept for a moment, so a burst of answers costs one write each) and the poll's last known state.
   * Whether the poll is open is decided by the write itself, never from this.
   */
  private async answerContext(pollId: string): Promise<{ poll: PollRow; session: SessionRow; def: PollDefinition }> {
    const hit = this.answerContexts.get(pollId);
    if (hit && Date.now() - hit.at < ANSWER_CONTEXT_MS) return hit;
    const found = await q.findPollWithSession(this.db, pollId);
    if (!found) throw pollNotFound();
    if (found.poll.status === "draft") throw new AppError("poll_not_open", "This poll has not been launched yet.");
    const entry = { ...found, def: await this.definition(found.poll), at: Date.now() };
    this.answerContexts.set(pollId, entry);
    trim(this.answerContexts);
    return entry;
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
      this.publish.toSession(done.row.sessionId, "poll:closed", { poll: toPollView(done.row, await this.definition(done.row)), version: done.version });
      this.scheduleResults(done.row.id, 0);
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
      this.publish.toSession(row.sessionId, "poll:closed", { poll: toPollView(row, await this.definition(row)), version });
      this.scheduleResults(row.id, 0);
    }
    if (erased > 0 || closed.length > 0) this.log.info("chatham house poll links erased", { erased, closed: closed.length });
    return { closed: closed.length, erased };
  }

  // ── Results ──────────────────────────────────────────────────────────────────────────────────────

  /** Coalesces results broadcasts: at most one per poll per tick, whatever the number of answers. */
  private scheduleResults(pollId: string, delay = this.tickMs): void {
    if (this.stopped || this.pendingTicks.has(pollId)) return;
    const t = setTimeout(() => {
      this.pendingTicks.delete(pollId);
      this.broadcastResults(pollId).catch((err: unknown) => {
        if (!this.stopped) this.log.warn("poll results broadcast failed", { pollId, code: pgCode(err) });
      });
    }, delay);
    t.unref();
    this.pendingTicks.set(pollId, t);
  }

  private async broadcastResults(pollId: string): Promise<void> {
    if (this.stopped) return;
    const found = await q.findPollWithSession(this.db, pollId);
    if (!found || found.poll.status === "draft" || !found.session.pollsEnabled) return;
    const results = await this.results(found.poll, found.session, false);
    if (resultsPublic(found.poll)) this.publish.toSession(found.session.id, "poll:results", results);
    else this.publish.toResultViewers(found.session.id, "poll:results", results);
  }

  /**
   * Totals through the one projection. Snapshots may reuse totals for up to a tick, unless this
   * process has written an answer since they were read (answers on other instances: the next tick).
   */
  private async results(poll: PollRow, session: SessionRow, cached: boolean): Promise<PollResults> {
    const generation = this.generations.get(poll.id) ?? 0;
    const startedAt = Date.now();
    const hit = cached ? this.resultsCache.get(poll.id) : undefined;
    if (hit && hit.generation === generation && startedAt - hit.at < this.tickMs) return hit.results;
    const def = await this.definition(poll);
    const { groups, seq } = await q.answerGroups(this.db, poll.id);
    const results = projectResults(def, tally(def, groups), { chathamHouse: session.rule === "chatham_house", seq, at: this.clock.now() });
    // Reads may finish out of order: an older one never replaces a newer one.
    const prev = this.resultsCache.get(poll.id);
    if (!prev || (generation >= prev.generation && seq >= prev.results.seq)) this.resultsCache.set(poll.id, { at: startedAt, generation, results });
    trim(this.resultsCache);
    return results;
  }

  // ── Helpers ──────────────────────────────────────────────────────────────────────────────────────

  private viewer(actor: Actor | null, session: SessionRow) {
    return {
      manage: this.guard.allowed(actor, "poll:manage", session),
      viewResults: this.guard.allowed(actor, "poll:view-results", session),
      answer: this.guard.allowed(actor, "poll:answer", session),
    };
  }

  private async move(
    actor: Actor | null,
    pollId: string,
    action: StaffAction,
    how: {
      from: PollRow["status"][];
      already: PollRow["status"];
      wrong: string;
      set: (poll: PollRow, now: Date) => Partial<NewPollRow>;
      fact: "poll:opened" | "poll:closed" | "poll:reopened";
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
      if (current.status === how.already) return toPollView(current, await this.definition(current));
      throw new AppError("conflict", how.wrong);
    }
    const view = toPollView(done.row, await this.definition(done.row));
    await this.auditOk(actor, action, session, poll.id, { status: poll.status }, { status: view.status, closesAt: view.closesAt });
    this.publish.toSession(session.id, how.fact, { poll: view, version: done.version });
    this.scheduleResults(poll.id, 0);
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

  /** A poll's definition. Launched polls never change again, so theirs is kept in memory. */
  private async definition(poll: PollRow, fresh = false): Promise<PollDefinition> {
    const hit = !fresh && poll.status !== "draft" ? this.definitions.get(poll.id) : undefined;
    if (hit) return hit;
    const def = definitionOf(poll, await q.listOptions(this.db, [poll.id]));
    if (poll.status !== "draft") {
      this.definitions.set(poll.id, def);
      trim(this.definitions);
    }
    return def;
  }

  private async definitionsOf(rows: PollRow[]): Promise<Map<string, PollDefinition>> {
    const options = await q.listOptions(
      this.db,
      rows.map((r) => r.id),
    );
    return new Map(
      rows.map((r) => [
        r.id,
        definitionOf(
          r,
          options.filter((o) => o.pollId === r.id),
        ),
      ]),
    );
  }

  private async sessionBySlug(slug: string): Promise<SessionRow> {
    const session = await q.findSessionBySlug(this.db, slug);
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    return session;
  }

  private auditOk(actor: Actor | null, action: string, session: SessionRow, pollId: string, before: unknown, after: unknown): Promise<void> {
    return this.audit.record({ actor, action, outcome: "ok", objectType: "poll", objectId: pollId, session: { id: session.id, rule: session.rule }, before, after });
  }
}

function parseDraft(raw: unknown): PollDraft {
  const parsed = pollDraftSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_payload", `${issue.path.join(".") || "draft"}: ${issue.message}`);
  }
  return parsed.data;
}

function draftFields(d: PollDraft): Omit<NewPollRow, "sessionId" | "clientKey"> {
  return {
    kind: d.kind,
    question: d.question,
    resultsVisibility: d.resultsVisibility,
    durationSeconds: d.durationSeconds,
    maxPicks: d.kind === "multiple" ? d.maxPicks : null,
    scaleMax: d.kind === "rating" ? d.scaleMax : null,
    lowLabel: d.kind === "rating" ? d.lowLabel : null,
    highLabel: d.kind === "rating" ? d.highLabel : null,
  };
}

function openFields(now: Date, durationSeconds: number | null | undefined): Partial<NewPollRow> {
  return {
    status: "open",
    openedAt: now,
    closedAt: null,
    durationSeconds: durationSeconds ?? null,
    closesAt: durationSeconds ? new Date(now.getTime() + durationSeconds * 1000) : null,
  };
}

function chathamOver(session: SessionRow, now: Date): boolean {
  return session.rule === "chatham_house" && session.endsAt <= now;
}

function summary(v: PollView) {
  return { kind: v.kind, question: v.question, options: v.options.map((o) => o.label), resultsVisibility: v.resultsVisibility, status: v.status };
}

const pollNotFound = () => new AppError("not_found", "There is no such poll. It may have been deleted; reload the page.");
const pollClosed = () => new AppError("poll_closed", "This poll is closed: answers are no longer taken.");
const notDraft = () => new AppError("conflict", "Only a draft can be edited; this poll has been launched.");

/** Caches are per poll; a process keeps at most the most recent thousands of polls. */
function trim(map: Map<string, unknown>, max = 2000): void {
  if (map.size > max) map.delete(map.keys().next().value!);
}

/** A Postgres error code, or the error's name: never its message, which may carry parameters. */
function pgCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; e && i < 5; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === "string") return c;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : "unknown";
}
