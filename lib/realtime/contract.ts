/**
 * The one typed socket.io contract, used by `new Server<…>()` and the browser's `io()`.
 * Commands (client → server) are imperative and always answered through an ack; facts (server →
 * client) are past tense. docs/protocol.md describes each event.
 */
import type { AgendaItem } from "../agenda";
import type {
  ModerationResult,
  QaStateFact,
  QaSync,
  QaView,
  QuestionChangedFact,
  QuestionMineFact,
  QuestionRemovedFact,
  QuestionVotesFact,
  SimilarQuestion,
  SubmitResult,
  VoteResult,
} from "../qa";
import type { ModerationAction } from "../schemas/qa";

export interface AckError {
  code: string;
  message: string;
  /** For `rate_limited`: when to try again. */
  retryAfterMs?: number;
  /** For `version_conflict`: the object as it is now. */
  current?: unknown;
}

export type AckResult<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type Ack<T> = (result: AckResult<T>) => void;

/** What a socket may do in a session it joined; the server decides, the client only renders. */
export interface SessionCapabilities {
  ask: boolean;
  vote: boolean;
  answerPolls: boolean;
  moderate: boolean;
  managePolls: boolean;
  panel: boolean;
  screen: boolean;
  watch: boolean;
  publish: boolean;
  controlStream: boolean;
  record: boolean;
  raiseHand: boolean;
}

export interface SessionJoined {
  sessionId: string;
  slug: string;
  signedIn: boolean;
  can: SessionCapabilities;
}

export interface ServerToClientEvents {
  "agenda:changed": (payload: { item: AgendaItem }) => void;
  /** Sent just before the server closes this socket because its sign-in ended or its roles changed. */
  "viewer:changed": (payload: { reason: "signed_out" | "roles_changed" | "expired" }) => void;

  // ── Q&A (docs/protocol.md, "Q&A") ──
  /** A question changed (or was created), in the projection of the receiver's view. */
  "question:changed": (payload: QuestionChangedFact) => void;
  /** A question this view showed is no longer shown (dismissed, merged). */
  "question:removed": (payload: QuestionRemovedFact) => void;
  /** Vote counts, coalesced per tick per session. */
  "question:votes": (payload: QuestionVotesFact) => void;
  /** The session's Q&A state (on stage, intake paused); staff also get the counts. */
  "qa:state": (payload: QaStateFact) => void;
  /** The asker's own question changed (to every tab of the asker only). */
  "question:mine": (payload: QuestionMineFact) => void;
}

export interface ClientToServerEvents {
  "session:join": (payload: { slug: string }, ack: Ack<SessionJoined>) => void;
  "session:leave": (payload: { slug: string }, ack: Ack<null>) => void;
  "qa:configure": (payload: { slug: string; qaOpen?: boolean; qaMode?: "pre_moderated" | "open" }, ack: Ack<AgendaItem>) => void;

  // ── Q&A (payloads are parsed with lib/schemas/qa.ts) ──
  "qa:sync": (payload: { slug: string; since?: number; view?: QaView }, ack: Ack<QaSync>) => void;
  "question:submit": (payload: { slug: string; key: string; text: string; anonymous?: boolean }, ack: Ack<SubmitResult>) => void;
  "question:similar": (payload: { slug: string; text: string }, ack: Ack<SimilarQuestion[]>) => void;
  "question:vote": (payload: { slug: string; key: string; questionId: string; up: boolean }, ack: Ack<VoteResult>) => void;
  "question:moderate": (
    payload: { slug: string; key: string; questionId: string; expectedVersion: number; action: ModerationAction },
    ack: Ack<ModerationResult>,
  ) => void;
  "question:answer": (payload: { slug: string; key: string; questionId: string; expectedVersion: number }, ack: Ack<ModerationResult>) => void;
  "qa:undo": (payload: { slug: string; key: string }, ack: Ack<ModerationResult>) => void;
  "qa:pause": (payload: { slug: string; key: string; paused: boolean }, ack: Ack<ModerationResult>) => void;
  "qa:interleave": (payload: { slug: string; key: string }, ack: Ack<ModerationResult>) => void;
}

export type InterServerEvents = Record<string, never>;
