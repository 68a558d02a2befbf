/** The rows a poll's lifecycle writes, and its refusals: shared by the service and its caches. */
import type { NewPollRow, SessionRow } from "../../db/schema";
import type { PollView } from "../../lib/polls";
import type { PollDraft } from "../../lib/schemas/polls";
import { AppError } from "../errors";

export function draftFields(d: PollDraft): Omit<NewPollRow, "sessionId" | "clientKey"> {
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

export function openFields(now: Date, durationSeconds: number | null | undefined): Partial<NewPollRow> {
  return {
    status: "open",
    openedAt: now,
    closedAt: null,
    durationSeconds: durationSeconds ?? null,
    closesAt: durationSeconds ? new Date(now.getTime() + durationSeconds * 1000) : null,
  };
}

export function chathamOver(session: SessionRow, now: Date): boolean {
  return session.rule === "chatham_house" && session.endsAt <= now;
}

export function summary(v: PollView) {
  return { kind: v.kind, question: v.question, options: v.options.map((o) => o.label), resultsVisibility: v.resultsVisibility, status: v.status };
}

export const pollNotFound = () => new AppError("not_found", "There is no such poll. It may have been deleted; reload the page.");
export const pollClosed = () => new AppError("poll_closed", "This poll is closed: answers are no longer taken.");
export const notDraft = () => new AppError("conflict", "Only a draft can be edited; this poll has been launched.");

/** Caches are per poll; a process keeps at most the most recent thousands of polls. */
export function trim(map: Map<string, unknown>, max = 2000): void {
  if (map.size > max) map.delete(map.keys().next().value!);
}
