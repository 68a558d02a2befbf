/**
 * The one typed socket.io contract, used by `new Server<…>()` and the browser's `io()`.
 * Commands (client → server) are imperative and always answered through an ack; facts (server →
 * client) are past tense. docs/protocol.md describes each event.
 */
import type { AgendaItem } from "../agenda";

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
}

export interface ClientToServerEvents {
  "session:join": (payload: { slug: string }, ack: Ack<SessionJoined>) => void;
  "session:leave": (payload: { slug: string }, ack: Ack<null>) => void;
  "qa:configure": (payload: { slug: string; qaOpen?: boolean; qaMode?: "pre_moderated" | "open" }, ack: Ack<AgendaItem>) => void;
}

export type InterServerEvents = Record<string, never>;
