/**
 * Moderation: every staff command runs at most once per idempotency key, under the session's Q&A row
 * lock, in one transaction with its stored answer, undo record and audit entry; only then is it
 * acknowledged and announced.
 */
import type { QaSessionRow, QuestionRow, SessionRow } from "../../db/schema";
import type { ModerationResult } from "../../lib/qa";
import { STATUS_WORDS } from "../../lib/qa-rules";
import type { ModerationAction } from "../../lib/schemas/qa";
import type { CommandInput } from "../../lib/realtime/contract";
import type { Actor } from "../auth/actor";
import type { Action } from "../auth/policy";
import { AppError } from "../errors";
import {
  applyAction,
  answerOf,
  auditOf,
  describeKind,
  interleaveByOrigin,
  publishedAt,
  SessionChanged,
  undoRecordOf,
  type Outcome,
  type StoredAnswer,
  type UndoRecord,
} from "./changes";
import { projectQuestion } from "./projection";
import type { QuestionChange } from "./publisher";
import * as q from "./queries";
import type { QaContext, QaDeps } from "./context";
import type { AuditEntry } from "../audit/service";

/** What a staff command writes besides its own changes: its stored answer, its undo record, its audit entry. */
interface StaffWrite {
  result: ModerationResult;
  kind: string;
  undo: UndoRecord | null;
  /** Written in the same transaction; absent when the command's own module writes one (qa:configure → agenda:edit). */
  audit?: AuditEntry;
  /** The command's own writes still under way: the commit follows them. */
  sent?: Array<Promise<unknown>>;
}

export class QaModeration {
  constructor(
    private readonly deps: QaDeps,
    private readonly ctx: QaContext,
  ) {}

  async moderate(actor: Actor | null, cmd: CommandInput<"question:moderate">): Promise<ModerationResult> {
    return this.onSession(actor, cmd.slug, "question:moderate", { type: "question", id: cmd.questionId }, (session, stamp) =>
      this.act(actor!, session, stamp, cmd.key, cmd.questionId, cmd.expectedVersion, cmd.action),
    );
  }

  /** Panelists mark the question they answered (moderators may too). */
  async answer(actor: Actor | null, cmd: CommandInput<"question:answer">): Promise<ModerationResult> {
    return this.onSession(actor, cmd.slug, "question:answer", { type: "question", id: cmd.questionId }, (session, stamp) =>
      this.act(actor!, session, stamp, cmd.key, cmd.questionId, cmd.expectedVersion, { type: "answer" }),
    );
  }

