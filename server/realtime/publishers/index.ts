/**
 * The transport side of every capability's publisher port: facts go to socket.io rooms (rooms.ts),
 * so the Redis adapter carries them to every instance. Only this folder knows which room hears what.
 */
import type { AgendaPublisher } from "../../agenda/publisher";
import type { AuthPublisher } from "../../auth/publisher";
import type { CaptionPublisher } from "../../captions/publisher";
import type { PollPublisher } from "../../polls/publisher";
import type { StreamPublisher } from "../../streaming/publisher";
import type { NotePublisher } from "../../messages/publisher";
import type { CheckInPublisher } from "../../checkin/publisher";
import { metrics } from "../../metrics";
import type { PlenaryIo } from "../io";
import { rooms } from "../rooms";

export { QaFanout } from "./qa";
export { VOTE_TICK_MS, VOTE_YIELD_MAX_MS } from "../../broadcast-tick";

export function agendaPublisher(io: PlenaryIo): AgendaPublisher {
  return { agendaChanged: (item) => io.to(rooms.agenda()).emit("agenda:changed", { item }) };
}

export function authPublisher(io: PlenaryIo): AuthPublisher {
  return {
    signInEnded: (hash) => {
      io.to(rooms.signIn(hash)).emit("viewer:changed", { reason: "signed_out" });
      io.in(rooms.signIn(hash)).disconnectSockets(true);
    },
    rolesChanged: (userId) => {
      io.to(rooms.user(userId)).emit("viewer:changed", { reason: "roles_changed" });
      io.in(rooms.user(userId)).disconnectSockets(true);
    },
  };
}

export function streamPublisher(io: PlenaryIo): StreamPublisher {
  return {
    streamChanged: (sessionId, snapshot) => io.to(rooms.session(sessionId)).emit("stream:changed", snapshot),
    attendanceChanged: (sessionId, attendance) => {
      metrics().streamViewers.set({ session: sessionId }, attendance.viewers);
      io.to(rooms.staff(sessionId)).emit("stream:attendance", attendance);
    },
    handQueueChanged: (sessionId, queue) => io.to(rooms.staff(sessionId)).emit("hand:queue-changed", queue),
    handChanged: (userId, hand) => io.to(rooms.user(userId)).emit("hand:changed", hand),
  };
}

export function captionPublisher(io: PlenaryIo, hint: () => void = () => {}): CaptionPublisher {
  return {
    captionAdded: (sessionId, line) => io.to(rooms.session(sessionId)).emit("caption:added", line),
    feedChanged: (sessionId, feed) => {
      io.to(rooms.session(sessionId)).emit("caption:feed", feed);
      hint();
    },
  };
}

export function pollPublisher(io: PlenaryIo, hint: () => void = () => {}): PollPublisher {
  return {
    draftChanged: (sessionId, change, fact) => io.to(rooms.staff(sessionId)).emit(change === "created" ? "poll:created" : "poll:updated", fact),
    draftDeleted: (sessionId, fact) => io.to(rooms.staff(sessionId)).emit("poll:deleted", fact),
    pollChanged: (sessionId, change, fact) => io.to(rooms.session(sessionId)).emit(`poll:${change}`, fact),
    results: (sessionId, results, toEveryone) => {
      io.to(toEveryone ? [rooms.session(sessionId)] : [rooms.staff(sessionId), rooms.panel(sessionId), rooms.screen(sessionId)]).emit("poll:results", results);
      hint();
    },
    roomSize: (sessionId) => io.sockets.adapter.rooms.get(rooms.session(sessionId))?.size ?? 0,
    answered: (userId, answer, exceptSocketId) =>
      (exceptSocketId ? io.to(rooms.user(userId)).except(exceptSocketId) : io.to(rooms.user(userId))).emit("poll:answered", answer),
  };
}

export function notePublisher(io: PlenaryIo): NotePublisher {
  return {
    noteSent: (sessionId, note) => io.to(rooms.notes(sessionId)).emit("note:sent", { note }),
    noteAcknowledged: (sessionId, note) => io.to(rooms.notes(sessionId)).emit("note:acknowledged", { note }),
  };
}

export function checkInPublisher(io: PlenaryIo): CheckInPublisher {
  return {
    checkedIn: (counts, person) => {
      io.to(rooms.checkInDesks()).emit("checkin:changed", { counts, checkedIn: person });
      io.to(rooms.organizers()).emit("admin:changed", { at: new Date().toISOString() });
    },
  };
}

/** Organizers' dashboards refresh at most this often on activity hints (they also refresh every 5 s). */
export const DASHBOARD_HINT_MS = 1_000;

/**
 * `admin:changed` for activity the dashboard counts (questions, votes, poll answers, caption feed state):
 * at most one hint per interval per instance, the last one never dropped, so a vote storm costs the
 * organizers' sockets one frame a second.
 */
export function dashboardHint(io: PlenaryIo, everyMs = DASHBOARD_HINT_MS): { (): void; stop(): void } {
  let last = 0;
  let pending: NodeJS.Timeout | undefined;
  const send = () => {
    last = Date.now();
    pending = undefined;
    io.to(rooms.organizers()).emit("admin:changed", { at: new Date(last).toISOString() });
  };
  const hint = () => {
    if (pending) return;
    const wait = last + everyMs - Date.now();
    if (wait <= 0) send();
    else {
      pending = setTimeout(send, wait);
      pending.unref();
    }
  };
  return Object.assign(hint, { stop: () => clearTimeout(pending) });
}
