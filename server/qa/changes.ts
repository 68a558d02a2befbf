/**
 * What a moderation action does to the questions (the state machine itself is lib/qa-rules.ts), and
 * the records kept of it: the undo record and the audit entry.
 */
import type { QaSessionRow, QuestionRow, SessionRow } from "../../db/schema";
import type { ModerationResult } from "../../lib/qa";
import { canReceiveMerge, ruleRefusal, visibleTo } from "../../lib/qa-rules";
import type { ModerationAction } from "../../lib/schemas/qa";
import type { Actor } from "../auth/actor";
import type { AuditEntry } from "../audit/service";
import { AppError } from "../errors";
import type { QaContext } from "./context";
import { projectQuestion } from "./projection";
import * as q from "./queries";

/** The fields of a question that moderation changes, and undo restores. */
type Restorable = Pick<
  QuestionRow,
  "status" | "text" | "originalText" | "dismissReason" | "starred" | "tags" | "routedTo" | "mergedInto" | "panelOrder" | "answeredAt"
>;

export interface UndoRecord {
  questions: Array<{ id: string; versionAfter: number; restore: Omit<Restorable, "answeredAt"> & { answeredAt: string | null } }>;
  recount: string[];
  stage?: { before: string | null; after: string | null };
}

export interface Outcome {
  changes: Array<{ before: QuestionRow; after: QuestionRow }>;
  /** Writes sent and not yet answered: the command's commit goes right behind them. */
  sent?: Array<Promise<unknown>>;
  recount: string[];
  stage?: { before: string | null; after: string | null };
  summary: string;
}

/** The answer stored under a key: the result, or a refusal that changed something (an undo that left the history). */
export type StoredAnswer = ModerationResult | { refused: { code: AppError["code"]; message: string; current?: unknown } };

type Locked = { row: QuestionRow; nextPanelOrder: number };

/** One moderation action on a locked question; returns the rows before and after. */
export async function applyAction(
  ctx: QaContext,
  tx: q.Db,
  session: SessionRow,
  qa: QaSessionRow,
  locked: Locked,
  action: ModerationAction,
  panelistNames: () => Promise<Map<string, string>>,
  now: Date,
): Promise<Outcome> {
  const sent: Array<Promise<unknown>> = [];
  const outcome = await decide(ctx, tx, session, qa, locked, action, panelistNames, now, sent);
  return { ...outcome, sent };
}

