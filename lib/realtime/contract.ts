/**
 * The one typed socket.io contract, used by `new Server<…>()` and the browser's `io()`.
 * Commands (client → server) are imperative and always answered through an ack; facts (server →
 * client) are past tense. docs/protocol.md describes each event.
 *
 * Each command's payload type is inferred from its zod schema in `commandSchemas` (the server parses
 * every frame with it), and its result type is named once in `CommandResults`: an unknown event or a
 * wrong payload is a type error on both ends.
 */
import type { z } from "zod";
import type { AgendaItem } from "../agenda";
import { handDecisionSchema, muteSchema, slugPayloadSchema, type HandQueue, type MyHand, type StreamAttendance, type StreamSnapshot } from "../streaming";
import { captionPushSchema, captionStateSchema, type CaptionFeed, type CaptionLine, type CaptionStateResult } from "../captions";
import type { MyAnswer, PollResults, PollSnapshot, PollView } from "../polls";
import { pollAnswerSchema, pollCreateSchema, pollOpenSchema, pollRefSchema, pollSyncSchema, pollUpdateSchema } from "../schemas/polls";
import {
  qaConfigureSchema,
  qaInterleaveSchema,
  qaPauseSchema,
  qaSyncSchema,
  qaUndoSchema,
  questionAnswerSchema,
  questionModerateSchema,
  questionSimilarSchema,
  questionSubmitSchema,
  questionVoteSchema,
} from "../schemas/qa";
import { sessionJoinSchema, sessionLeaveSchema } from "../schemas/session";
import { noteAckSchema, noteSendSchema, noteSyncSchema, type NoteAckResult, type NoteSync, type PanelNote } from "../panel-notes";
import { adminDashboardSchema } from "../schemas/admin";
import type { DashboardSnapshot } from "../admin";
import { checkInSchema, deskSchema, deskSearchSchema, walkInSchema, type CheckInResult, type DeskCounts, type DeskPerson } from "../checkin";
import type {
  ModerationResult,
  QaStateFact,
  QaSync,
  QuestionChangedFact,
  QuestionMineFact,
  QuestionRemovedFact,
  QuestionVotesFact,
  SimilarQuestion,
  SubmitResult,
  VoteResult,
} from "../qa";

