import type { PollServerEvents } from "../../lib/realtime/contract";
import type { PlenaryIo } from "../realtime/io";
import { rooms } from "../realtime/rooms";

type Event = keyof PollServerEvents;
type Payload<E extends Event> = Parameters<PollServerEvents[E]>[0];

/** Where poll facts go. Every fan-out is a socket.io room, so the Redis adapter carries it across instances. */
export interface PollPublisher {
  /** Everyone who joined the session, whatever their role. */
  toSession<E extends Event>(sessionId: string, event: E, payload: Payload<E>): void;
  /** Organizers and moderators: drafts. */
  toStaff<E extends Event>(sessionId: string, event: E, payload: Payload<E>): void;
  /** Those who see results live: staff, panelists and the room screen. */
  toResultViewers<E extends Event>(sessionId: string, event: E, payload: Payload<E>): void;
  /** One person's sockets, except the one that asked. */
  toUser<E extends Event>(userId: string, event: E, payload: Payload<E>, exceptSocketId?: string): void;
}

export function createPollPublisher(io: PlenaryIo): PollPublisher {
  // socket.io's typed emit cannot follow a generic event name; the PollPublisher signature keeps callers typed.
  const emit = (target: { emit: (...a: never[]) => unknown }, event: string, payload: unknown) =>
    (target as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
  return {
    toSession: (sessionId, event, payload) => emit(io.to(rooms.session(sessionId)), event, payload),
    toStaff: (sessionId, event, payload) => emit(io.to(rooms.staff(sessionId)), event, payload),
    toResultViewers: (sessionId, event, payload) => emit(io.to([rooms.staff(sessionId), rooms.panel(sessionId), rooms.screen(sessionId)]), event, payload),
    toUser: (userId, event, payload, except) => emit(except ? io.to(rooms.user(userId)).except(except) : io.to(rooms.user(userId)), event, payload),
  };
}
