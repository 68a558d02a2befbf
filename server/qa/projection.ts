/**
 * What each role may see of a question. Every payload that carries a question is built here, so the
 * Chatham House Rule is held in one place: the author appears only for a question asked with a name
 * in an on-record session, and the author's id never leaves the server for any role.
 */
import type { QaSessionRow, QuestionRow } from "../../db/schema";
import type { OwnQuestion, QaState, QaView, QuestionAuthor, QuestionView } from "../../lib/qa";
import type { SessionRow } from "../../db/schema";
import { isoInZone } from "../../lib/time";
export { visibleTo } from "../../lib/qa-rules";

export function authorOf(row: Pick<QuestionRow, "chatham" | "anonymous" | "authorName" | "authorAffiliation">): QuestionAuthor | null {
  if (row.chatham || row.anonymous || !row.authorName) return null;
  return { name: row.authorName, affiliation: row.authorAffiliation };
}

export function projectQuestion(row: QuestionRow, view: QaView, panelistNames: ReadonlyMap<string, string>): QuestionView {
  const base: QuestionView = {
    id: row.id,
    text: row.text,
    status: row.status,
    votes: row.voteCount,
    author: authorOf(row),
    createdAt: row.createdAt.toISOString(),
    answeredAt: row.answeredAt?.toISOString() ?? null,
    version: row.version,
  };
  if (view === "audience") return base;
  const routedTo = row.routedTo ? { id: row.routedTo, name: panelistNames.get(row.routedTo) ?? "Panelist" } : null;
  const panel: QuestionView = { ...base, panelOrder: row.panelOrder, routedTo, origin: row.origin, starred: row.starred };
  if (view === "panel") return panel;
  return {
    ...panel,
    originalText: row.originalText,
    tags: row.tags,
    mergedInto: row.mergedInto,
    dismissReason: row.dismissReason,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function projectOwn(row: QuestionRow, onStage: string | null, mergedTexts: ReadonlyMap<string, string>): OwnQuestion {
  return {
    id: row.id,
    key: row.clientKey,
    text: row.text,
    status: row.status,
    anonymous: row.anonymous,
    dismissReason: row.status === "dismissed" ? row.dismissReason : null,
    mergedInto: row.mergedInto ? { id: row.mergedInto, text: mergedTexts.get(row.mergedInto) ?? "" } : null,
    onStage: onStage === row.id,
    createdAt: row.createdAt.toISOString(),
    version: row.version,
  };
}

export function projectState(session: SessionRow, qa: QaSessionRow | undefined, now: Date, timeZone: string): QaState {
  return {
    rule: session.rule,
    qaOpen: session.qaOpen,
    qaMode: session.qaMode,
    intakePaused: qa?.intakePaused ?? false,
    onStage: qa?.onStageQuestionId ?? null,
    endsAt: isoInZone(session.endsAt, timeZone),
    ended: now.getTime() >= session.endsAt.getTime(),
    agendaVersion: session.version,
  };
}
