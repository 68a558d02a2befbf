/**
 * Audience Q&A: the rules. Every command is authorized through the guard, checked against the
 * session's state, written in one transaction (under the session's Q&A row lock, which orders the
 * session's versions) and only then acknowledged and announced.
 */
import { createHmac } from "node:crypto";
import type { QaSessionRow, QuestionRow, SessionRow } from "../../db/schema";
import type { Actor } from "../auth/actor";
import type { AuditEntry, AuditService } from "../audit/service";
import type { Guard } from "../auth/guard";
import type { Action } from "../auth/policy";
import type { Clock } from "../clock";
import { errorName, type Logger } from "../log";
import type { AgendaService } from "../agenda/service";
import { AppError } from "../errors";
import { isCheckViolation } from "../db-errors";
import { rankSimilar } from "../../lib/qa-similarity";
import type { ModerationResult, OwnQuestion, QaSync, QaView, SimilarQuestion, SubmitResult, VoteResult } from "../../lib/qa";
import {
  qaSyncSchema,
  questionAnswerSchema,
  questionModerateSchema,
  questionSimilarSchema,
  questionSubmitSchema,
  questionVoteSchema,
  qaConfigureSchema,
  qaInterleaveSchema,
  qaPauseSchema,
  qaUndoSchema,
  type ModerationAction,
  type QuestionVoteInput,
} from "../../lib/schemas/qa";
import type { z } from "zod";
import type { QaFanout, QuestionChange } from "./fanout";
import { Batcher, type Pending } from "../batch";
import { CommandGate } from "./gate";
import { projectOwn, projectQuestion, projectState, visibleTo } from "./projection";
import * as q from "./queries";

/** Questions one person may ask per session in a minute, counted in the database (holds across instances). */
export const ASK_LIMIT = { count: 5, windowMs: 60_000 };

const VIEW_RANK: Record<QaView, number> = { audience: 0, panel: 1, staff: 2 };

/** The fields of a question that moderation changes, and undo restores. */
const RESTORABLE = ["status", "text", "originalText", "dismissReason", "starred", "tags", "routedTo", "mergedInto", "panelOrder", "answeredAt"] as const;
type Restorable = Pick<QuestionRow, (typeof RESTORABLE)[number]>;

interface UndoRecord {
  questions: Array<{ id: string; versionAfter: number; restore: Omit<Restorable, "answeredAt"> & { answeredAt: string | null } }>;
  recount: string[];
  stage?: { before: string | null; after: string | null };
}

interface Outcome {
  changes: Array<{ before: QuestionRow; after: QuestionRow }>;
  recount: string[];
  stage?: { before: string | null; after: string | null };
  summary: string;
}

/** What a staff command writes besides its own changes: its stored answer, its undo record, its audit entry. */
interface StaffWrite {
  result: ModerationResult;
  kind: string;
  undo: UndoRecord | null;
  /** Written in the same transaction; absent when the command's own module writes one (qa:configure → agenda:edit). */
  audit?: AuditEntry;
}

/** The answer stored under a key: the result, or a refusal that changed something (an undo that left the history). */
type StoredAnswer = ModerationResult | { refused: { code: AppError["code"]; message: string; current?: unknown } };

export interface QaDeps {
  db: q.Db;
  /** PGlite: commands run one at a time with an event-loop turn between them; Postgres: the audience's at most 8 at once (gate.ts). */
  serialCommands: boolean;
  audit: AuditService;
  guard: Guard;
  clock: Clock;
  log: Logger;
  agenda: AgendaService;
  fanout: QaFanout;
  /** Keys the per-person outbox name (`outboxKey`); the server's auth secret. */
  outboxSecret: string;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_payload", `${issue.path.join(".") || "payload"}: ${issue.message}`);
  }
  return parsed.data;
}

const STATUS_WORDS: Record<QuestionRow["status"], string> = {
  pending: "awaiting review",
  approved: "approved",
  answered: "answered",
  dismissed: "dismissed",
  merged: "merged into another question",
};

/** A vote waiting for its batch: the parsed command and who sent it (authorized when the batch is written). */
type VoteCommand = QuestionVoteInput & { actor: Actor | null };

interface VoteGroup {
  session: SessionRow;
  questionId: string;
  ups: Array<Pending<VoteCommand, VoteResult>>;
  downs: Array<Pending<VoteCommand, VoteResult>>;
}

/** The most votes written in one batch. */
const VOTES_PER_BATCH = 500;

/** A sync's answer, with the view it was given. */
type ViewSync = QaSync & { view: QaView };

/** A sync waiting for its batch. */
interface SyncCommand {
  actor: Actor | null;
  input: unknown;
  requested?: QaView;
  screens?: ReadonlySet<string>;
  join?: (sync: ViewSync) => Promise<void> | void;
}

interface SyncItem {
  p: Pending<SyncCommand, ViewSync>;
  view: QaView;
  since?: number;
}

/** The most syncs answered in one batch. */
const SYNCS_PER_BATCH = 500;

export class QaService {
  readonly gate: CommandGate;
  private readonly votes: Batcher<VoteCommand, VoteResult>;
  private readonly syncs: Batcher<SyncCommand, ViewSync>;

  constructor(private readonly d: QaDeps) {
    this.gate = new CommandGate({ serial: d.serialCommands, audienceConcurrency: 8 });
    this.votes = new Batcher({
      name: "qa_votes",
      max: VOTES_PER_BATCH,
      schedule: (job) => this.gate.run(job, "audience"),
      // One vote per person in a batch: a second one (a change of mind) must see the first written.
      oncePer: (cmd) => cmd.actor?.userId,
      write: (batch) => this.writeVotes(batch),
    });
    this.syncs = new Batcher({ name: "qa_syncs", max: SYNCS_PER_BATCH, schedule: (job) => this.gate.run(job, "audience"), write: (batch) => this.writeSyncs(batch) });
  }

