/**
 * Q&A facts to socket.io rooms, one projection per audience: moderators (staff room), panelists who
 * are not moderators (panel room), and everyone else in the session. Everything goes through rooms,
 * so the Redis adapter carries it to every instance. Vote counts are coalesced: a vote marks its
 * question dirty, and one `question:votes` per session per tick carries the counts read back from the
 * database (the truth, whichever instance took the vote).
 */
import type { OwnQuestion, QaCounts, QaState, QaView } from "../../../lib/qa";
import { visibleTo } from "../../../lib/qa-rules";
import { errorName, type Logger } from "../../log";
import { projectQuestion } from "../../qa/projection";
import type { QaPublisher, QuestionChange } from "../../qa/publisher";
import type { PlenaryIo } from "../io";
import { rooms } from "../rooms";
import { failureLog } from "../../log-throttle";

export const VOTE_TICK_MS = 200;

export class QaFanout implements QaPublisher {
  private dirty = new Map<string, Set<string>>();
  /** Told of every question change and vote tick (the composition root points it at the organizers' dashboard hint). */
  onActivity: () => void = () => {};
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly io: PlenaryIo,
    private readonly readCounts: (ids: string[]) => Promise<Array<[string, number]>>,
    private readonly log: Logger,
    private readonly tickMs = VOTE_TICK_MS,
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

  /**
   * A broadcast costs a write to every socket of the room: in a large room the tick grows (one more
   * tick length per 2,000 sockets on this instance), so vote counts never crowd out the votes themselves.
   */
  private tickFor(sessionId: string): number {
    const local = this.io.sockets.adapter.rooms.get(rooms.session(sessionId))?.size ?? 0;
    return this.tickMs * Math.max(1, Math.ceil(local / 2000));
  }

  /** Sends the pending vote counts now (the tick calls it; tests and shutdown may too). */
  async flush(): Promise<void> {
    this.timer = undefined;
    const batch = this.dirty;
    this.dirty = new Map();
    for (const [sessionId, ids] of batch) {
      try {
        const counts = await this.readCounts([...ids]);
        if (counts.length) this.io.to(rooms.session(sessionId)).emit("question:votes", { sessionId, counts });
        if (counts.length) this.onActivity();
      } catch (err) {
        // At shutdown the database may close under a tick; counts go out again after a restart's sync.
        if (!this.stopped) failureLog(this.log).warn("vote count broadcast failed", errorName(err), sessionId, { err });
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
  }
}
