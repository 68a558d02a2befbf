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
}

export type AckResult<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type Ack<T> = (result: AckResult<T>) => void;

export interface ServerToClientEvents {
  "agenda:changed": (payload: { item: AgendaItem }) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}

export type InterServerEvents = Record<string, never>;