  /** Votes received and not yet answered (for tests and logs). */
  get votesPending(): number {
    return this.votes.pending;
  }

  // ── Reading ─────────────────────────────────────────────────────────────────────────────────────

  private async sessionRow(slug: string): Promise<SessionRow> {
    const session = await this.d.agenda.findRow(slug);
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    return session;
  }

  /** The richest view this actor has in the session, lowered to `requested` (a room screen asks for the audience's). */
  viewFor(actor: Actor | null, session: SessionRow, requested?: QaView): QaView | null {
    const g = (a: Action) => this.d.guard.allowed(actor, a, session);
    const best: QaView | null = g("question:moderate") ? "staff" : g("panel:view") ? "panel" : g("question:vote") ? "audience" : null;
    if (!best || !requested) return best;
    return VIEW_RANK[requested] < VIEW_RANK[best] ? requested : best;
  }

  private async timeZone(): Promise<string> {
    return (await this.d.agenda.getEvent()).timeZone;
  }

  private async state(session: SessionRow, qa?: QaSessionRow) {
    return projectState(session, qa ?? (await q.getQaSession(this.d.db, session.id)), this.d.clock.now(), await this.timeZone());
  }

  private async panelistNames(sessionId: string): Promise<Map<string, string>> {
    return new Map((await q.panelistsOf(this.d.db, sessionId)).map((p) => [p.id, p.name]));
  }

  /**
   * The snapshot a view needs, or only what changed since `since` when the client holds a version.
   * `screens` are the sessions this socket joined as a room screen: there it gets the audience's view,
   * whatever it asks for. `join` runs with the answer before it is given, in the same turn at the gate
   * (the socket joins its view's rooms before any later change is announced).
   *
   * Syncs are answered in batches (server/batch.ts): a room of phones opening the page at once, or
   * reconnecting after a restart, costs a few reads of the session's questions, not a few per phone.
   */
  sync(actor: Actor | null, input: unknown, requested?: QaView, screens?: ReadonlySet<string>, join?: (sync: ViewSync) => Promise<void> | void): Promise<ViewSync> {
    return this.syncs.add({ actor, input, requested, screens, join });
  }

  private async writeSyncs(batch: Array<Pending<SyncCommand, ViewSync>>): Promise<void> {
    const sessionsBySlug = new Map<string, Promise<SessionRow>>();
    const bySession = new Map<string, { session: SessionRow; items: SyncItem[] }>();
    for (const p of batch) {
      const { actor, input, requested, screens } = p.item;
      try {
        const { slug, since } = parse(qaSyncSchema, input);
        if (!sessionsBySlug.has(slug)) sessionsBySlug.set(slug, this.sessionRow(slug));
        const session = await sessionsBySlug.get(slug)!;
        const view = this.viewFor(actor, session, screens?.has(session.id) ? "audience" : requested);
        if (!view) {
          await this.d.guard.require(actor, "question:vote", session);
          throw new AppError("forbidden", "You cannot see the questions of this session.");
        }
        let group = bySession.get(session.id);
        if (!group) bySession.set(session.id, (group = { session, items: [] }));
        group.items.push({ p, view, since });
      } catch (err) {
        p.reject(err);
      }
    }
    for (const { session, items } of bySession.values()) {
      let answers: ViewSync[];
      try {
        answers = await this.syncsOf(session, items);
      } catch (err) {
        for (const { p } of items) p.reject(err);
        continue;
      }
      for (const [i, { p }] of items.entries()) {
        try {
          await p.item.join?.(answers[i]);
          p.resolve(answers[i]);
        } catch (err) {
          p.reject(err);
        }
      }
    }
  }

