/**
 * The question state machine and who sees what: the one place these rules live. The server refuses
 * a moderation action with `ruleRefusal`'s message; the moderation console offers exactly the actions
 * `allows` permits, so the two cannot drift. Browser-safe.
 */
import type { QaView, QuestionStatus } from "./qa";
import type { ModerationActionType } from "./schemas/qa";

export const STATUS_WORDS: Record<QuestionStatus, string> = {
  pending: "awaiting review",
  approved: "approved",
  answered: "answered",
  dismissed: "dismissed",
  merged: "merged into another question",
};

/** Whether a view shows a question at all: the audience and panelists see approved and answered ones. */
export function visibleTo(view: QaView, status: QuestionStatus): boolean {
  return view === "staff" || status === "approved" || status === "answered";
}

/** What a rule looks at: the question's status and whether it is the one on stage. */
export interface RuleSubject {
  status: QuestionStatus;
  onStage: boolean;
}

type Rule = { ok: (q: RuleSubject) => boolean; refusal: (q: RuleSubject) => string };

const notMerged: Rule = { ok: (q) => q.status !== "merged", refusal: () => "This question was merged into another; act on that one." };
const inReview = (verb: string): Rule => ({
  ok: (q) => q.status === "pending" || q.status === "approved",
  refusal: (q) => `Only a question awaiting review or approved can be ${verb}; this one is ${STATUS_WORDS[q.status]}.`,
});

/** Moderation actions (and the panel's "answered"), with the state each may start from. */
const RULES: Record<ModerationActionType, Rule> = {
  approve: {
    ok: (q) => q.status === "pending" || q.status === "dismissed",
    refusal: (q) => `Only a question awaiting review or dismissed can be approved; this one is ${STATUS_WORDS[q.status]}.`,
  },
  dismiss: inReview("dismissed"),
  restore: { ok: (q) => q.status === "dismissed", refusal: () => "Only a dismissed question can be restored." },
  edit: notMerged,
  star: notMerged,
  tags: notMerged,
  route: notMerged,
  merge: inReview("merged into another"),
  stage: { ok: (q) => q.status === "approved", refusal: () => "Only an approved question can go on stage." },
  unstage: { ok: (q) => q.onStage, refusal: () => "This question is not on stage." },
  answer: {
    ok: (q) => q.status === "approved",
    refusal: (q) => `Only an approved question can be marked answered; this one is ${STATUS_WORDS[q.status]}.`,
  },
  reopen: { ok: (q) => q.status === "answered", refusal: () => "Only an answered question can be reopened." },
  move: { ok: (q) => q.status === "approved", refusal: () => "Only approved questions are in the panel queue." },
};

export function allows(action: ModerationActionType, q: RuleSubject): boolean {
  return RULES[action].ok(q);
}

/** Why `action` may not start from this state, or null when it may. */
export function ruleRefusal(action: ModerationActionType, q: RuleSubject): string | null {
  return RULES[action].ok(q) ? null : RULES[action].refusal(q);
}

/** A question another may be merged into. */
export function canReceiveMerge(status: QuestionStatus): boolean {
  return status === "pending" || status === "approved" || status === "answered";
}