  /**
   * Runs a staff command on the session row kept from the last one (`AgendaService.keptRow`): `once`
   * confirms the row's stamp inside the command's transaction, and a command decided on a row that
   * changed meanwhile (another instance's agenda edit) runs again from the start on a fresh read. A
   * refusal is only ever given on a fresh row.
   */
  private async onSession<T>(
    actor: Actor | null,
    slug: string,
    action: Action,
    object: { type: string; id: string } | undefined,
    run: (session: SessionRow, stamp: string) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let found = await this.deps.agenda.keptRow(slug, attempt > 0);
      if (found.kept && !this.deps.guard.allowed(actor, action, found.row)) found = await this.deps.agenda.keptRow(slug, true);
      await this.deps.guard.require(actor, action, found.row, object);
      try {
        return await run(found.row, found.stamp);
      } catch (err) {
        if (!(err instanceof SessionChanged)) throw err;
        if (attempt >= 2) throw new AppError("conflict", "This session's settings were being changed while your command ran, so nothing was done. Try again.");
      }
    }
  }

  /**
   * The answer stored under this person's key, if the key was used. A key used for a command in
   * another session is refused (a client that reuses keys would otherwise be told another session's
   * result as if its command had been carried out).
   */
  private async replay(actor: Actor, session: SessionRow, key: string): Promise<ModerationResult | undefined> {
    const done = await q.findActionByKey(this.deps.db, actor.userId, key);
    if (!done) return undefined;
    if (done.sessionId !== session.id) {
      throw new AppError(
        "conflict",
        "This command's key was already used for a command in another session, so nothing was done. Send the command again with a new key.",
      );
    }
    return answerOf(done.result as StoredAnswer);
  }

  /**
   * Runs one staff command at most once per idempotency key, in the transaction that makes the change
   * and stores its answer and audit entry under the session's Q&A row lock. The unique (actor, key)
   * index decides: a key already stored fails the claim and the whole change rolls back. A resend
   * that raced its original waits for the lock and then usually fails in `work` (the original moved
   * the question's version on), so any failure first looks for a stored answer under the key. Fresh
   * commands, nearly all of them, pay no lookup at all.
   */
  private async once<T extends StaffWrite, F = undefined>(
    me: Actor,
    session: SessionRow,
    stamp: string,
    key: string,
    work: (tx: q.Db, qa: QaSessionRow, now: Date, first: F) => Promise<T>,
    first?: (tx: q.Db) => Promise<F>,
  ): Promise<{ replayed: ModerationResult } | { done: T }> {
    await this.ctx.timeZone(); // loaded before the transaction (on PGlite a read outside it would wait for it)
    const now = this.deps.clock.now();
    try {
      const { done, written } = await this.deps.db.transaction(async (tx) => {
        // Sent together, run in this order (one connection): the session's lock is taken first.
        const [{ sessionStamp, ...qa }, firstRead] = await Promise.all([q.bumpVersion(tx, session.id), first?.(tx) as Promise<F>]);
        if (sessionStamp !== stamp) throw new SessionChanged();
        const done = await work(tx, qa, now, firstRead);
        // Not waited for: the commit is sent right behind them, a round trip less before the room
        // hears of the change. If one fails (a key already used), the commit rolls everything back.
        // The claim goes last: a resend's claim fails with the only failed statement of its transaction.
        const written = Promise.all([
          ...(done.sent ?? []),
          done.audit && this.deps.audit.recordIn(tx, done.audit),
          q.claimAction(tx, {
            sessionId: session.id,
            actorId: me.userId,
            clientKey: key,
            kind: done.kind,
            undo: done.undo,
            result: done.result,
            createdAt: now,
          }),
        ]);
        written.catch(() => {}); // seen below
        return { done, written };
      });
      // PGlite's thread refuses such a commit; Postgres answers it with a silent ROLLBACK, seen here.
      await written;
      return { done };
    } catch (err) {
      if (err instanceof SessionChanged) throw err;
      const stored = await this.replay(me, session, key);
      if (stored) return { replayed: stored };
      throw err;
    }
  }

  private async act(
    actor: Actor,
    session: SessionRow,
    stamp: string,
    key: string,
    questionId: string,
    expectedVersion: number,
    action: ModerationAction,
  ): Promise<ModerationResult> {
    let names = new Map<string, string>();
    const lock = (tx: q.Db) => q.lockForCommand(tx, session.id, questionId);
    const r = await this.once(
      actor,
      session,
      stamp,
      key,
      async (tx, locked, now, found) => {
        let qa = locked;
        const namesFor = this.ctx.namesOnDemand(session.id, tx);
        if (!found) throw new AppError("not_found", "That question does not exist in this session.");
        const { row } = found;
        if (row.version !== expectedVersion) {
          const changedBy = await q.lastChangerRole(tx, session.id, row.id);
          const who = changedBy === "organizer" ? "An organizer" : changedBy && changedBy !== "staff" ? `A ${changedBy}` : "Someone else";
          throw new AppError(
            "version_conflict",
            `${who} changed this question a moment ago (it is now ${STATUS_WORDS[row.status]}). Your action was not applied: check it and try again.`,
            { current: projectQuestion(row, "staff", await namesFor([row])), ...(changedBy ? { changedBy } : {}) },
          );
        }
        const outcome = await applyAction(this.ctx, tx, session, qa, found, action, () => namesFor([], true), now);
        names = await namesFor(outcome.changes.flatMap((c) => [c.before, c.after]));
        if (outcome.stage) qa = await q.setSessionState(tx, session.id, { onStageQuestionId: outcome.stage.after });
        return {
          outcome,
          qa,
          result: await this.resultOf(session, qa, outcome, names),
          kind: action.type,
          undo: undoRecordOf(outcome),
          audit: auditOf(actor, session, `question:${action.type}`, outcome, names, questionId),
          sent: outcome.sent,
        };
      },
      lock,
    );
    if ("replayed" in r) return r.replayed;
    await this.afterChange(session, r.done.outcome, r.done.qa, names);
    return r.done.result;
  }

  async undo(actor: Actor | null, { slug, key }: CommandInput<"qa:undo">): Promise<ModerationResult> {
    return this.onSession(actor, slug, "question:moderate", undefined, async (session, stamp) => {
      const me = actor!;
      const names = await this.ctx.panelistNames(session.id);
      let last: { id: number; kind: string } | undefined;
      try {
        const r = await this.once(me, session, stamp, key, async (tx, locked, now) => {
          let qa = locked;
          const action = await q.lastUndoable(tx, session.id, me.userId);
          if (!action && this.ctx.votesUnlinked(session, qa, now)) {
            throw new AppError(
              "session_ended",
              "This session has ended and, under the Chatham House Rule, its moderation history is erased: nothing can be undone any more.",
            );
          }
          if (!action) throw new AppError("conflict", "There is nothing of yours to undo in this session.");
          last = { id: action.id, kind: action.kind };
          const record = action.undo as UndoRecord;
          if (record.recount.length && this.ctx.votesUnlinked(session, qa, now)) {
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
              throw new AppError(
                "version_conflict",
                "Someone changed this question after your action, so it cannot be undone (it leaves your undo history). Check its current state.",
                {
                  current: projectQuestion(row, "staff", names),
                },
              );
            }
            const restore = { ...item.restore, answeredAt: item.restore.answeredAt ? new Date(item.restore.answeredAt) : null };
            changes.push({
              before: row,
              after: await q.updateQuestion(tx, row.id, {
                ...restore,
                ...publishedAt(row, restore.status, qa.version),
                version: row.version + 1,
                seq: qa.version,
                updatedAt: now,
              }),
            });
          }
          for (const id of record.recount) await q.recountVotes(tx, id);
          // Counts changed after the rows were read: re-read the recounted ones for the broadcast.
          for (const c of changes) if (record.recount.includes(c.after.id)) c.after = (await q.getQuestion(tx, session.id, c.after.id))!;
          let stage: Outcome["stage"];
          if (record.stage) {
            if (qa.onStageQuestionId !== record.stage.after) {
              if (record.questions.length === 0)
                throw new AppError("version_conflict", "The stage changed since your action, so it cannot be undone (it leaves your undo history).");
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
            result: await this.resultOf(session, qa, outcome, names),
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
        if (AppError.is(err) && (err.code === "version_conflict" || err.code === "session_ended") && last)
          return this.refuseUndo(me, session, key, last.id, err);
        throw err;
      }
    });
  }

  /**
   * Takes a refused action out of the undo history and stores the refusal under the command's key, in
   * one transaction under the session's lock: a resend of this key then gets the same refusal instead
   * of undoing the action before it.
   */
  private async refuseUndo(me: Actor, session: SessionRow, key: string, actionId: number, refusal: AppError): Promise<ModerationResult> {
    const now = this.deps.clock.now();
    const answer: StoredAnswer = {
      refused: { code: refusal.code, message: refusal.message, ...(refusal.details?.current ? { current: refusal.details.current } : {}) },
    };
    await this.deps.db.transaction(async (tx) => {
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
  async pause(actor: Actor | null, { slug, key, paused }: CommandInput<"qa:pause">): Promise<ModerationResult> {
    return this.onSession(actor, slug, "qa:configure", undefined, async (session, stamp) => {
      const r = await this.once(actor!, session, stamp, key, async (tx, locked) => {
        const qa = await q.setSessionState(tx, session.id, { intakePaused: paused });
        const summary = paused ? "New questions paused." : "New questions resumed.";
        return {
          qa,
          result: { questions: [], state: await this.ctx.state(session, qa), version: qa.version, summary },
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
      this.deps.publish.stateChanged(session.id, r.done.qa.version, r.done.result.state, await q.counts(this.deps.db, session.id));
      return r.done.result;
    });
  }

  /** Opens or closes Q&A and sets its mode (an agenda change, audited there as `agenda:edit`), once per key. */
  async configure(actor: Actor | null, { slug, key, ...patch }: CommandInput<"qa:configure">): Promise<ModerationResult> {
    return this.onSession(actor, slug, "qa:configure", undefined, async (session, stamp) => {
      const r = await this.once(actor!, session, stamp, key, async (tx, qa) => {
        const { item, row } = await this.deps.agenda.updateIn(tx, slug, patch, { actor });
        return {
          item,
          qa,
          result: { questions: [], state: await this.ctx.state(row, qa), version: qa.version, summary: "Session settings saved." },
          kind: "configure",
          undo: null,
        };
      });
      if ("replayed" in r) return r.replayed;
      this.deps.agenda.announce(r.done.item);
      this.deps.publish.stateChanged(session.id, r.done.qa.version, r.done.result.state, await q.counts(this.deps.db, session.id));
      return r.done.result;
    });
  }

  /** Hybrid equity: reorders the panel queue to alternate questions from the room and from remote participants. */
  async interleave(actor: Actor | null, { slug, key }: CommandInput<"qa:interleave">): Promise<ModerationResult> {
    return this.onSession(actor, slug, "question:moderate", undefined, async (session, stamp) => {
      const me = actor!;
      const names = await this.ctx.panelistNames(session.id);
      const r = await this.once(me, session, stamp, key, async (tx, qa, now) => {
        const queue = await q.lockApprovedQueue(tx, session.id);
        const order = interleaveByOrigin(queue);
        const slots = queue.map((r) => r.panelOrder).sort((a, b) => a - b);
        const changes: Outcome["changes"] = [];
        for (let i = 0; i < order.length; i++) {
          const row = order[i];
          if (row.panelOrder !== slots[i])
            changes.push({
              before: row,
              after: await q.updateQuestion(tx, row.id, { panelOrder: slots[i], version: row.version + 1, seq: qa.version, updatedAt: now }),
            });
        }
        const room = queue.filter((r) => r.origin === "room").length;
        const outcome: Outcome = { changes, recount: [], summary: `Queue interleaved: ${room} from the room, ${queue.length - room} remote.` };
        return {
          outcome,
          qa,
          result: await this.resultOf(session, qa, outcome, names),
          kind: "interleave",
          undo: undoRecordOf(outcome),
          audit: auditOf(me, session, "qa:interleave", outcome, names, undefined),
        };
      });
      if ("replayed" in r) return r.replayed;
      await this.afterChange(session, r.done.outcome, r.done.qa, names);
      return r.done.result;
    });
  }

  /** What a command that changed questions answers: the staff's view of them, and the session's state. */
  private async resultOf(session: SessionRow, qa: QaSessionRow, outcome: Outcome, names: Map<string, string>): Promise<ModerationResult> {
    return {
      questions: outcome.changes.map((c) => projectQuestion(c.after, "staff", names)),
      state: await this.ctx.state(session, qa),
      version: qa.version,
      summary: outcome.summary,
    };
  }

  /** Facts to every role, and the askers' own views, after a moderation change committed (with its audit entry). */
  private async afterChange(session: SessionRow, outcome: Outcome, qa: QaSessionRow, names: Map<string, string>): Promise<void> {
    const changes: QuestionChange[] = outcome.changes.map((c) => ({ row: c.after, before: c.before.status }));
    this.deps.publish.questionsChanged(session.id, qa.version, changes, names);
    const statusChanged = outcome.changes.some((c) => c.before.status !== c.after.status);
    if (outcome.stage || statusChanged) {
      const state = await this.ctx.state(session, qa);
      if (outcome.stage) this.deps.publish.stateChanged(session.id, qa.version, state);
      if (statusChanged) this.deps.publish.countsChanged(session.id, qa.version, state, await q.counts(this.deps.db, session.id));
    }
    // The askers follow their own questions: status, reason, merge target, on stage.
    const affected = new Map<string, QuestionRow>();
    for (const c of outcome.changes) affected.set(c.after.id, c.after);
    for (const id of [outcome.stage?.before, outcome.stage?.after]) {
      if (id && !affected.has(id)) {
        const row = await q.getQuestion(this.deps.db, session.id, id);
        if (row) affected.set(id, row);
      }
    }
    const withAuthors = [...affected.values()].filter((r) => r.authorId);
    if (withAuthors.length) {
      for (const own of await this.ctx.ownQuestions(withAuthors, qa.onStageQuestionId)) {
        const row = affected.get(own.id)!;
        this.deps.publish.mine(row.authorId!, session.id, own);
      }
    }
  }
}
