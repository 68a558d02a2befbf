/**
 * The rules of polls as pure functions: what a valid answer is, how answers are counted, who may see
 * results when, and the one projection that decides what of a tally may leave the server.
 */
import type { PollOptionRow, PollRow } from "../../db/schema";
import {
  normalizeWord,
  POLL_LIMITS,
  SMALL_COUNT,
  hideSmallCount,
  type Count,
  type PollAnswer,
  type PollKind,
  type PollResults,
  type PollView,
  type ResultRow,
  type ResultsVisibility,
} from "../../lib/polls";
import { visibleLength } from "../../lib/text";
import { AppError } from "../errors";

/** What the rules need to know of a poll. */
export interface PollDefinition {
  id: string;
  kind: PollKind;
  options: Array<{ id: string; label: string }>;
  maxPicks: number | null;
  scaleMax: number | null;
  lowLabel: string | null;
  highLabel: string | null;
}

export function definitionOf(row: PollRow, options: PollOptionRow[]): PollDefinition {
  return {
    id: row.id,
    kind: row.kind,
    options: [...options].sort((a, b) => a.position - b.position).map((o) => ({ id: o.id, label: o.label })),
    maxPicks: row.maxPicks,
    scaleMax: row.scaleMax,
    lowLabel: row.lowLabel,
    highLabel: row.highLabel,
  };
}

// ── Visibility ─────────────────────────────────────────────────────────────────────────────────────

export interface VisibilityState {
  status: PollRow["status"];
  resultsVisibility: ResultsVisibility;
  publishedAt: Date | null;
}

/** Whether the audience may see a poll's results now: live, after close, or once published. */
export function resultsPublic(p: VisibilityState): boolean {
  if (p.status === "draft") return false;
  if (p.publishedAt) return true;
  if (p.resultsVisibility === "live") return true;
  if (p.resultsVisibility === "after_close") return p.status === "closed";
  return false;
}

/**
 * Whether one viewer may see a poll and its results. Drafts are for those who run polls; moderators,
 * organizers, panelists and the room screen (`poll:view-results`) see results live; everyone else
 * when `resultsPublic`.
 */
export function visibleTo(viewer: { manage: boolean; viewResults: boolean }, p: VisibilityState): { poll: boolean; results: boolean } {
  if (p.status === "draft") return { poll: viewer.manage, results: false };
  return { poll: true, results: viewer.manage || viewer.viewResults || resultsPublic(p) };
}

export function toPollView(row: PollRow, def: PollDefinition): PollView {
  return {
    id: row.id,
    kind: row.kind,
    question: row.question,
    options: def.options,
    maxPicks: row.maxPicks,
    scaleMax: row.scaleMax,
    lowLabel: row.lowLabel,
    highLabel: row.highLabel,
    resultsVisibility: row.resultsVisibility,
    status: row.status,
    published: Boolean(row.publishedAt),
    durationSeconds: row.durationSeconds,
    closesAt: row.closesAt?.toISOString() ?? null,
    openedAt: row.openedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    version: row.version,
    resultsPublic: resultsPublic(row),
  };
}

// ── Answers ────────────────────────────────────────────────────────────────────────────────────────

/** An answer as stored: exactly one of the three columns. */
export type StoredAnswer =
  { optionIds: string[]; rating: null; word: null } | { optionIds: null; rating: number; word: null } | { optionIds: null; rating: null; word: string };

/**
 * Checks an answer against the poll's definition. Refusals carry a stable code and change nothing:
 * `invalid_answer`, `unknown_option`, `too_many_picks`, `rating_out_of_range`.
 */
