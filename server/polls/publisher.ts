/** The facts polls announce. The service calls this port; the transport (server/realtime/publishers) delivers them. */
import type { PollFact } from "../../lib/realtime/contract";
import type { MyAnswer, PollResults } from "../../lib/polls";

export interface PollPublisher {
  /** A draft was created or edited: organizers and moderators only. */
  draftChanged(sessionId: string, change: "created" | "updated", fact: PollFact): void;
  draftDeleted(sessionId: string, fact: { pollId: string; version: number }): void;
  /** A poll opened, closed, reopened or its results were published: everyone in the session. */
  pollChanged(sessionId: string, change: "opened" | "closed" | "reopened" | "published", fact: PollFact): void;
  /** Totals: to everyone when they are public, else to staff, panelists and the room screen. */
  results(sessionId: string, results: PollResults, toEveryone: boolean): void;
  /** How many of the session's sockets this instance holds: a results broadcast costs a write to each. */
  roomSize(sessionId: string): number;
  /** One person's answer changed: to their other tabs. */
  answered(userId: string, answer: MyAnswer, exceptSocketId?: string): void;
}
