/**
 * Audience Q&A as both sides see it: the text rule, the shapes the server sends, and the labels.
 * Browser-safe (no Node imports): the ask form counts characters with the same rule the server applies.
 */
/* eslint-disable no-control-regex -- these rules exist to find and remove control characters. */
import { HIDDEN_FORMAT, visibleLength } from "./text";

export const QUESTION_MIN_CHARS = 3;
export const QUESTION_MAX_CHARS = 500;
/** A raw text longer than this is refused before it is even cleaned (bounds the work per frame). */
export const QUESTION_RAW_MAX_CHARS = 2000;
export const DISMISS_REASON_MAX_CHARS = 200;
export const TAG_MAX_CHARS = 30;
export const TAGS_MAX = 8;
export const QUESTION_MIN_MESSAGE = `A question needs at least ${QUESTION_MIN_CHARS} characters (spaces and invisible characters do not count).`;

export const questionStatuses = ["pending", "approved", "answered", "dismissed", "merged"] as const;
export type QuestionStatus = (typeof questionStatuses)[number];
export type QuestionOrigin = "room" | "remote";

/** Dismissal reasons a moderator picks with one key; free text is allowed too. */
export const DISMISS_PRESETS = ["Already answered", "Duplicate of another question", "Off topic for this session", "Not a question", "Inappropriate"] as const;

/**
 * The one text rule for questions (docs/protocol.md, "Question text"), applied by the server and
 * mirrored by the ask form's live count:
 * 1. Unicode NFC normalization.
 * 2. Line breaks (CR LF, CR, U+2028/2029) become LF; tabs and other spaces become a plain space.
 * 3. Removed: C0/C1 control characters (except LF), and the characters every text field removes
 *    (`HIDDEN_FORMAT` in lib/text.ts: bidi marks, embeddings, overrides and isolates, invisible characters),
 *    so text can neither hide content nor display in an order other than the one it was typed in.
 * 4. Runs of spaces collapse to one, spaces around line breaks go, at most one empty line in a row,
 *    and the text is trimmed.
 * The result must have at least 3 visible characters (lib/text.ts: letters, digits, punctuation and
 * symbols; not fillers, blanks, format characters or marks) and at most 500 characters (code points). HTML and script are kept as text:
 * pages render it as text, never as markup.
 */