export function checkAnswer(def: PollDefinition, answer: PollAnswer): StoredAnswer {
  if (answer.kind !== def.kind) {
    throw new AppError("invalid_answer", `This poll asks for a ${kindNoun(def.kind)}; the answer sent was a ${kindNoun(answer.kind)}. Reload the page.`);
  }
  const known = new Set(def.options.map((o) => o.id));
  switch (answer.kind) {
    case "single":
      if (!known.has(answer.optionId)) throw new AppError("unknown_option", "That option is not part of this poll. Reload the page and choose again.");
      return { optionIds: [answer.optionId], rating: null, word: null };
    case "multiple": {
      // Counted first: more picks than allowed is too_many_picks whatever else is wrong with them.
      if (answer.optionIds.length > (def.maxPicks ?? 1)) {
        throw new AppError("too_many_picks", `Pick at most ${def.maxPicks} option${def.maxPicks === 1 ? "" : "s"}.`, { maxPicks: def.maxPicks });
      }
      const ids = new Set(answer.optionIds);
      if (ids.size !== answer.optionIds.length) throw new AppError("invalid_answer", "The same option was picked twice.");
      if (answer.optionIds.some((id) => !known.has(id)))
        throw new AppError("unknown_option", "An option you picked is not part of this poll. Reload the page and choose again.");
      return { optionIds: [...ids].sort(), rating: null, word: null };
    }
    case "rating": {
      const max = def.scaleMax ?? 5;
      if (answer.value < 1 || answer.value > max) throw new AppError("rating_out_of_range", `Choose a rating from 1 to ${max}.`, { min: 1, max });
      return { optionIds: null, rating: answer.value, word: null };
    }
    case "word_cloud": {
      const word = normalizeWord(answer.text);
      // Fillers, blanks and format characters alone would show as an empty word in the cloud.
      if (visibleLength(word) === 0) throw new AppError("invalid_answer", "Type a word or a short phrase.");
      if ([...word].length > POLL_LIMITS.word) throw new AppError("invalid_answer", `Keep it to ${POLL_LIMITS.word} characters: a word or a short phrase.`);
      return { optionIds: null, rating: null, word };
    }
  }
}

/** The stored answer as its owner sees it again. */
export function answerOf(def: PollDefinition, stored: { optionIds: string[] | null; rating: number | null; word: string | null }): PollAnswer {
  switch (def.kind) {
    case "single":
      return { kind: "single", optionId: stored.optionIds?.[0] ?? "" };
    case "multiple":
      return { kind: "multiple", optionIds: stored.optionIds ?? [] };
    case "rating":
      return { kind: "rating", value: stored.rating ?? 0 };
    case "word_cloud":
      return { kind: "word_cloud", text: stored.word ?? "" };
  }
}

function kindNoun(kind: PollKind): string {
  return { single: "single choice", multiple: "multiple choice", rating: "rating", word_cloud: "word or short phrase" }[kind];
}

// ── Tallies ────────────────────────────────────────────────────────────────────────────────────────

/** Identical answers grouped by the database, with how many people gave each. */
export interface AnswerGroup {
  optionIds: string[] | null;
  rating: number | null;
  word: string | null;
  n: number;
}

export interface Tally {
  respondents: number;
  rows: Array<{ key: string; label: string; count: number }>;
  /** rating: the sum of all ratings (for the mean). */
  ratingSum: number | null;
}

/** Counts answers: per option (a multiple-choice answer counts once for each pick), per rating value, per word. */
export function tally(def: PollDefinition, groups: readonly AnswerGroup[]): Tally {
  const respondents = groups.reduce((s, g) => s + g.n, 0);
  switch (def.kind) {
    case "single":
    case "multiple": {
      const counts = new Map(def.options.map((o) => [o.id, 0]));
      for (const g of groups) for (const id of g.optionIds ?? []) if (counts.has(id)) counts.set(id, counts.get(id)! + g.n);
      return { respondents, rows: def.options.map((o) => ({ key: o.id, label: o.label, count: counts.get(o.id)! })), ratingSum: null };
    }
    case "rating": {
      const max = def.scaleMax ?? 5;
      const counts = new Array<number>(max + 1).fill(0);
      let sum = 0;
      for (const g of groups) {
        if (g.rating !== null && g.rating >= 1 && g.rating <= max) {
          counts[g.rating] += g.n;
          sum += g.rating * g.n;
        }
      }
      const rows = Array.from({ length: max }, (_, i) => {
        const v = i + 1;
        const end = v === 1 ? def.lowLabel : v === max ? def.highLabel : null;
        return { key: String(v), label: end ? `${v} — ${end}` : String(v), count: counts[v] };
      });
      return { respondents, rows, ratingSum: sum };
    }
    case "word_cloud": {
      const counts = new Map<string, number>();
      for (const g of groups) if (g.word) counts.set(g.word, (counts.get(g.word) ?? 0) + g.n);
      const rows = [...counts].map(([word, count]) => ({ key: word, label: word, count }));
      rows.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return { respondents, rows, ratingSum: null };
    }
  }
}