export interface AckError {
  code: string;
  message: string;
  /** For `rate_limited`: when to try again. */
  retryAfterMs?: number;
  /** For `version_conflict`: the object as it is now. */
  current?: unknown;
  /** For `version_conflict`: the role of whoever changed it meanwhile (never a name). */
  changedBy?: string;
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

// ── Commands (client → server) ────────────────────────────────────────────────────────────────

/**
 * The largest frame a client may send (the server's socket.io `maxHttpBufferSize`). A bigger frame
 * is not refused but cuts the connection, so the client checks its own commands against it first.
 * Questions are at most 500 characters, so 16 KiB is generous.
 */
export const MAX_FRAME_BYTES = 16 * 1024;

/** Every command and the schema its payload is parsed with. */
export const commandSchemas = {
  "session:join": sessionJoinSchema,
  "session:leave": sessionLeaveSchema,

  // Streaming (docs/protocol.md § Streaming)
  "stream:state": slugPayloadSchema,
  "stream:mute": muteSchema,
  "hand:raise": slugPayloadSchema,
  "hand:lower": slugPayloadSchema,
  "hand:queue": slugPayloadSchema,
  "hand:promote": handDecisionSchema,
  "hand:demote": handDecisionSchema,
  "caption:push": captionPushSchema,
  "caption:state": captionStateSchema,

  // Polls (docs/protocol.md, "Polls")
  "poll:sync": pollSyncSchema,
  "poll:create": pollCreateSchema,
  "poll:update": pollUpdateSchema,
  "poll:delete": pollRefSchema,
  "poll:open": pollOpenSchema,
  "poll:close": pollRefSchema,
  "poll:reopen": pollOpenSchema,
  "poll:publish": pollRefSchema,
  "poll:answer": pollAnswerSchema,

  // Q&A (docs/protocol.md, "Q&A")
  "qa:sync": qaSyncSchema,
  "question:submit": questionSubmitSchema,
  "question:similar": questionSimilarSchema,
  "question:vote": questionVoteSchema,
  "question:moderate": questionModerateSchema,
  "question:answer": questionAnswerSchema,
  "qa:undo": qaUndoSchema,
  "qa:pause": qaPauseSchema,
  "qa:interleave": qaInterleaveSchema,
  "qa:configure": qaConfigureSchema,

  // Private notes to the panel (docs/protocol.md, "Notes to the panel")
  "note:sync": noteSyncSchema,
  "note:send": noteSendSchema,
  "note:ack": noteAckSchema,
  // Organizer dashboard (docs/protocol.md, "Organizer dashboard")
  "admin:dashboard": adminDashboardSchema,
  // Check-in desk (docs/protocol.md, "Check-in desk")
  "checkin:desk": deskSchema,
  "checkin:search": deskSearchSchema,
  "checkin:check-in": checkInSchema,
  "checkin:walk-in": walkInSchema,
} as const satisfies Record<keyof CommandResults, z.ZodType>;

/** What each command answers with (inside `{ ok: true, data }`). */
export interface CommandResults {
  "session:join": SessionJoined;
  "session:leave": null;
  "stream:state": StreamStateResult;
  "stream:mute": { muted: number };
  "hand:raise": MyHand;
  "hand:lower": MyHand;
  "hand:queue": HandQueue;
  "hand:promote": HandQueue;
  "hand:demote": HandQueue;
  "caption:push": CaptionLine;
  "caption:state": CaptionStateResult;
  "poll:sync": PollSnapshot;
  "poll:create": PollView;
  "poll:update": PollView;
  "poll:delete": null;
  "poll:open": PollView;
  "poll:close": PollView;
  "poll:reopen": PollView;
  "poll:publish": PollView;
  "poll:answer": MyAnswer;
  "qa:sync": QaSync;
  "question:submit": SubmitResult;
  "question:similar": SimilarQuestion[];
  "question:vote": VoteResult;
  "question:moderate": ModerationResult;
  "question:answer": ModerationResult;
  "qa:undo": ModerationResult;
  "qa:pause": ModerationResult;
  "qa:interleave": ModerationResult;
  "qa:configure": ModerationResult;
  "note:sync": NoteSync;
  "note:send": PanelNote;
  "note:ack": NoteAckResult;
  "admin:dashboard": DashboardSnapshot;
  "checkin:desk": DeskCounts;
  "checkin:search": DeskPerson[];
  "checkin:check-in": CheckInResult;
  "checkin:walk-in": CheckInResult;
}

export type CommandName = keyof CommandResults;
/** What a client sends (optional fields may be left out). */
export type CommandPayload<E extends CommandName> = z.input<(typeof commandSchemas)[E]>;
/** What the server's handler receives, after parsing (defaults filled in, text cleaned). */
export type CommandInput<E extends CommandName> = z.output<(typeof commandSchemas)[E]>;
export type CommandResult<E extends CommandName> = CommandResults[E];

export type ClientToServerEvents = {
  [E in CommandName]: (payload: CommandPayload<E>, ack: Ack<CommandResult<E>>) => void;
};

// ── Facts (server → client) ───────────────────────────────────────────────────────────────────

/** A poll changed: its new state and the session's poll counter (`version`). */
export interface PollFact {
  poll: PollView;
  version: number;
}

export interface ServerToClientEvents {
  "agenda:changed": (payload: { item: AgendaItem }) => void;
  /** Sent just before the server closes this socket because its sign-in ended or its roles changed. */
  "viewer:changed": (payload: { reason: "signed_out" | "roles_changed" | "expired" }) => void;

  // ── Polls ──
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

  // ── Streaming ──
  /** The stream went live or ended, or a recording started or stopped (REC). To the session's room. */
  "stream:changed": (payload: StreamSnapshot) => void;
  /** Remote viewers connected now. To organizers and moderators. */
  "stream:attendance": (payload: StreamAttendance) => void;
  /** The requests to speak, first come first served. To organizers and moderators. */
  "hand:queue-changed": (payload: HandQueue) => void;
  /** The person's own request changed (promoted, demoted...). To every tab of that person. */
  "hand:changed": (payload: MyHand) => void;
  /** A caption (socket or ingest URL), in seq order per language track. To the session's room. */
  "caption:added": (payload: CaptionLine) => void;
  /** The caption feed went live, stalled (no caption for 30 s) or resumed, or its WebVTT was published. To the session's room. */
  "caption:feed": (payload: CaptionFeed) => void;

  // ── Q&A ──
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

  // ── Notes to the panel ──
  /** A producer sent a note. To the session's notes room (its staff and panelists who synced notes) only. */
  "note:sent": (payload: { note: PanelNote }) => void;
  /** A panelist acknowledged a note: its reads. Same room. */
  "note:acknowledged": (payload: { note: PanelNote }) => void;
  // ── Organizer dashboard ──
  /** Attendance (or anything the dashboard shows) changed: organizers watching /admin ask for a fresh `admin:dashboard`. */
  "admin:changed": (payload: { at: string }) => void;
  // ── Check-in desk ──
  /** Someone was checked in (on any instance): who (their id and when) and the new counts. To every open check-in desk. */
  "checkin:changed": (payload: { counts: DeskCounts; checkedIn: { userId: string; checkedInAt: string } }) => void;
}

export type FactName = keyof ServerToClientEvents;
export type FactPayload<F extends FactName> = Parameters<ServerToClientEvents[F]>[0];

/** `stream:state`: everything a stream view needs after (re)connecting. */
export interface StreamStateResult {
  stream: StreamSnapshot;
  hand: MyHand;
  /** Organizers and moderators only. */
  attendance?: StreamAttendance;
  queue?: HandQueue;
}

export type InterServerEvents = Record<string, never>;
