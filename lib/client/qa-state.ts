/**
 * What the Q&A engine holds, and the pure functions that fold the server's facts and syncs into it.
 * Kept apart from the engine (qa-client.ts) so the rules of "what the view shows after this fact"
 * read without sockets, timers or the outbox around them.
 */
import type { OwnQuestion, Panelist, QaCounts, QaState, QaSync, QaView, QuestionView } from "../qa";
import type { OutboxItem } from "./outbox-store";

export type QaStatus = "connecting" | "syncing" | "live" | "offline" | "refused";

export interface QaClientState {
  status: QaStatus;
  /** Why the view cannot be shown (not signed in, no Q&A), in words. */
  refusal: string | null;
  view: QaView | null;
  sessionId: string | null;
  version: number;
  questions: ReadonlyMap<string, QuestionView>;
  votes: Readonly<Record<string, number>>;
  myVotes: ReadonlySet<string>;
  mine: readonly OwnQuestion[];
  outbox: readonly OutboxItem[];
  /** The server could not save the first outbox item (an outage): it stays queued and is tried again. */
  stalled: boolean;
  /** Questions the server refused for good (closed, too short), with its reason. */
  failed: ReadonlyArray<{ key: string; text: string; message: string }>;
  state: QaState | null;
  panelists: readonly Panelist[];
  counts: QaCounts | null;
}

/** Something a person should hear about (the islands announce these politely). */
export type QaNotice =
  | { kind: "question-added"; question: QuestionView }
  | { kind: "question-removed"; id: string }
  | { kind: "stage"; question: QuestionView | null }
  | { kind: "mine"; question: OwnQuestion; previous?: OwnQuestion }
  | { kind: "sent"; question: OwnQuestion }
  | { kind: "failed"; text: string; message: string };

/** A fact's effect: the change to the state, then what to announce (in that order). */
export interface Applied {
  patch: Partial<QaClientState>;
  notices: QaNotice[];
}

export function initialQaState(connected: boolean, outbox: readonly OutboxItem[]): QaClientState {
  return {
    status: connected ? "syncing" : "connecting",
    refusal: null,
    view: null,
    sessionId: null,
    version: 0,
    questions: new Map(),
    votes: {},
    myVotes: new Set(),
    mine: [],
    outbox,
    stalled: false,
    failed: [],
    state: null,
    panelists: [],
    counts: null,
  };
}

/** A refusal because the question changed since the moderator saw it (the server sends it as it is now). */
export function isConflict(code: string): boolean {
  return code === "version_conflict" || code === "conflict";
}

/** An own question still waiting in the outbox, shown with a placeholder id until the server stores it. */
export function isLocal(q: OwnQuestion): boolean {
  return q.id.startsWith("local:");
}

export function isQuestionView(x: unknown): x is QuestionView {
  return typeof x === "object" && x !== null && "id" in x && "version" in x && "status" in x;
}

const AUDIENCE_STATUSES = new Set(["approved", "answered"]);

/** The audience's view holds only approved and answered questions; staff see every one. */
function shows(s: QaClientState, q: QuestionView): boolean {
  return s.view === "staff" || AUDIENCE_STATUSES.has(q.status);
}

/** A question as it is now: older versions than the one held are ignored (facts may overtake each other). */
export function applyQuestion(s: QaClientState, q: QuestionView, version: number, announce: boolean): Applied | null {
  const held = s.questions.get(q.id);
  if (held && held.version > q.version) return null;
  const questions = new Map(s.questions);
  const votes = { ...s.votes };
  const visible = shows(s, q);
  if (visible) {
    questions.set(q.id, q);
    votes[q.id] = q.votes;
  } else {
    questions.delete(q.id);
  }
  const notices: QaNotice[] = [];
  if (announce && !held && visible) notices.push({ kind: "question-added", question: q });
  if (announce && held && !visible) notices.push({ kind: "question-removed", id: q.id });
  return { patch: { questions, votes, version: Math.max(s.version, version) }, notices };
}

