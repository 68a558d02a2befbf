/** Live polls as pages and socket payloads carry them. Browser-safe: no identities ever appear here. */

import { HIDDEN_FORMAT } from "./text";

export type PollKind = "single" | "multiple" | "rating" | "word_cloud";
export type PollStatus = "draft" | "open" | "closed";
export type ResultsVisibility = "live" | "after_close" | "published";

export const pollKindLabels: Record<PollKind, string> = {
  single: "Single choice",
  multiple: "Multiple choice",
  rating: "Rating scale",
  word_cloud: "Word cloud",
};

export const visibilityLabels: Record<ResultsVisibility, string> = {
  live: "Live, while people answer",
  after_close: "When the poll closes",
  published: "Only when a moderator publishes them",
};

export const statusLabels: Record<PollStatus, string> = { draft: "Draft", open: "Open", closed: "Closed" };

/** Limits shared by the forms and the server's schemas. */
export const POLL_LIMITS = {
  question: 300,
  option: 120,
  minOptions: 2,
  maxOptions: 10,
  label: 60,
  word: 40,
  minDurationSeconds: 10,
  maxDurationSeconds: 3600,
} as const;

/** Under the Chatham House Rule a count below this is never shown as a number. */
export const SMALL_COUNT = 3;

export interface PollOption {
  id: string;
  label: string;
}

/** A poll as every role sees it. There is no author or voter in it. */
export interface PollView {
  id: string;
  kind: PollKind;
  question: string;
  options: PollOption[];
  /** multiple: most picks per person. */
  maxPicks: number | null;
  /** rating: 5 or 10, starting at 1. */
  scaleMax: number | null;
  lowLabel: string | null;
  highLabel: string | null;
  resultsVisibility: ResultsVisibility;
  status: PollStatus;
  published: boolean;
  durationSeconds: number | null;
  /** ISO instants. `closesAt` is set while a timer runs. */
  closesAt: string | null;
  openedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  /** Bumped by every change of this poll; keep the higher one. */
  version: number;
  /** The server's decision whether the audience may see the results now. */
  resultsPublic: boolean;
}

/**
 * A count as it may leave the server: a number, or under the Chatham House Rule a bound when the
 * number itself could point at one person's answer.
 */
export type Count = number | { fewerThan: number } | { atLeast: number };

export interface ResultRow {
  /** Option id, rating value ("1".."10") or the normalized word. */
  key: string;
  label: string;
  count: Count;
  /** Share of respondents, 0..100, only when both numbers are exact. */
  percent: number | null;
}

/** Totals only, projected by the server (docs/protocol.md, "poll:results"). */
export interface PollResults {
  pollId: string;
  /** Grows with every answer written; a client keeps results with the higher (or equal) seq. */
  seq: number;
  respondents: Count;
  rows: ResultRow[];
  /** rating: the mean, when it cannot reveal a hidden count. */
  mean: number | null;
  /** word_cloud: answers not shown as a word (rare words under the Rule, or past the top words). */
  otherAnswers: Count | null;
  /** True when some counts are shown as bounds (Chatham House Rule). */
  suppressed: boolean;
  /** Server time the totals were read, ISO. */
  at: string;
}

export type PollAnswer =
  { kind: "single"; optionId: string } | { kind: "multiple"; optionIds: string[] } | { kind: "rating"; value: number } | { kind: "word_cloud"; text: string };

/** The viewer's own answer to a poll: only ever sent to that viewer's sockets. */
export interface MyAnswer {
  pollId: string;
  answer: PollAnswer;
  answeredAt: string;
}

export interface PollEntry {
  poll: PollView;
  /** Present when this viewer may see the results now. */
  results: PollResults | null;
}

export interface PollSnapshot {
  sessionId: string;
  slug: string;
  chathamHouse: boolean;
  /** The session's poll counter: every poll change bumps it. */
  version: number;
  can: { manage: boolean; viewResults: boolean; answer: boolean };
  polls: PollEntry[];
  mine: MyAnswer[];
}

/**
 * The one normalization of word-cloud answers: Unicode compatibility forms folded (NFKC: full-width
 * letters, ligatures, composed accents), control characters and zero-width spaces made spaces,
 * then what every text field drops (`HIDDEN_FORMAT`: no reordering tricks on the room screen),
 * whitespace collapsed, surrounding sentence punctuation and quotes trimmed ("C++", "$5B" and emoji
 * keep their symbols), and case folded (upper then lower, so "Straße" and "STRASSE" meet).
 * Returns "" when nothing countable is left.
 */
export function normalizeWord(input: string): string {
  return input
    .normalize("NFKC")
    .replace(/[\p{Cc}\u200B\u2028\u2029]/gu, " ")
    .replace(HIDDEN_FORMAT, "")
    .replace(/\s+/gu, " ")
    .replace(/^[\s.,;:!?¡¿"'«»“”„‘’‚()[\]{}…·]+|[\s.,;:!?¡¿"'«»“”„‘’‚()[\]{}…·]+$/gu, "")
    .toUpperCase()
    .toLowerCase()
    .normalize("NFC");
}

/**
 * The Chatham House rule for any count that leaves the server (polls, dashboards, reports, exports):
 * below SMALL_COUNT (zero included) it becomes "fewer than 3". The one copy of that rule.
 */
export function hideSmallCount(n: number): Count {
  return n < SMALL_COUNT ? { fewerThan: SMALL_COUNT } : n;
}

export function formatCount(c: Count): string {
  if (typeof c === "number") return String(c);
  if ("fewerThan" in c) return `fewer than ${c.fewerThan}`;
  return `at least ${c.atLeast}`;
}

/** The number a bar may be drawn to; bounds draw no bar. */
export function exactCount(c: Count | null | undefined): number | null {
  return typeof c === "number" ? c : null;
}

export function answerSummary(poll: PollView, answer: PollAnswer): string {
  switch (answer.kind) {
    case "single":
      return poll.options.find((o) => o.id === answer.optionId)?.label ?? "an option";
    case "multiple":
      return answer.optionIds.map((id) => poll.options.find((o) => o.id === id)?.label ?? "an option").join(", ");
    case "rating":
      return `${answer.value} of ${poll.scaleMax}`;
    case "word_cloud":
      return `“${answer.text}”`;
  }
}
