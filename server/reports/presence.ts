import { randomUUID } from "node:crypto";
import type { Database } from "../../db/client";
import { hasSessionRole, type Actor } from "../auth/actor";
import type { Clock } from "../clock";
import { errorName, type Logger } from "../log";
import { failureLog } from "../log-throttle";
import type { PlenaryIo } from "../realtime/io";
import { rooms, sessionOfRoom } from "../realtime/rooms";
import { streamViewersNow, writeSamples, type SampleWrite } from "./queries";

export interface PresenceOptions {
  /** Length of one attendance bucket (a point of the "attendance over time" chart). */
  bucketMs?: number;
  /** How often each instance rewrites its counts even when nothing changed (keeps them fresh, picks up stream viewers). */
  heartbeatMs?: number;
  /** Joins and leaves within this window are written together. */
  debounceMs?: number;
  /** How long an instance's last write counts as "now" (a few heartbeats; then the instance is taken as stopped). */
  freshMs?: number;
}

export const PRESENCE_DEFAULTS = { bucketMs: 60_000, heartbeatMs: 15_000, debounceMs: 500, freshMs: 45_000 } as const;

/** How a person on a session's page counts: in the room, remote, or not at all (staff, screens, signed-out viewers). */
export function presenceOf(actor: Actor | null, sessionId: string, isScreen: boolean): "room" | "remote" | null {
  if (!actor || isScreen) return null;
  if (actor.isOrganizer || hasSessionRole(actor, sessionId, "moderator", "panelist")) return null;
  if (actor.kind === "device" || actor.checkedIn || actor.attendanceMode === "in_person") return "room";
  return "remote";
}

/**
 * Attendance across instances: each instance counts the distinct people its own sockets have in each
 * session (socket.io's local rooms), and writes them to `attendance_samples` on every join or leave
 * (debounced) and on a heartbeat. Counts and peaks are read from the database, so every instance (and
 * the report after the event) sees the same numbers; a process's memory holds only what it last wrote.
 */
export class PresenceTracker {
  readonly instanceId = randomUUID();
  private readonly opts: Required<PresenceOptions>;
  private readonly dirty = new Set<string>();
  /** Sessions whose last written counts were not all zero: they get one more (zero) write when emptied. */
  private readonly nonZero = new Set<string>();
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly failures;

  constructor(private readonly deps: { io: PlenaryIo; db: Database; clock: Clock; log: Logger; options?: PresenceOptions }) {
    this.opts = { ...PRESENCE_DEFAULTS, ...deps.options };
    this.failures = failureLog(deps.log);
  }

  start(): void {
    const adapter = this.deps.io.of("/").adapter;
    const touched = (room: string) => {
      const sessionId = sessionOfRoom(room);
      if (sessionId) this.mark(sessionId);
    };
    adapter.on("join-room", touched);
    adapter.on("leave-room", touched);
    this.heartbeat = setInterval(() => {
      for (const id of this.localSessions()) this.dirty.add(id);
      for (const id of this.nonZero) this.dirty.add(id);
      this.schedule(0);
    }, this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.timer);
    await this.flushing;
  }

  /** Writes now whatever is pending (tests and shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.write());
    await this.flushing;
  }

  private mark(sessionId: string): void {
    this.dirty.add(sessionId);
    this.schedule(this.opts.debounceMs);
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.write());
    }, ms);
    this.timer.unref();
  }

  private localSessions(): string[] {
    const out: string[] = [];
    for (const room of this.deps.io.of("/").adapter.rooms.keys()) {
      const id = sessionOfRoom(room);
      if (id) out.push(id);
    }
    return out;
  }

  /** Distinct people this instance's sockets have in a session's room, by where they are. */
  countLocal(sessionId: string): { inRoom: number; remote: number } {
    const nsp = this.deps.io.of("/");
    const ids = nsp.adapter.rooms.get(rooms.session(sessionId));
    const room = new Set<string>();
    const remote = new Set<string>();
    for (const id of ids ?? []) {
      const socket = nsp.sockets.get(id);
      if (!socket) continue;
      const actor = socket.data.actor;
      const where = presenceOf(actor, sessionId, socket.data.screens?.has(sessionId) ?? false);
      if (where === "room") room.add(actor!.userId);
      else if (where === "remote") remote.add(actor!.userId);
    }
    // Someone on their phone in the room and their laptop remote at once counts once, in the room.
    for (const id of room) remote.delete(id);
    return { inRoom: room.size, remote: remote.size };
  }

  private async write(): Promise<void> {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    try {
      const now = this.deps.clock.now();
      const at = new Date(Math.floor(now.getTime() / this.opts.bucketMs) * this.opts.bucketMs);
      const viewers = await streamViewersNow(this.deps.db, ids);
      const samples: SampleWrite[] = ids.map((sessionId) => ({ sessionId, ...this.countLocal(sessionId), stream: viewers.get(sessionId) ?? 0 }));
      await writeSamples(this.deps.db, this.instanceId, at, now, samples);
      for (const s of samples) {
        if (s.inRoom + s.remote + s.stream > 0) this.nonZero.add(s.sessionId);
        else this.nonZero.delete(s.sessionId);
      }
      // Through the adapter: organizers watching on any instance ask for fresh counts.
      this.deps.io.to(rooms.organizers()).emit("admin:changed", { at: now.toISOString() });
    } catch (err) {
      // Counts are retried on the next heartbeat; the sessions stay marked.
      for (const id of ids) this.dirty.add(id);
      this.failures.warn("attendance sample failed", errorName(err), "presence", { err });
    }
  }
}
