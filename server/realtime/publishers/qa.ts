/**
 * Q&A facts to socket.io rooms, one projection per audience: moderators (staff room), panelists who
 * are not moderators (panel room), and everyone else in the session. Everything goes through rooms,
 * so the Redis adapter carries it to every instance. Vote counts are coalesced: a vote marks its
 * question dirty, and one `question:votes` per session per tick carries the counts read back from the
 * database (the truth, whichever instance took the vote).
 *
 * Counts carry no version, so two reads can reach a client out of order (two instances' ticks, or a
 * tick read before a client's resync and delivered after it), and an instance that dies takes its
 * last tick with it. So once a session's votes go quiet on this instance (or every few seconds in a
 * long storm), one more `question:votes` carries the counts of all its questions, read after the
 * last vote: every client ends on the truth.
 */
import type { OwnQuestion, QaCounts, QaState, QaView } from "../../../lib/qa";
import { visibleTo } from "../../../lib/qa-rules";
import { errorName, type Logger } from "../../log";
import { projectQuestion } from "../../qa/projection";
import type { QaPublisher, QuestionChange } from "../../qa/publisher";
import type { PlenaryIo } from "../io";
import { rooms } from "../rooms";
import { broadcastInSlices, SOCKETS_PER_SLICE } from "../slices";
import { failureLog } from "../../log-throttle";
import { roomTickMs, VOTE_SETTLE_MAX_MS, VOTE_SETTLE_MS, VOTE_TICK_MS } from "../../broadcast-tick";

type Counts = Array<[string, number]>;

export class QaFanout implements QaPublisher {
  private dirty = new Map<string, Set<string>>();
  /** Told of every question change and vote tick (the composition root points it at the organizers' dashboard hint). */
  onActivity: () => void = () => {};
  /**
   * Awaited before each vote-count broadcast: the composition root makes it wait for the moderators'
   * commands under way (`CommandGate.staffIdle`), so an approval is not held up by counts.
   */
  beforeBroadcast: () => Promise<void> = () => Promise.resolve();
  /** This instance's sockets written to per turn of the event loop in a count broadcast (slices.ts). */
  socketsPerSlice = SOCKETS_PER_SLICE;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** The flush being written: the next waits for it, so this instance's counts go out in the order they were read. */
  private flushing: Promise<void> = Promise.resolve();
  private settles = new Map<string, { timer: NodeJS.Timeout; since: number }>();

  constructor(
    private readonly io: PlenaryIo,
    private readonly readCounts: (ids: string[]) => Promise<Counts>,
    private readonly log: Logger,
    private readonly tickMs = VOTE_TICK_MS,
    /** All of a session's counts, for the settling broadcast; without it there is none. */
    private readonly readSessionCounts?: (sessionId: string) => Promise<Counts>,
    private readonly settle = { quietMs: VOTE_SETTLE_MS, maxMs: VOTE_SETTLE_MAX_MS },
  ) {}

  private targets(sessionId: string) {
    const staff = rooms.staff(sessionId);
    const panel = rooms.panel(sessionId);
    return {
      staff: this.io.to(staff),
      panel: this.io.to(panel).except(staff),
      audience: this.io.to(rooms.session(sessionId)).except([staff, panel]),
    };
  }

  questionsChanged(sessionId: string, version: number, changes: readonly QuestionChange[], panelistNames: ReadonlyMap<string, string>): void {
    this.onActivity();
    const to = this.targets(sessionId);
    for (const { row, before } of changes) {
      to.staff.emit("question:changed", { sessionId, version, question: projectQuestion(row, "staff", panelistNames) });
      for (const view of ["panel", "audience"] as const satisfies readonly QaView[]) {
        const target = to[view];
        if (visibleTo(view, row.status)) target.emit("question:changed", { sessionId, version, question: projectQuestion(row, view, panelistNames) });
        else if (before && visibleTo(view, before)) target.emit("question:removed", { sessionId, version, id: row.id });
      }
    }
  }

  stateChanged(sessionId: string, version: number, state: QaState, counts?: QaCounts): void {
    const staff = rooms.staff(sessionId);
    this.io.to(rooms.session(sessionId)).except(staff).emit("qa:state", { sessionId, version, state });
    this.io.to(staff).emit("qa:state", { sessionId, version, state, ...(counts ? { counts } : {}) });
  }

  countsChanged(sessionId: string, version: number, state: QaState, counts: QaCounts): void {
    this.io.to(rooms.staff(sessionId)).emit("qa:state", { sessionId, version, state, counts });
  }

  /** The asker's own view of their question, to every tab they have open (the room is by user, never sent). */
  mine(authorId: string, sessionId: string, question: OwnQuestion): void {
    this.io.to(rooms.user(authorId)).emit("question:mine", { sessionId, question });
  }

  voted(sessionId: string, questionId: string): void {
    if (this.stopped) return;
    let set = this.dirty.get(sessionId);
    if (!set) this.dirty.set(sessionId, (set = new Set()));
    set.add(questionId);
    this.timer ??= setTimeout(() => void this.flush(), this.tickFor(sessionId));
  }

  private tickFor(sessionId: string): number {
    return roomTickMs(this.tickMs, this.io.sockets.adapter.rooms.get(rooms.session(sessionId))?.size ?? 0);
  }

  /** Sends the pending vote counts now (the tick calls it; tests and shutdown may too). */
  flush(): Promise<void> {
    this.timer = undefined;
    const batch = this.dirty;
    this.dirty = new Map();
    const run = this.flushing.then(async () => {
      for (const [sessionId, ids] of batch) {
        await this.send(sessionId, () => this.readCounts([...ids]));
        this.settleLater(sessionId);
      }
    });
    this.flushing = run;
    return run;
  }

  private async send(sessionId: string, read: () => Promise<Counts>): Promise<void> {
    try {
      const counts = await read();
      if (counts.length && !this.stopped) await this.beforeBroadcast();
      if (counts.length && !this.stopped) {
        await broadcastInSlices(this.io, rooms.session(sessionId), "question:votes", { sessionId, counts }, this.socketsPerSlice);
        this.onActivity();
      }
    } catch (err) {
      // At shutdown the database may close under a tick; counts go out again after a restart's sync.
      if (!this.stopped) failureLog(this.log).warn("vote count broadcast failed", errorName(err), sessionId, { err });
    }
  }

  /** (Re)arms the session's settling broadcast: `quietMs` after its last tick, and never more than `maxMs` after the first unsettled one. */
  private settleLater(sessionId: string): void {
    const read = this.readSessionCounts;
    if (!read || this.stopped) return;
    const pending = this.settles.get(sessionId);
    const since = pending?.since ?? Date.now();
    if (pending) clearTimeout(pending.timer);
    const delay = Math.max(0, Math.min(this.settle.quietMs, since + this.settle.maxMs - Date.now()));
    const timer = setTimeout(() => {
      this.settles.delete(sessionId);
      // In the same order as the ticks: after the one being written.
      this.flushing = this.flushing.then(() => this.send(sessionId, () => read(sessionId)));
    }, delay);
    timer.unref?.();
    this.settles.set(sessionId, { timer, since });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    for (const { timer } of this.settles.values()) clearTimeout(timer);
    this.settles.clear();
  }
}
