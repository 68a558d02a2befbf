/**
 * The one typed socket.io contract, used by `new Server<…>()` and the browser's `io()`.
 * Commands (client → server) are imperative and always answered through an ack; facts (server →
 * client) are past tense. docs/protocol.md describes each event.
 */
import type { AgendaItem } from "../agenda";
import type { CaptionLine, HandQueue, MyHand, StreamAttendance, StreamSnapshot } from "../streaming";
import type { MyAnswer, PollAnswer, PollResults, PollSnapshot, PollView } from "../polls";
import type { PollDraftInput } from "../schemas/polls";
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

// ── Polls (docs/protocol.md, "Polls") ─────────────────────────────────────────────────────────────

/** A poll changed: its new state and the session's poll counter (`version`). */
export interface PollFact {
  poll: PollView;
  version: number;
}

export interface PollServerEvents {
  /** A draft was prepared (staff only). */
  "poll:created": (payload: PollFact) => void;
  /** A draft was edited (staff only). */
  "poll:updated": (payload: PollFact) => void;
  /** A draft was deleted (staff only). */
  "poll:deleted": (payload: { pollId: string; version: number }) => void;
  "poll:opened": (payload: PollFact) => void;
  "poll:closed": (payload: PollFact) => void;
  "poll:reopened": (payload: PollFact) => void;
  "poll:published": (payload: PollFact) => void;
  /** Totals, coalesced per tick; sent only to those who may see them. */
  "poll:results": (payload: PollResults) => void;
  /** This viewer's answer changed in another of their tabs. */
  "poll:answered": (payload: MyAnswer) => void;
}

export interface PollClientEvents {
  "poll:sync": (payload: { slug: string }, ack: Ack<PollSnapshot>) => void;
  "poll:create": (payload: { slug: string; clientKey: string; draft: PollDraftInput; open?: boolean }, ack: Ack<PollView>) => void;
  "poll:update": (payload: { pollId: string; expectedVersion: number; draft: PollDraftInput }, ack: Ack<PollView>) => void;
  "poll:delete": (payload: { pollId: string }, ack: Ack<null>) => void;
  "poll:open": (payload: { pollId: string; durationSeconds?: number | null }, ack: Ack<PollView>) => void;
  "poll:close": (payload: { pollId: string }, ack: Ack<PollView>) => void;
  "poll:reopen": (payload: { pollId: string; durationSeconds?: number | null }, ack: Ack<PollView>) => void;
  "poll:publish": (payload: { pollId: string }, ack: Ack<PollView>) => void;
  "poll:answer": (payload: { pollId: string; answer: PollAnswer }, ack: Ack<MyAnswer>) => void;
}

export interface ServerToClientEvents extends PollServerEvents {
  "agenda:changed": (payload: { item: AgendaItem }) => void;
  /** Sent just before the server closes this socket because its sign-in ended or its roles changed. */
  "viewer:changed": (payload: { reason: "signed_out" | "roles_changed" | "expired" }) => void;

  // ── Streaming (docs/protocol.md § Streaming) ──
  /** The stream went live or ended, or a recording started or stopped (REC). To the session's room. */
  "stream:changed": (payload: StreamSnapshot) => void;
  /** Remote viewers connected now. To organizers and moderators. */
  "stream:attendance": (payload: StreamAttendance) => void;
  /** The requests to speak, first come first served. To organizers and moderators. */
  "hand:queue-changed": (payload: HandQueue) => void;
  /** The person's own request changed (promoted, demoted...). To every tab of that person. */
  "hand:changed": (payload: MyHand) => void;
  /** A line from the captioner. To the session's room. */
  "caption:added": (payload: CaptionLine) => void;
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

export interface ClientToServerEvents extends PollClientEvents {
  /** `view: "screen"`: the room's projector, which gets only what the room may see, whoever is signed in. */
  "session:join": (payload: { slug: string; view?: "screen" }, ack: Ack<SessionJoined>) => void;
  "session:leave": (payload: { slug: string }, ack: Ack<null>) => void;

  // ── Streaming (docs/protocol.md § Streaming) ──
  "stream:state": (payload: { slug: string }, ack: Ack<StreamStateResult>) => void;
  "stream:mute": (payload: { slug: string; identity: string }, ack: Ack<{ muted: number }>) => void;
  "hand:raise": (payload: { slug: string }, ack: Ack<MyHand>) => void;
  "hand:lower": (payload: { slug: string }, ack: Ack<MyHand>) => void;
  "hand:queue": (payload: { slug: string }, ack: Ack<HandQueue>) => void;
  "hand:promote": (payload: { slug: string; handId: string; camera?: boolean }, ack: Ack<HandQueue>) => void;
  "hand:demote": (payload: { slug: string; handId: string }, ack: Ack<HandQueue>) => void;
  "caption:push": (payload: { slug: string; text: string; final?: boolean }, ack: Ack<CaptionLine>) => void;

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
  "qa:configure": (payload: { slug: string; key: string; qaOpen?: boolean; qaMode?: "pre_moderated" | "open" }, ack: Ack<ModerationResult>) => void;
}

/** `stream:state`: everything a stream view needs after (re)connecting. */
export interface StreamStateResult {
  stream: StreamSnapshot;
  hand: MyHand;
  /** Organizers and moderators only. */
  attendance?: StreamAttendance;
  queue?: HandQueue;
}

export type InterServerEvents = Record<string, never>;