  /** The answers to several syncs of one session: what they share is read once. */
  private async syncsOf(session: SessionRow, items: SyncItem[]): Promise<ViewSync[]> {
    const db = this.d.db;
    // Read the version before the questions: a change committed in between shows up twice, never not at all.
    let qa = await q.getQaSession(db, session.id);
    if (!qa) {
      await q.ensureQaSession(db, session.id);
      qa = (await q.getQaSession(db, session.id))!;
    }
    const people = [...new Set(items.flatMap(({ p }) => (p.item.actor ? [p.item.actor.userId] : [])))];
    const [mineBy, votesBy] = await Promise.all([q.questionsBy(db, session.id, people), q.votesOf(db, session.id, people)]);
    const state = await this.state(session, qa);
    const shared = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
      if (!shared.has(key)) shared.set(key, read());
      return shared.get(key) as Promise<T>;
    };
    const answers: ViewSync[] = [];
    for (const { p, view, since } of items) {
      const actor = p.item.actor;
      const panelists = view === "audience" ? [] : await once("panelists", () => q.panelistsOf(db, session.id));
      const names = new Map(panelists.map((x) => [x.id, x.name]));
      const visible = await once(`visible ${view === "staff"}`, () => q.listQuestions(db, session.id, view === "staff" ? undefined : (["approved", "answered"] as const)));
      const base = {
        sessionId: session.id,
        slug: session.slug,
        view,
        version: qa.version,
        state,
        votes: await once(`votes ${view === "staff"}`, async () => Object.fromEntries(visible.map((r) => [r.id, r.voteCount]))),
        myVotes: actor ? votesBy.get(actor.userId)! : [],
        mine: await this.ownQuestions(actor ? mineBy.get(actor.userId)! : [], qa.onStageQuestionId),
        panelists: view === "staff" ? panelists : [],
        counts: view === "staff" ? await once("counts", () => q.counts(db, session.id)) : null,
        outboxKey: actor ? this.outboxKey(actor) : null,
      };
      if (since !== undefined && since <= qa.version) {
        const changed = await once(`since ${since}`, () => q.listChangedSince(db, session.id, since));
        answers.push({
          ...base,
          kind: "changes",
          since,
          questions: changed.filter((r) => visibleTo(view, r.status)).map((r) => projectQuestion(r, view, names)),
          // Only questions this view could have shown at `since`: one it never could (still pending,
          // dismissed or merged before it was ever approved) is not even named.
          removed: changed.filter((r) => !visibleTo(view, r.status) && shownBy(r, since)).map((r) => r.id),
        });
      } else {
        // One projection per view for the whole batch (panelists' names are the same for everyone).
        const questions = await once(`snapshot ${view}`, async () => visible.map((r) => projectQuestion(r, view, names)));
        answers.push({ ...base, kind: "snapshot", questions });
      }
    }
    return answers;
  }

  /**
   * The name of this person's outbox in their browser's storage (docs/architecture.md, "Q&A"):
   * opaque, stable for the person, and not their user id or anything sent anywhere else, so a shared
   * browser never sends one person's queued questions under the next person's sign-in.
   */
  outboxKey(actor: Actor): string {
    return createHmac("sha256", this.d.outboxSecret).update(`qa-outbox\0${actor.userId}`).digest("base64url").slice(0, 22);
  }

  private async ownQuestions(rows: QuestionRow[], onStage: string | null): Promise<OwnQuestion[]> {
    const texts = await q.textsOf(this.d.db, [...new Set(rows.map((r) => r.mergedInto).filter((x): x is string => Boolean(x)))]);
    return rows.map((r) => projectOwn(r, onStage, texts));
  }

  /** Approved questions like the one being typed, so the asker can upvote instead. Computed here, on the server. */
  async similar(actor: Actor | null, input: unknown): Promise<SimilarQuestion[]> {
    const { slug, text } = parse(questionSimilarSchema, input);
    const session = await this.sessionRow(slug);
    await this.d.guard.require(actor, "question:ask", session);
    const candidates = await q.listQuestions(this.d.db, session.id, ["approved"]);
    return rankSimilar(
      text,
      candidates.map((r) => ({ id: r.id, text: r.text, votes: r.voteCount })),
      { limit: 3 },
    );
  }

  // ── Audience ────────────────────────────────────────────────────────────────────────────────────

  private assertOpen(session: SessionRow, qa: QaSessionRow | undefined, what: "ask" | "vote"): void {
    if (this.d.clock.now().getTime() >= session.endsAt.getTime()) {
      throw new AppError("session_ended", "This session has ended: questions and votes are closed.");
    }
    if (!session.qaOpen) throw new AppError("qa_closed", "Q&A is closed for this session.");
    if (what === "ask" && qa?.intakePaused) throw new AppError("intake_paused", "The moderators have paused new questions for a moment. You can still vote; try again shortly.");
  }

  async submit(actor: Actor | null, input: unknown): Promise<SubmitResult> {
    const { slug, key, text, anonymous: wantsAnonymous } = parse(questionSubmitSchema, input);
    const session = await this.sessionRow(slug);
    await this.d.guard.require(actor, "question:ask", session);
    const me = actor!;
    await q.ensureQaSession(this.d.db, session.id);

    // A resend of something already stored gets the stored question, whatever changed since.
    const existing = await q.findQuestionByKey(this.d.db, session.id, me.userId, key);
    if (existing) return { question: await this.own(existing), duplicate: true };

    const qa = await q.getQaSession(this.d.db, session.id);
    this.assertOpen(session, qa, "ask");
    const now = this.d.clock.now();
    const recent = await q.questionsAskedSince(this.d.db, session.id, me.userId, new Date(now.getTime() - ASK_LIMIT.windowMs));
    if (recent.length >= ASK_LIMIT.count) {
      const retryAfterMs = Math.max(1000, recent[0].getTime() + ASK_LIMIT.windowMs - now.getTime());
      throw new AppError("rate_limited", `You can ask ${ASK_LIMIT.count} questions a minute. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });
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
      await q.transaction(this.d.db, async (tx) => {
        version = (await q.bumpVersion(tx, session.id)).version;
        created = await q.insertQuestion(tx, {
          sessionId: session.id,
          authorId: me.userId,
          chatham,
          anonymous,
          authorName: anonymous ? null : me.name,
          authorAffiliation: anonymous ? null : me.affiliation,
          origin: me.kind === "device" || me.attendanceMode === "in_person" ? "room" : "remote",
          text,
          status: open ? "approved" : "pending",
          panelOrder: open ? (await q.maxPanelOrder(tx, session.id)) + 1 : 0,
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
        const row = await q.findQuestionByKey(this.d.db, session.id, me.userId, key);
        if (row) return { question: await this.own(row), duplicate: true };
      }
      throw this.dbFault(err);
    }
    const row = created!;
    this.d.fanout.questionsChanged(session.id, version, [{ row }], new Map());
    const own = projectOwn(row, qa?.onStageQuestionId ?? null, new Map());
    this.d.fanout.mine(me.userId, session.id, own);
    void this.announceCounts(session, version);
    return { question: own, duplicate: false };
  }

  private async own(row: QuestionRow): Promise<OwnQuestion> {
    const qa = await q.getQaSession(this.d.db, row.sessionId);
    const [own] = await this.ownQuestions([row], qa?.onStageQuestionId ?? null);
    return own;
  }

  /**
   * A vote is written in a batch with the votes that arrived while the previous batch was being
   * written (server/batch.ts): one transaction per question, not per vote.
   */
  vote(actor: Actor | null, input: unknown): Promise<VoteResult> {
    let cmd: VoteCommand;
    try {
      cmd = { actor, ...parse(questionVoteSchema, input) };
    } catch (err) {
      return Promise.reject(err);
    }
    return this.votes.add(cmd);
  }

  /** A batch holds one vote per person (`oncePer`): so its votes on one question are each by a different person. */
  private async writeVotes(batch: Array<Pending<VoteCommand, VoteResult>>): Promise<void> {
    const sessionsBySlug = new Map<string, Promise<SessionRow>>();
    const groups = new Map<string, VoteGroup>();
    for (const p of batch) {
      const { actor, slug, questionId, up } = p.item;
      try {
        if (!sessionsBySlug.has(slug)) sessionsBySlug.set(slug, this.sessionRow(slug));
        const session = await sessionsBySlug.get(slug)!;
        await this.d.guard.require(actor, "question:vote", session);
        this.assertOpen(session, undefined, "vote");
        const key = `${session.id} ${questionId}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { session, questionId, ups: [], downs: [] }));
        (up ? group.ups : group.downs).push(p);
      } catch (err) {
        p.reject(err);
      }
    }
    let first = true;
    for (const group of groups.values()) {
      // On PGlite every query runs on this thread: let sockets and timers in between two questions.
      if (!first && this.d.serialCommands) await new Promise<void>((resolve) => setImmediate(resolve));
      first = false;
      try {
        await this.writeVoteGroup(group);
      } catch (err) {
        const fault = this.dbFault(err);
        for (const p of [...group.ups, ...group.downs]) p.reject(fault);
      }
    }
  }

  /** The votes of one batch on one question, each by a different person, in one transaction. */
  private async writeVoteGroup({ session, questionId, ups, downs }: VoteGroup): Promise<void> {
    const voterOf = (p: Pending<VoteCommand, VoteResult>) => p.item.actor!.userId;
    const { targetId, votes } = await q.transaction(this.d.db, async (tx) => {
      let target = await q.lockQuestion(tx, session.id, questionId);
      // A vote for a question merged into another counts for the one it was merged into.
      if (target?.mergedInto) target = await q.lockQuestion(tx, session.id, target.mergedInto);
      if (!target || !visibleTo("audience", target.status)) throw new AppError("not_found", "That question is not open for votes (it may have been removed by the moderators).");
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
    this.d.fanout.voted(session.id, targetId);
  }

  // ── Moderation ──────────────────────────────────────────────────────────────────────────────────

  async moderate(actor: Actor | null, input: unknown): Promise<ModerationResult> {
    const cmd = parse(questionModerateSchema, input);
    const session = await this.sessionRow(cmd.slug);
    await this.d.guard.require(actor, "question:moderate", session, { type: "question", id: cmd.questionId });
    return this.act(actor!, session, cmd.key, cmd.questionId, cmd.expectedVersion, cmd.action);
  }

  /** Panelists mark the question they answered (moderators may too). */
  async answer(actor: Actor | null, input: unknown): Promise<ModerationResult> {
    const cmd = parse(questionAnswerSchema, input);
    const session = await this.sessionRow(cmd.slug);
    await this.d.guard.require(actor, "question:answer", session, { type: "question", id: cmd.questionId });
    return this.act(actor!, session, cmd.key, cmd.questionId, cmd.expectedVersion, { type: "answer" });
  }

  /** The answer stored under this person's key, if the command was done (a refusal that changed something is thrown again). */
  /**
   * The answer stored under this person's key, if the key was used. A key used for a command in
   * another session is refused (a client that reuses keys would otherwise be told another session's
   * result as if its command had been carried out).
   */
  private async replay(actor: Actor, session: SessionRow, key: string, db: q.Db = this.d.db): Promise<ModerationResult | undefined> {
    const done = await q.findActionByKey(db, actor.userId, key);
    if (!done) return undefined;
    if (done.sessionId !== session.id) {
      throw new AppError("conflict", "This command's key was already used for a command in another session, so nothing was done. Send the command again with a new key.");
    }
    return answerOf(done.result as StoredAnswer);
  }

  /**
   * Runs one staff command at most once per idempotency key. The key is looked up again under the
   * session's Q&A row lock, inside the transaction that makes the change and stores the answer and
   * the audit entry: of two sends of one key (a resend racing the original), the second waits for the
   * first and answers with its result instead of acting again. The unique (actor, key) index settles
   * what the per-session lock cannot (the same key sent to two sessions).
   */
  private async once<T extends StaffWrite>(
    me: Actor,
    session: SessionRow,
    key: string,
    work: (tx: q.Db, qa: QaSessionRow, now: Date) => Promise<T>,
  ): Promise<{ replayed: ModerationResult } | { done: T }> {
    const stored = await this.replay(me, session, key);
    if (stored) return { replayed: stored };
    await q.ensureQaSession(this.d.db, session.id);
    await this.timeZone(); // loaded before the transaction (on PGlite a read outside it would wait for it)
    const now = this.d.clock.now();
    try {
      const done = await q.transaction(this.d.db, async (tx) => {
        const qa = await q.bumpVersion(tx, session.id);
        const first = await this.replay(me, session, key, tx);
        if (first) throw new Replayed(first);
        const done = await work(tx, qa, now);
        const claimed = await q.insertAction(tx, { sessionId: session.id, actorId: me.userId, clientKey: key, kind: done.kind, undo: done.undo, result: done.result, createdAt: now });
        if (!claimed) throw new Replayed(undefined);
        if (done.audit) await this.d.audit.recordIn(tx, done.audit);
        return done;
      });
      return { done };
    } catch (err) {
      if (err instanceof Replayed) {
        const result = err.result ?? (await this.replay(me, session, key));
        if (result) return { replayed: result };
      }
      throw this.dbFault(err);
    }
  }

  private async act(actor: Actor, session: SessionRow, key: string, questionId: string, expectedVersion: number, action: ModerationAction): Promise<ModerationResult> {
    const names = await this.panelistNames(session.id);
    const r = await this.once(actor, session, key, async (tx, locked, now) => {
      let qa = locked;
      const row = await q.lockQuestion(tx, session.id, questionId);
      if (!row) throw new AppError("not_found", "That question does not exist in this session.");
      if (row.version !== expectedVersion) {
        throw new AppError(
          "version_conflict",
          `Someone else changed this question a moment ago (it is now ${STATUS_WORDS[row.status]}). Your action was not applied: check it and try again.`,
          { current: projectQuestion(row, "staff", names) },
        );
      }
      const outcome = await this.apply(tx, session, qa, row, action, names, now);
      if (outcome.stage) qa = await q.setSessionState(tx, session.id, { onStageQuestionId: outcome.stage.after });
      return {
        outcome,
        qa,
        result: { questions: outcome.changes.map((c) => projectQuestion(c.after, "staff", names)), state: await this.state(session, qa), version: qa.version, summary: outcome.summary },
        kind: action.type,
        undo: undoRecordOf(outcome),
        audit: auditOf(actor, session, `question:${action.type}`, outcome, names, questionId),
      };
    });
    if ("replayed" in r) return r.replayed;
    await this.afterChange(session, r.done.outcome, r.done.qa, names);
    return r.done.result;
  }

  /**
   * Under the Chatham House Rule the voter links are erased when the session ends (and the agenda may
   * still move its end after that): from the end on, votes can no longer be counted again from who voted.
   */
  private votesUnlinked(session: SessionRow, qa: QaSessionRow, now: Date): boolean {
    return session.rule === "chatham_house" && (qa.authorsErasedAt !== null || now.getTime() >= session.endsAt.getTime());
  }

  /** One moderation action on a locked question; returns the rows before and after. */
  private async apply(tx: q.Db, session: SessionRow, qa: QaSessionRow, row: QuestionRow, action: ModerationAction, names: Map<string, string>, now: Date): Promise<Outcome> {
    const version = qa.version;
    const change = async (target: QuestionRow, patch: Partial<QuestionRow>) => ({
      before: target,
      after: await q.updateQuestion(tx, target.id, { ...patch, ...publishedAt(target, patch.status, version), version: target.version + 1, seq: version, updatedAt: now }),
    });
    const onStage = qa.onStageQuestionId;
    const leaveStage = (id: string) => (onStage === id ? { before: onStage, after: null } : undefined);
    const need = (ok: boolean, message: string) => {
      if (!ok) throw new AppError("conflict", message);
    };
    const notMerged = () => need(row.status !== "merged", "This question was merged into another; act on that one.");

    switch (action.type) {
      case "approve": {
        need(row.status === "pending" || row.status === "dismissed", `Only a question awaiting review or dismissed can be approved; this one is ${STATUS_WORDS[row.status]}.`);
        const order = (await q.maxPanelOrder(tx, session.id)) + 1;
        return { changes: [await change(row, { status: "approved", dismissReason: null, panelOrder: order })], recount: [], summary: "Approved." };
      }
      case "dismiss":
        need(row.status === "pending" || row.status === "approved", `Only a question awaiting review or approved can be dismissed; this one is ${STATUS_WORDS[row.status]}.`);
        return { changes: [await change(row, { status: "dismissed", dismissReason: action.reason })], recount: [], stage: leaveStage(row.id), summary: `Dismissed: ${action.reason}` };
      case "restore":
        need(row.status === "dismissed", "Only a dismissed question can be restored.");
        return { changes: [await change(row, { status: "pending", dismissReason: null })], recount: [], summary: "Restored to the incoming list." };
      case "edit":
        notMerged();
        if (action.text === row.text) return { changes: [], recount: [], summary: "The text is unchanged." };
        return { changes: [await change(row, { text: action.text, originalText: row.originalText ?? row.text })], recount: [], summary: "Text edited; the original is kept." };
      case "star":
        notMerged();
        return { changes: [await change(row, { starred: action.starred })], recount: [], summary: action.starred ? "Starred." : "Star removed." };
      case "tags":
        notMerged();
        return { changes: [await change(row, { tags: action.tags })], recount: [], summary: action.tags.length ? `Tags: ${action.tags.join(", ")}.` : "Tags removed." };
      case "route": {
        notMerged();
        if (action.panelistId && !names.has(action.panelistId)) throw new AppError("bad_request", "That person is not a panelist of this session.");
        const who = action.panelistId ? names.get(action.panelistId) : null;
        return { changes: [await change(row, { routedTo: action.panelistId })], recount: [], summary: who ? `Routed to ${who}.` : "No longer routed to a panelist." };
      }
      case "merge": {
        need(row.status === "pending" || row.status === "approved", "Only a question awaiting review or approved can be merged into another.");
        if (action.intoId === row.id) throw new AppError("bad_request", "A question cannot be merged into itself.");
        if (this.votesUnlinked(session, qa, now)) {
          throw new AppError(
            "session_ended",
            "This session has ended and, under the Chatham House Rule, its votes are no longer linked to anyone, so they cannot be combined: questions can no longer be merged.",
          );
        }
        const target = await q.lockQuestion(tx, session.id, action.intoId);
        if (!target) throw new AppError("not_found", "The question to merge into does not exist in this session.");
        need(target.status === "pending" || target.status === "approved" || target.status === "answered", "Merge into a question that is awaiting review, approved or answered.");
        const changes = [await change(row, { status: "merged", mergedInto: target.id })];
        // Questions merged into this one follow it, so every merge has one level.
        for (const child of await q.lockMergedChildren(tx, row.id)) changes.push(await change(child, { mergedInto: target.id }));
        await q.recountVotes(tx, target.id);
        await q.recountVotes(tx, row.id);
        const t = await change(target, {});
        changes.push(t);
        return { changes, recount: [target.id, row.id], stage: leaveStage(row.id), summary: "Merged; votes combined." };
      }
      case "stage":
        need(row.status === "approved", "Only an approved question can go on stage.");
        if (onStage === row.id) return { changes: [], recount: [], summary: "Already on stage." };
        return { changes: [], recount: [], stage: { before: onStage, after: row.id }, summary: "On stage." };
      case "unstage":
        need(onStage === row.id, "This question is not on stage.");
        return { changes: [], recount: [], stage: { before: onStage, after: null }, summary: "Taken off stage." };
      case "answer":
        need(row.status === "approved", `Only an approved question can be marked answered; this one is ${STATUS_WORDS[row.status]}.`);
        return { changes: [await change(row, { status: "answered", answeredAt: now })], recount: [], stage: leaveStage(row.id), summary: "Marked answered." };
      case "reopen":
        need(row.status === "answered", "Only an answered question can be reopened.");
        return { changes: [await change(row, { status: "approved", answeredAt: null })], recount: [], summary: "Back in the queue." };
      case "move": {
        need(row.status === "approved", "Only approved questions are in the panel queue.");
        const other = await q.queueNeighbor(tx, session.id, row.panelOrder, row.id, action.direction);
        if (!other) return { changes: [], recount: [], summary: action.direction === "up" ? "Already first in the queue." : "Already last in the queue." };
        // Equal orders (never expected, but cheap to handle): nudge so the swap is visible.
        const [a, b] = other.panelOrder === row.panelOrder ? [row.panelOrder + (action.direction === "up" ? -0.5 : 0.5), row.panelOrder] : [other.panelOrder, row.panelOrder];
        return { changes: [await change(row, { panelOrder: a }), await change(other, { panelOrder: b })], recount: [], summary: action.direction === "up" ? "Moved up." : "Moved down." };
      }
    }
  }

  /** Undoes this moderator's last action in the session, if nobody changed those questions since. */
  async undo(actor: Actor | null, input: unknown): Promise<ModerationResult> {
    const { slug, key } = parse(qaUndoSchema, input);
    const session = await this.sessionRow(slug);
    await this.d.guard.require(actor, "question:moderate", session);
    const me = actor!;
    const names = await this.panelistNames(session.id);
    let last: { id: number; kind: string } | undefined;
    try {
      const r = await this.once(me, session, key, async (tx, locked, now) => {
        let qa = locked;
        const action = await q.lastUndoable(tx, session.id, me.userId);
        if (!action) throw new AppError("conflict", "There is nothing of yours to undo in this session.");
        last = { id: action.id, kind: action.kind };
        const record = action.undo as UndoRecord;
        if (record.recount.length && this.votesUnlinked(session, qa, now)) {
          throw new AppError(
            "session_ended",
            `This session has ended and, under the Chatham House Rule, its votes are no longer linked to anyone, so the ${describeKind(action.kind)} cannot be undone (it leaves your undo history).`,
          );
        }
        const changes: Outcome["changes"] = [];
        for (const item of record.questions) {
          const row = await q.lockQuestion(tx, session.id, item.id);
          if (!row) continue;
          if (row.version !== item.versionAfter) {
            throw new AppError("version_conflict", "Someone changed this question after your action, so it cannot be undone (it leaves your undo history). Check its current state.", {
              current: projectQuestion(row, "staff", names),
            });
          }
          const restore = { ...item.restore, answeredAt: item.restore.answeredAt ? new Date(item.restore.answeredAt) : null };
          changes.push({ before: row, after: await q.updateQuestion(tx, row.id, { ...restore, ...publishedAt(row, restore.status, qa.version), version: row.version + 1, seq: qa.version, updatedAt: now }) });
        }
        for (const id of record.recount) await q.recountVotes(tx, id);
        // Counts changed after the rows were read: re-read the recounted ones for the broadcast.
        for (const c of changes) if (record.recount.includes(c.after.id)) c.after = (await q.getQuestion(tx, session.id, c.after.id))!;
        let stage: Outcome["stage"];
        if (record.stage) {
          if (qa.onStageQuestionId !== record.stage.after) {
            if (record.questions.length === 0) throw new AppError("version_conflict", "The stage changed since your action, so it cannot be undone (it leaves your undo history).");
          } else {
            stage = { before: record.stage.after, after: record.stage.before };
            qa = await q.setSessionState(tx, session.id, { onStageQuestionId: record.stage.before });
          }
        }
        await q.markUndone(tx, action.id, now);
        const outcome: Outcome = { changes, recount: record.recount, stage, summary: `Undone: ${describeKind(action.kind)}.` };
        return {
          outcome,
          qa,
          result: { questions: changes.map((c) => projectQuestion(c.after, "staff", names)), state: await this.state(session, qa), version: qa.version, summary: outcome.summary },
          kind: "undo",
          undo: null,
          audit: auditOf(me, session, "question:undo", outcome, names, outcome.changes[0]?.after.id, { undid: action.kind }),
        };
      });
      if ("replayed" in r) return r.replayed;
      await this.afterChange(session, r.done.outcome, r.done.qa, names);
      return r.done.result;
    } catch (err) {
      // An action others have built on (or whose votes are gone) cannot be undone; it leaves the undo
      // history, so the next undo reaches the action before it instead of meeting the same refusal.
      if (AppError.is(err) && (err.code === "version_conflict" || err.code === "session_ended") && last) return this.refuseUndo(me, session, key, last.id, err);
      throw err;
    }
  }

  /**
   * Takes a refused action out of the undo history and stores the refusal under the command's key, in
   * one transaction under the session's lock: a resend of this key then gets the same refusal instead
   * of undoing the action before it.
   */
  private async refuseUndo(me: Actor, session: SessionRow, key: string, actionId: number, refusal: AppError): Promise<ModerationResult> {
    const now = this.d.clock.now();
    const answer: StoredAnswer = { refused: { code: refusal.code, message: refusal.message, ...(refusal.details?.current ? { current: refusal.details.current } : {}) } };
    await q.transaction(this.d.db, async (tx) => {
      await q.lockQaSession(tx, session.id);
      if (await q.findActionByKey(tx, me.userId, key)) return;
      await q.markUndone(tx, actionId, now);
      await q.insertAction(tx, { sessionId: session.id, actorId: me.userId, clientKey: key, kind: "undo", undo: null, result: answer, createdAt: now });
    });
    // Whatever was stored first under this key is the answer (a stored refusal is thrown by replay).
    const stored = await this.replay(me, session, key);
    if (stored) return stored;
    throw refusal;
  }

  /** Stops (or resumes) new questions for a moment; votes continue. */
  async pause(actor: Actor | null, input: unknown): Promise<ModerationResult> {
    const { slug, key, paused } = parse(qaPauseSchema, input);
    const session = await this.sessionRow(slug);
    await this.d.guard.require(actor, "qa:configure", session);
    const r = await this.once(actor!, session, key, async (tx, locked) => {
      const qa = await q.setSessionState(tx, session.id, { intakePaused: paused });
      const summary = paused ? "New questions paused." : "New questions resumed.";
      return {
        qa,
        result: { questions: [], state: await this.state(session, qa), version: qa.version, summary },
        kind: "pause",
        undo: null,
        audit: {
          actor,
          action: "qa:pause",
          outcome: "ok",
          objectType: "session",
          objectId: session.slug,
          session: { id: session.id, rule: session.rule },
          before: { intakePaused: locked.intakePaused },
          after: { intakePaused: paused },
        },
      };
    });
    if ("replayed" in r) return r.replayed;
    this.d.fanout.stateChanged(session.id, r.done.qa.version, r.done.result.state, await q.counts(this.d.db, session.id));
    return r.done.result;
  }

  /** Opens or closes Q&A and sets its mode (an agenda change, audited there as `agenda:edit`), once per key. */
  async configure(actor: Actor | null, input: unknown): Promise<ModerationResult> {
    const { slug, key, ...patch } = parse(qaConfigureSchema, input);
    const session = await this.sessionRow(slug);
    await this.d.guard.require(actor, "qa:configure", session);
    const r = await this.once(actor!, session, key, async (tx, qa) => {
      const { item, row } = await this.d.agenda.updateIn(tx, slug, patch, { actor });
      return {
        item,
        qa,
        result: { questions: [], state: await this.state(row, qa), version: qa.version, summary: "Session settings saved." },
        kind: "configure",
        undo: null,
      };
    });
    if ("replayed" in r) return r.replayed;
    this.d.agenda.announce(r.done.item);
    this.d.fanout.stateChanged(session.id, r.done.qa.version, r.done.result.state, await q.counts(this.d.db, session.id));
    return r.done.result;
  }

  /** Hybrid equity: reorders the panel queue to alternate questions from the room and from remote participants. */
  async interleave(actor: Actor | null, input: unknown): Promise<ModerationResult> {
    const { slug, key } = parse(qaInterleaveSchema, input);
    const session = await this.sessionRow(slug);
    await this.d.guard.require(actor, "question:moderate", session);
    const me = actor!;
    const names = await this.panelistNames(session.id);
    const r = await this.once(me, session, key, async (tx, qa, now) => {
      const queue = await q.lockApprovedQueue(tx, session.id);
      const order = interleaveByOrigin(queue);
      const slots = queue.map((r) => r.panelOrder).sort((a, b) => a - b);
      const changes: Outcome["changes"] = [];
      for (let i = 0; i < order.length; i++) {
        const row = order[i];
        if (row.panelOrder !== slots[i]) changes.push({ before: row, after: await q.updateQuestion(tx, row.id, { panelOrder: slots[i], version: row.version + 1, seq: qa.version, updatedAt: now }) });
      }
      const room = queue.filter((r) => r.origin === "room").length;
      const outcome: Outcome = { changes, recount: [], summary: `Queue interleaved: ${room} from the room, ${queue.length - room} remote.` };
      return {
        outcome,
        qa,
        result: { questions: changes.map((c) => projectQuestion(c.after, "staff", names)), state: await this.state(session, qa), version: qa.version, summary: outcome.summary },
        kind: "interleave",
        undo: undoRecordOf(outcome),
        audit: auditOf(me, session, "qa:interleave", outcome, names, undefined),
      };
    });
    if ("replayed" in r) return r.replayed;
    await this.afterChange(session, r.done.outcome, r.done.qa, names);
    return r.done.result;
  }

  /** Facts to every role, and the askers' own views, after a moderation change committed (with its audit entry). */
  private async afterChange(session: SessionRow, outcome: Outcome, qa: QaSessionRow, names: Map<string, string>): Promise<void> {
    const changes: QuestionChange[] = outcome.changes.map((c) => ({ row: c.after, before: c.before.status }));
    this.d.fanout.questionsChanged(session.id, qa.version, changes, names);
    const statusChanged = outcome.changes.some((c) => c.before.status !== c.after.status);
    if (outcome.stage || statusChanged) {
      const state = await this.state(session, qa);
      if (outcome.stage) this.d.fanout.stateChanged(session.id, qa.version, state);
      if (statusChanged) this.d.fanout.countsChanged(session.id, qa.version, state, await q.counts(this.d.db, session.id));
    }
    // The askers follow their own questions: status, reason, merge target, on stage.
    const affected = new Map<string, QuestionRow>();
    for (const c of outcome.changes) affected.set(c.after.id, c.after);
    for (const id of [outcome.stage?.before, outcome.stage?.after]) {
      if (id && !affected.has(id)) {
        const row = await q.getQuestion(this.d.db, session.id, id);
        if (row) affected.set(id, row);
      }
    }
    const withAuthors = [...affected.values()].filter((r) => r.authorId);
    if (withAuthors.length) {
      for (const own of await this.ownQuestions(withAuthors, qa.onStageQuestionId)) {
        const row = affected.get(own.id)!;
        this.d.fanout.mine(row.authorId!, session.id, own);
      }
    }
  }

  private async announceCounts(session: SessionRow, version: number): Promise<void> {
    try {
      const qa = await q.getQaSession(this.d.db, session.id);
      this.d.fanout.countsChanged(session.id, version, await this.state(session, qa), await q.counts(this.d.db, session.id));
    } catch (err) {
      this.d.log.warn("question counts broadcast failed", { sessionId: session.id, err: errorName(err) });
    }
  }

  // ── Chatham House: forgetting who asked ────────────────────────────────────────────────────────

  /**
   * Erases the author and voter links of every Chatham House session that has ended. Runs at start-up
   * and every few seconds; idempotent, so any number of instances may run it.
   */
  async eraseEndedAuthorLinks(): Promise<{ sessionIds: string[]; questions: number; votes: number }> {
    const now = this.d.clock.now();
    const erased = await q.transaction(this.d.db, async (tx) => {
      const erased = await q.eraseEndedChathamLinks(tx, now);
      for (const sessionId of erased.sessionIds) {
        await this.d.audit.recordIn(tx, {
          actor: null,
          action: "qa:erase-author-links",
          outcome: "ok",
          objectType: "session",
          objectId: sessionId,
          session: { id: sessionId, rule: "chatham_house" },
          details: { reason: "The session ended: under the Chatham House Rule the links between questions, votes and people are erased." },
        });
      }
      return erased;
    });
    if (erased.sessionIds.length) this.d.log.info("chatham house author links erased", { sessions: erased.sessionIds.length, questions: erased.questions, votes: erased.votes });
    return erased;
  }

  private dbFault(err: unknown): unknown {
    return qaFault(err);
  }
}

/**
 * Database errors can carry the query's parameters (people's ids, names): nothing of them may reach
 * a log line. Known refusals become AppErrors; anything else becomes a bare internal error. The
 * socket handlers pass every Q&A error through this.
 */
export function qaFault(err: unknown): unknown {
  if (AppError.is(err)) return err;
  if (isCheckViolation(err, "questions_chatham_house_anonymous")) return new AppError("policy_violation", "Questions in a Chatham House session are always anonymous.");
  const safe = new Error(`Q&A operation failed (${errorName(err)})`);
  safe.name = "QaError";
  return safe;
}

class DuplicateKey extends Error {}

/** A staff command whose key was already used: the answer is the stored one (undefined: read it after the rollback). */
class Replayed extends Error {
  constructor(readonly result: ModerationResult | undefined) {
    super("replayed");
  }
}

/** A stored answer as the command's answer: the result, or the refusal thrown again. */
function answerOf(stored: StoredAnswer): ModerationResult {
  if ("refused" in stored) throw new AppError(stored.refused.code, stored.refused.message, stored.refused.current ? { current: stored.refused.current } : undefined);
  return stored;
}

/** The first time a question becomes visible to the audience, the session version at which it did. */
function publishedAt(row: QuestionRow, status: QuestionRow["status"] | undefined, version: number): { publishedSeq?: number } {
  return status && visibleTo("audience", status) && row.publishedSeq === null ? { publishedSeq: version } : {};
}

/** Whether the audience's (and panelists') view could have shown this question at version `since`. */
function shownBy(row: QuestionRow, since: number): boolean {
  return row.publishedSeq !== null && row.publishedSeq <= since;
}

/** The audit entry of a moderation change: who, what, before and after (staff projections, which carry no author under the Rule). */
function auditOf(actor: Actor, session: SessionRow, action: string, outcome: Outcome, names: Map<string, string>, objectId: string | undefined, details?: Record<string, unknown>): AuditEntry {
  const staffView = (r: QuestionRow) => projectQuestion(r, "staff", names);
  return {
    actor,
    action,
    outcome: "ok",
    objectType: objectId ? "question" : "session",
    objectId: objectId ?? session.slug,
    session: { id: session.id, rule: session.rule },
    before: { questions: outcome.changes.map((c) => staffView(c.before)), ...(outcome.stage ? { onStage: outcome.stage.before } : {}) },
    after: { questions: outcome.changes.map((c) => staffView(c.after)), ...(outcome.stage ? { onStage: outcome.stage.after } : {}) },
    details: { summary: outcome.summary, ...details },
  };
}

function undoRecordOf(outcome: Outcome): UndoRecord | null {
  if (outcome.changes.length === 0 && !outcome.stage) return null;
  // Each question once, with its state before the first change and the version after the last.
  const first = new Map<string, QuestionRow>();
  const last = new Map<string, QuestionRow>();
  for (const c of outcome.changes) {
    if (!first.has(c.before.id)) first.set(c.before.id, c.before);
    last.set(c.after.id, c.after);
  }
  return {
    questions: [...first.values()].map((b) => ({
      id: b.id,
      versionAfter: last.get(b.id)!.version,
      restore: {
        status: b.status,
        text: b.text,
        originalText: b.originalText,
        dismissReason: b.dismissReason,
        starred: b.starred,
        tags: b.tags,
        routedTo: b.routedTo,
        mergedInto: b.mergedInto,
        panelOrder: b.panelOrder,
        answeredAt: b.answeredAt?.toISOString() ?? null,
      },
    })),
    recount: outcome.recount,
    stage: outcome.stage,
  };
}

function describeKind(kind: string): string {
  const words: Record<string, string> = {
    approve: "approval",
    dismiss: "dismissal",
    restore: "restore",
    edit: "edit",
    star: "star",
    tags: "tags",
    route: "routing",
    merge: "merge",
    stage: "putting on stage",
    unstage: "taking off stage",
    answer: "marking answered",
    reopen: "reopening",
    move: "move",
    interleave: "interleaving",
  };
  return words[kind] ?? kind;
}

/** Alternates room and remote questions, each group in its current order, starting with the current first. */
export function interleaveByOrigin<T extends { origin: "room" | "remote" }>(queue: readonly T[]): T[] {
  const room = queue.filter((r) => r.origin === "room");
  const remote = queue.filter((r) => r.origin === "remote");
  const out: T[] = [];
  let takeRoom = queue[0]?.origin !== "remote";
  while (room.length || remote.length) {
    const from = takeRoom ? (room.length ? room : remote) : remote.length ? remote : room;
    out.push(from.shift()!);
    takeRoom = !takeRoom;
  }
  return out;
}