async function decide(
  ctx: QaContext,
  tx: q.Db,
  session: SessionRow,
  qa: QaSessionRow,
  locked: Locked,
  action: ModerationAction,
  panelistNames: () => Promise<Map<string, string>>,
  now: Date,
  sent: Array<Promise<unknown>>,
): Promise<Outcome> {
  const { row } = locked;
  const version = qa.version;
  const written = <P extends q.QuestionPatch>(target: QuestionRow, patch: P) => ({
    ...patch,
    ...publishedAt(target, patch.status, version),
    version: target.version + 1,
    seq: version,
    updatedAt: now,
  });
  // A locked row changed once: its new state is known without reading it back, so the update goes
  // out with the command's last writes and its commit (a round trip less before the room hears).
  const change = (target: QuestionRow, patch: Partial<QuestionRow>) => {
    const values = written(target, patch);
    const update = q.sendQuestionUpdate(tx, target.id, values);
    // Its failure fails the commit (`once` waits for it there); a statement after it may throw first.
    update.catch(() => {});
    sent.push(update);
    return { before: target, after: { ...target, ...values } };
  };
  // Read back where other statements change the row too (a merge recounts votes).
  const changeAndRead = async (target: QuestionRow, patch: q.QuestionPatch) => ({
    before: target,
    after: await q.updateQuestion(tx, target.id, written(target, patch)),
  });
  const onStage = qa.onStageQuestionId;
  const leaveStage = (id: string) => (onStage === id ? { before: onStage, after: null } : undefined);
  const refusal = ruleRefusal(action.type, { status: row.status, onStage: onStage === row.id });
  if (refusal) throw new AppError("conflict", refusal);

  switch (action.type) {
    case "approve": {
      return {
        changes: [change(row, { status: "approved", dismissReason: null, panelOrder: locked.nextPanelOrder })],
        recount: [],
        summary: "Approved.",
      };
    }
    case "dismiss":
      return {
        changes: [change(row, { status: "dismissed", dismissReason: action.reason })],
        recount: [],
        stage: leaveStage(row.id),
        summary: `Dismissed: ${action.reason}`,
      };
    case "restore":
      return { changes: [change(row, { status: "pending", dismissReason: null })], recount: [], summary: "Restored to the incoming list." };
    case "edit":
      if (action.text === row.text) return { changes: [], recount: [], summary: "The text is unchanged." };
      return {
        changes: [change(row, { text: action.text, originalText: row.originalText ?? row.text })],
        recount: [],
        summary: "Text edited; the original is kept.",
      };
    case "star":
      return { changes: [change(row, { starred: action.starred })], recount: [], summary: action.starred ? "Starred." : "Star removed." };
    case "tags":
      return {
        changes: [change(row, { tags: action.tags })],
        recount: [],
        summary: action.tags.length ? `Tags: ${action.tags.join(", ")}.` : "Tags removed.",
      };
    case "route": {
      const names = await panelistNames();
      if (action.panelistId && !names.has(action.panelistId)) throw new AppError("bad_request", "That person is not a panelist of this session.");
      const who = action.panelistId ? names.get(action.panelistId) : null;
      return {
        changes: [change(row, { routedTo: action.panelistId })],
        recount: [],
        summary: who ? `Routed to ${who}.` : "No longer routed to a panelist.",
      };
    }
    case "merge": {
      if (action.intoId === row.id) throw new AppError("bad_request", "A question cannot be merged into itself.");
      if (ctx.votesUnlinked(session, qa, now)) {
        throw new AppError(
          "session_ended",
          "This session has ended and, under the Chatham House Rule, its votes are no longer linked to anyone, so they cannot be combined: questions can no longer be merged.",
        );
      }
      const target = await q.lockQuestion(tx, session.id, action.intoId);
      if (!target) throw new AppError("not_found", "The question to merge into does not exist in this session.");
      if (!canReceiveMerge(target.status)) throw new AppError("conflict", "Merge into a question that is awaiting review, approved or answered.");
      const changes = [await changeAndRead(row, { status: "merged", mergedInto: target.id })];
      // Questions merged into this one follow it, so every merge has one level.
      for (const child of await q.lockMergedChildren(tx, row.id)) changes.push(await changeAndRead(child, { mergedInto: target.id }));
      await q.recountVotes(tx, target.id);
      await q.recountVotes(tx, row.id);
      const t = await changeAndRead(target, {});
      changes.push(t);
      return { changes, recount: [target.id, row.id], stage: leaveStage(row.id), summary: "Merged; votes combined." };
    }
    case "stage":
      if (onStage === row.id) return { changes: [], recount: [], summary: "Already on stage." };
      return { changes: [], recount: [], stage: { before: onStage, after: row.id }, summary: "On stage." };
    case "unstage":
      return { changes: [], recount: [], stage: { before: onStage, after: null }, summary: "Taken off stage." };
    case "answer":
      return { changes: [change(row, { status: "answered", answeredAt: now })], recount: [], stage: leaveStage(row.id), summary: "Marked answered." };
    case "reopen":
      return { changes: [change(row, { status: "approved", answeredAt: null })], recount: [], summary: "Back in the queue." };
    case "move": {
      const other = await q.queueNeighbor(tx, session.id, row.panelOrder, row.id, action.direction);
      if (!other) return { changes: [], recount: [], summary: action.direction === "up" ? "Already first in the queue." : "Already last in the queue." };
      // Equal orders (never expected, but cheap to handle): nudge so the swap is visible.
      const [a, b] =
        other.panelOrder === row.panelOrder ? [row.panelOrder + (action.direction === "up" ? -0.5 : 0.5), row.panelOrder] : [other.panelOrder, row.panelOrder];
      return {
        changes: [change(row, { panelOrder: a }), change(other, { panelOrder: b })],
        recount: [],
        summary: action.direction === "up" ? "Moved up." : "Moved down.",
      };
    }
  }
}

/** The session row a staff command was decided on changed before its transaction: it runs again on a fresh one. */
export class SessionChanged extends Error {
  constructor() {
    super("session changed");
  }
}

/** A stored answer as the command's answer: the result, or the refusal thrown again. */
export function answerOf(stored: StoredAnswer): ModerationResult {
  if ("refused" in stored)
    throw new AppError(stored.refused.code, stored.refused.message, stored.refused.current ? { current: stored.refused.current } : undefined);
  return stored;
}

/** The first time a question becomes visible to the audience, the session version at which it did. */
export function publishedAt(row: QuestionRow, status: QuestionRow["status"] | undefined, version: number): { publishedSeq?: number } {
  return status && visibleTo("audience", status) && row.publishedSeq === null ? { publishedSeq: version } : {};
}

/** The audit entry of a moderation change: who, what, before and after (staff projections, which carry no author under the Rule). */
export function auditOf(
  actor: Actor,
  session: SessionRow,
  action: string,
  outcome: Outcome,
  names: Map<string, string>,
  objectId: string | undefined,
  details?: Record<string, unknown>,
): AuditEntry {
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

export function undoRecordOf(outcome: Outcome): UndoRecord | null {
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

export function describeKind(kind: string): string {
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