// ── The projection ─────────────────────────────────────────────────────────────────────────────────

/** Most words a word cloud shows; the rest are counted together. */
export const TOP_WORDS = 50;

export interface ProjectionContext {
  chathamHouse: boolean;
  seq: number;
  at: Date;
}

/**
 * The one function that decides what of a tally leaves the server, for every role, socket payload,
 * page and export alike. Only totals ever do. Under the Chatham House Rule a count below 3 becomes
 * "fewer than 3" (zero included, so a first answer does not show), words given by fewer than 3 people
 * are not shown at all, and no other number may give a hidden count away: when the counts add up to
 * the respondents (single choice, rating, and a word cloud's words with its "other answers") and
 * exactly one is hidden, the respondents become a lower bound, percentages are given only against an
 * exact total, and a rating's mean only when nothing is hidden.
 */
export function projectResults(def: PollDefinition, t: Tally, ctx: ProjectionContext): PollResults {
  const base = { pollId: def.id, seq: ctx.seq, at: ctx.at.toISOString() };
  if (!ctx.chathamHouse) {
    const shown = def.kind === "word_cloud" ? t.rows.slice(0, TOP_WORDS) : t.rows;
    const rest = t.rows.slice(shown.length).reduce((s, r) => s + r.count, 0);
    return {
      ...base,
      respondents: t.respondents,
      rows: shown.map((r) => ({ ...r, percent: percentOf(r.count, t.respondents) })),
      mean: def.kind === "rating" && t.respondents > 0 ? round2((t.ratingSum ?? 0) / t.respondents) : null,
      otherAnswers: def.kind === "word_cloud" ? rest : null,
      suppressed: false,
    };
  }

  const hide = hideSmallCount;
  if (def.kind === "word_cloud") {
    const shown = t.rows.filter((r) => r.count >= SMALL_COUNT).slice(0, TOP_WORDS);
    const shownSum = shown.reduce((s, r) => s + r.count, 0);
    const rest = t.respondents - shownSum;
    let respondents: Count = hide(t.respondents);
    // Everyone gives one word, so an exact total minus the words shown would be the hidden rest.
    if (typeof respondents === "number" && rest < SMALL_COUNT) respondents = { atLeast: shownSum };
    return {
      ...base,
      respondents,
      rows: shown.map((r) => ({ ...r, count: r.count, percent: typeof respondents === "number" ? percentOf(r.count, t.respondents) : null })),
      mean: null,
      otherAnswers: hide(rest),
      suppressed: rest < SMALL_COUNT || t.respondents < SMALL_COUNT || shown.length < t.rows.length,
    };
  }

  const rows: ResultRow[] = t.rows.map((r) => ({ key: r.key, label: r.label, count: hide(r.count), percent: null }));
  const hidden = t.rows.filter((r) => r.count < SMALL_COUNT).length;
  const partition = def.kind === "single" || def.kind === "rating" || (def.kind === "multiple" && def.maxPicks === 1);
  let respondents: Count = hide(t.respondents);
  if (typeof respondents === "number" && partition && hidden === 1) {
    respondents = { atLeast: t.rows.reduce((s, r) => s + (r.count >= SMALL_COUNT ? r.count : 0), 0) };
  }
  if (typeof respondents === "number") {
    for (const [i, r] of rows.entries()) if (typeof r.count === "number") r.percent = percentOf(t.rows[i].count, t.respondents);
  }
  return {
    ...base,
    respondents,
    rows,
    mean: def.kind === "rating" && hidden === 0 && t.respondents > 0 ? round2((t.ratingSum ?? 0) / t.respondents) : null,
    otherAnswers: null,
    suppressed: hidden > 0 || typeof respondents !== "number",
  };
}

function percentOf(count: number, total: number): number | null {
  return total > 0 ? Math.round((count / total) * 1000) / 10 : null;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
