/**
 * What a moderator may do to a question, with its label and key. Whether an action is offered comes
 * from the shared rule module (lib/qa-rules.ts), the same one the server refuses by, so the console
 * never offers what the server would refuse.
 */
import { allows } from "@/lib/qa-rules";
import type { ModerationResult, QuestionView } from "@/lib/qa";
import type { AckResult } from "@/lib/realtime/contract";
import type { ModerationAction, ModerationActionType } from "@/lib/schemas/qa";

export type ActionId =
  "approve" | "stage" | "unstage" | "answer" | "dismiss" | "edit" | "star" | "tags" | "route" | "merge" | "up" | "down" | "reopen" | "restore";
export type DialogKind = "dismiss" | "tags" | "route" | "merge";

export interface ActionDef {
  id: ActionId;
  label: string;
  key: string;
  /** The key as shown (and for aria-keyshortcuts). */
  shown: string;
  /** The rule (lib/qa-rules.ts) that decides whether the action is offered. */
  rule: ModerationActionType;
}

export const ACTIONS: readonly ActionDef[] = [
  { id: "approve", label: "Approve", key: "a", shown: "A", rule: "approve" },
  { id: "stage", label: "Put on stage", key: "p", shown: "P", rule: "stage" },
  { id: "unstage", label: "Take off stage", key: "p", shown: "P", rule: "unstage" },
  { id: "answer", label: "Mark answered", key: "x", shown: "X", rule: "answer" },
  { id: "dismiss", label: "Dismiss…", key: "d", shown: "D", rule: "dismiss" },
  { id: "edit", label: "Edit", key: "e", shown: "E", rule: "edit" },
  { id: "star", label: "Star", key: "s", shown: "S", rule: "star" },
  { id: "tags", label: "Tags…", key: "t", shown: "T", rule: "tags" },
  { id: "route", label: "Route to panelist…", key: "r", shown: "R", rule: "route" },
  { id: "merge", label: "Merge into…", key: "m", shown: "M", rule: "merge" },
  { id: "up", label: "Move up", key: "[", shown: "[", rule: "move" },
  { id: "down", label: "Move down", key: "]", shown: "]", rule: "move" },
  { id: "reopen", label: "Back to queue", key: "o", shown: "O", rule: "reopen" },
  { id: "restore", label: "Restore to incoming", key: "o", shown: "O", rule: "restore" },
];

/** P toggles: "Take off stage" for the question on stage, else "Put on stage" where the rule allows it. */
export function offers(a: ActionDef, q: QuestionView, onStage: boolean): boolean {
  if (a.id === "stage" && onStage) return false;
  return allows(a.rule, { status: q.status, onStage });
}

export function offeredActions(q: QuestionView, onStage: boolean): ActionDef[] {
  return ACTIONS.filter((a) => offers(a, q, onStage));
}

/** What a card shows as buttons, in this order of preference; the rest go in its "More" menu. */
const PRIMARY: readonly ActionId[] = ["approve", "stage", "unstage", "answer", "reopen", "restore", "dismiss"];

/** The card's one or two main actions as buttons, everything else the rules allow in a compact menu. */
export function splitActions(q: QuestionView, onStage: boolean): { primary: ActionDef[]; more: ActionDef[] } {
  const offered = offeredActions(q, onStage);
  const primary = PRIMARY.map((id) => offered.find((a) => a.id === id))
    .filter((a): a is ActionDef => Boolean(a))
    .slice(0, 2);
  return { primary, more: offered.filter((a) => !primary.includes(a)) };
}

export function actionForKey(key: string, q: QuestionView, onStage: boolean): ActionDef | undefined {
  return ACTIONS.find((a) => a.key === key && offers(a, q, onStage));
}

export function isDialog(id: ActionId): id is DialogKind {
  return id === "dismiss" || id === "tags" || id === "route" || id === "merge";
}

/** The command of an action that needs no dialog or form. */
export function directAction(id: Exclude<ActionId, DialogKind | "edit">, q: QuestionView): ModerationAction {
  switch (id) {
    case "star":
      return { type: "star", starred: !q.starred };
    case "up":
    case "down":
      return { type: "move", direction: id };
    default:
      return { type: id };
  }
}

export interface Outcome {
  text: string;
  error: boolean;
}

export function outcomeOf(r: AckResult<ModerationResult>): Outcome {
  if (r.ok) return { text: r.data.summary, error: false };
  // A refusal as stale names the role of whoever changed the question first, in its message.
  return { text: r.error.message, error: true };
}