export function cleanQuestionText(raw: string): string {
  return raw
    .normalize("NFC")
    .replace(/\r\n?|[\u2028\u2029]/g, "\n")
    .replace(/[\t\u000b\u000c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, " ")
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "")
    .replace(HIDDEN_FORMAT, "")
    .replace(/ {2,}/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Characters as the rule counts them: Unicode code points of the cleaned text. */
export function questionLength(cleaned: string): number {
  let n = 0;
  for (const _ of cleaned) n++;
  return n;
}

export type TextCheck = { ok: true; text: string; length: number } | { ok: false; text: string; length: number; message: string };

export function checkQuestionText(raw: string): TextCheck {
  if (raw.length > QUESTION_RAW_MAX_CHARS) {
    return { ok: false, text: "", length: raw.length, message: `A question has at most ${QUESTION_MAX_CHARS} characters.` };
  }
  const text = cleanQuestionText(raw);
  const length = questionLength(text);
  if (visibleLength(text) < QUESTION_MIN_CHARS) return { ok: false, text, length, message: QUESTION_MIN_MESSAGE };
  if (length > QUESTION_MAX_CHARS)
    return { ok: false, text, length, message: `A question has at most ${QUESTION_MAX_CHARS} characters; this one has ${length}.` };
  return { ok: true, text, length };
}

/** Tags are short private labels: the same cleaning, one line, lower case. */
export function cleanTag(raw: string): string {
  return cleanQuestionText(raw).replace(/\n/g, " ").toLowerCase().slice(0, TAG_MAX_CHARS).trim();
}

// ── What the server sends ──────────────────────────────────────────────────────────────────────────

/** Shown only for questions asked with a name in on-record sessions; never under the Chatham House Rule. */
export interface QuestionAuthor {
  name: string;
  affiliation: string | null;
}

export interface Panelist {
  id: string;
  name: string;
}

/**
 * One question as a role sees it. The audience gets the base fields of approved and answered
 * questions; panelists add the queue fields; moderators see everything except identities the
 * asker did not choose to show.
 */
export interface QuestionView {
  id: string;
  text: string;
  status: QuestionStatus;
  votes: number;
  author: QuestionAuthor | null;
  createdAt: string;
  answeredAt: string | null;
  /** Increases with every change of this question; a client keeps the higher one. */
  version: number;
  // Panel and staff views.
  panelOrder?: number;
  routedTo?: Panelist | null;
  origin?: QuestionOrigin;
  starred?: boolean;
  // Staff view only.
  originalText?: string | null;
  tags?: string[];
  mergedInto?: string | null;
  dismissReason?: string | null;
  updatedAt?: string;
}

/** The asker's own question: its status, the moderator's reason, what it was merged into. */
export interface OwnQuestion {
  id: string;
  key: string;
  text: string;
  status: QuestionStatus;
  anonymous: boolean;
  dismissReason: string | null;
  mergedInto: { id: string; text: string } | null;
  onStage: boolean;
  createdAt: string;
  version: number;
}

export type QaView = "audience" | "panel" | "staff";

export interface QaState {
  rule: "chatham_house" | "on_record";
  qaOpen: boolean;
  qaMode: "pre_moderated" | "open";
  intakePaused: boolean;
  onStage: string | null;
  /** The session's end per the agenda (ISO); asking and voting stop then. */
  endsAt: string;
  ended: boolean;
  /**
   * The version of the agenda item `qaOpen`, `qaMode` and `endsAt` were read from. A state built from
   * an older read (a command that read the session just before an organizer changed it) must not undo
   * a newer `agenda:changed`: clients keep the agenda fields of the higher version.
   */
  agendaVersion: number;
}

export interface QaCounts {
  pending: number;
  approved: number;
  answered: number;
  dismissed: number;
  merged: number;
  /** Hybrid equity: questions from people in the room and from remote participants. */
  room: number;
  remote: number;
}

interface QaSyncBase {
  sessionId: string;
  slug: string;
  view: QaView;
  /** The session's Q&A version after which this answer was computed. */
  version: number;
  state: QaState;
  /** Current vote counts of every question this view shows. */
  votes: Record<string, number>;
  /** Questions this person has voted for. */
  myVotes: string[];
  /** This person's own questions (empty for a screen or a person who asked nothing). */
  mine: OwnQuestion[];
  /** Staff: the session's panelists, for routing. */
  panelists: Panelist[];
  /** Staff: counts per status and origin. */
  counts: QaCounts | null;
  /**
   * The name of this person's outbox in the browser (opaque; not the user id, and sent nowhere else),
   * so a shared browser keeps each person's queued questions apart. Null when not signed in.
   */
  outboxKey: string | null;
}

/** Everything the view shows. */
export interface QaSnapshot extends QaSyncBase {
  kind: "snapshot";
  questions: QuestionView[];
}

/** What changed since the version the client held (after a short disconnect). */
export interface QaChanges extends QaSyncBase {
  kind: "changes";
  since: number;
  questions: QuestionView[];
  /** Questions this view no longer shows (dismissed, merged). */
  removed: string[];
}

export type QaSync = QaSnapshot | QaChanges;

export interface SimilarQuestion {
  id: string;
  text: string;
  votes: number;
  score: number;
}

export interface SubmitResult {
  question: OwnQuestion;
  /** True when this key had been stored before (a resend): nothing new was created. */
  duplicate: boolean;
}

export interface VoteResult {
  questionId: string;
  up: boolean;
  votes: number;
}

export interface ModerationResult {
  questions: QuestionView[];
  state: QaState;
  version: number;
  /** What the undo did, in words, for the console's status line. */
  summary: string;
}

// ── Facts (server → client) ────────────────────────────────────────────────────────────────────────

export interface QuestionChangedFact {
  sessionId: string;
  version: number;
  question: QuestionView;
}
export interface QuestionRemovedFact {
  sessionId: string;
  version: number;
  id: string;
}
export interface QuestionVotesFact {
  sessionId: string;
  /** [question id, vote count] for the questions whose count changed in the last tick. */
  counts: Array<[string, number]>;
}
export interface QaStateFact {
  sessionId: string;
  version: number;
  state: QaState;
  counts?: QaCounts;
}
export interface QuestionMineFact {
  sessionId: string;
  question: OwnQuestion;
}

// ── Labels ─────────────────────────────────────────────────────────────────────────────────────────

export function ownStatusLabel(q: Pick<OwnQuestion, "status" | "onStage" | "mergedInto" | "dismissReason">): string {
  if (q.onStage) return "On stage now";
  switch (q.status) {
    case "pending":
      return "Awaiting review";
    case "approved":
      return "Approved";
    case "answered":
      return "Answered";
    case "merged":
      return q.mergedInto ? `Merged into “${truncate(q.mergedInto.text, 80)}”` : "Merged into another question";
    case "dismissed":
      return q.dismissReason ? `Dismissed: ${q.dismissReason}` : "Dismissed";
  }
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

export function authorLabel(author: QuestionAuthor | null): string {
  if (!author) return "Anonymous";
  return author.affiliation ? `${author.name}, ${author.affiliation}` : author.name;
}

export const CHATHAM_ASK_NOTE = "Questions here are always anonymous: this session is held under the Chatham House Rule.";

/** A random idempotency key; crypto.getRandomValues works on plain-http pages too (randomUUID does not). */
export function newClientKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