export function applyRemoved(s: QaClientState, id: string, version: number, announce: boolean): Applied | null {
  if (!s.questions.has(id)) return null;
  const questions = new Map(s.questions);
  questions.delete(id);
  return { patch: { questions, version: Math.max(s.version, version) }, notices: announce ? [{ kind: "question-removed", id }] : [] };
}

export function applyVotes(s: QaClientState, counts: Array<[string, number]>): Partial<QaClientState> {
  const votes = { ...s.votes };
  for (const [id, n] of counts) votes[id] = n;
  return { votes };
}

export function applyMine(s: QaClientState, q: OwnQuestion): Applied | null {
  const previous = s.mine.find((m) => m.id === q.id);
  if (previous && previous.version > q.version) return null;
  if (previous && previous.version === q.version && previous.onStage === q.onStage) return null;
  return { patch: { mine: upsertMine(s.mine, q) }, notices: [{ kind: "mine", question: q, previous }] };
}

/** Own questions show "on stage" too. */
export function markOnStage(mine: readonly OwnQuestion[], onStage: string | null): OwnQuestion[] {
  return mine.map((m) => ({ ...m, onStage: m.id === onStage }));
}

/**
 * What a sync answer makes of the state (its `state` field is set by the engine, which keeps the end
 * timer). `s` is the state after the outbox's owner was settled, so its outbox is this person's.
 */
export function applySync(s: QaClientState, d: QaSync): Partial<QaClientState> {
  const questions = d.kind === "snapshot" ? new Map<string, QuestionView>() : new Map(s.questions);
  if (d.kind === "changes") for (const id of d.removed) questions.delete(id);
  for (const q of d.questions) {
    const held = questions.get(q.id);
    if (!held || held.version <= q.version) questions.set(q.id, q);
  }
  const votes: Record<string, number> = {};
  for (const [id, n] of Object.entries(d.votes)) votes[id] = n;
  const mine = mergeMine(d.mine, s.outbox);
  // Votes still waiting in the outbox are this person's latest wish: show them over the server's.
  const myVotes = new Set(d.myVotes);
  for (const item of s.outbox) {
    if (item.kind !== "vote") continue;
    if (item.up) myVotes.add(item.questionId);
    else myVotes.delete(item.questionId);
  }
  return {
    view: d.view,
    sessionId: d.sessionId,
    version: Math.max(d.kind === "snapshot" ? 0 : s.version, d.version),
    questions,
    votes,
    myVotes,
    mine,
    panelists: d.panelists,
    counts: d.counts,
    refusal: null,
  };
}

/**
 * The session's state as it arrives, except that the agenda's fields stay those of the newest agenda
 * version seen (see `QaState.agendaVersion`): a Q&A fact may carry an older agenda than one already applied.
 */
export function mergeAgenda(current: QaState | null, incoming: QaState, now: number): QaState {
  if (!current || current.agendaVersion <= incoming.agendaVersion) return incoming;
  return {
    ...incoming,
    qaOpen: current.qaOpen,
    qaMode: current.qaMode,
    endsAt: current.endsAt,
    ended: now >= Date.parse(current.endsAt),
    agendaVersion: current.agendaVersion,
  };
}

export function upsertMine(list: readonly OwnQuestion[], q: OwnQuestion): OwnQuestion[] {
  const i = list.findIndex((m) => m.id === q.id || m.key === q.key);
  if (i < 0) return [...list, q];
  const copy = [...list];
  copy[i] = q;
  return copy;
}

/** Own questions from the server plus those still waiting in the outbox (shown as "waiting to send"). */
export function mergeMine(server: readonly OwnQuestion[], outbox: readonly OutboxItem[]): OwnQuestion[] {
  const out = [...server];
  for (const item of outbox) {
    if (item.kind !== "submit" || out.some((m) => m.key === item.key)) continue;
    out.push({
      id: `local:${item.key}`,
      key: item.key,
      text: item.text,
      status: "pending",
      anonymous: item.anonymous,
      dismissReason: null,
      mergedInto: null,
      onStage: false,
      createdAt: item.createdAt,
      version: 0,
    });
  }
  return out;
}
