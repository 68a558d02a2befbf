/** The facts Q&A announces. The service calls this port; the transport (server/realtime/publishers) delivers them. */
import type { QuestionRow } from "../../db/schema";
import type { OwnQuestion, QaCounts, QaState } from "../../lib/qa";

export interface QuestionChange {
  row: QuestionRow;
  /** The status before the change; undefined for a new question. */
  before?: QuestionRow["status"];
}

export interface QaPublisher {
  /** Questions changed: each view gets its own projection (the Chatham House Rule holds in the projection). */
  questionsChanged(sessionId: string, version: number, changes: readonly QuestionChange[], panelistNames: ReadonlyMap<string, string>): void;
  /** The session's Q&A state (stage, intake); staff also get the counts when given. */
  stateChanged(sessionId: string, version: number, state: QaState, counts?: QaCounts): void;
  /** The counts changed (staff only). */
  countsChanged(sessionId: string, version: number, state: QaState, counts: QaCounts): void;
  /** The asker's own view of their question, to every tab they have open. */
  mine(authorId: string, sessionId: string, question: OwnQuestion): void;
  /** A vote changed a question's count: counts go out coalesced per tick. */
  voted(sessionId: string, questionId: string): void;
}
