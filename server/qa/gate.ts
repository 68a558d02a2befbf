/**
 * The order Q&A commands take on the database. The audience's run at most a few at once (8), first
 * come first served, so a storm of thousands of votes cannot take every database connection (or
 * fill PGlite's one queue) while a moderator waits. Two lanes: the moderators' and panelists'
 * commands (`staff`) and the batched syncs (reading.ts) start at once, so an approval or "on stage"
 * does not wait behind the storm and a page that (re)connects is not kept blank behind it.
 *
 * PGlite used to run each statement synchronously on the event loop, and commands then had to take
 * turns one at a time; it runs on its own thread now (db/pglite-thread.ts), like Postgres in its
 * own process, so both databases take the same path.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type Lane = "staff" | "audience";

/** The lane of the command being run, through every await of it. */
const currentLane = new AsyncLocalStorage<Lane>();

/**
 * Whether the code running now is a staff-lane command (or a sync). The embedded database's thread
 * puts such work ahead of what waits there (db/pglite-thread.ts): the gate lets an approval start at
 * once, and in a vote storm its statements would otherwise still queue behind the vote batches.
 */
export function inStaffLane(): boolean {
  return currentLane.getStore() === "staff";
}

type Job = () => Promise<void>;

/** A FIFO queue that does not shift arrays (a burst of 10,000 commands stays linear). */
class Queue {
  private items: Array<Job | undefined> = [];
  private head = 0;
  push(job: Job): void {
    this.items.push(job);
  }
  take(): Job | undefined {
    if (this.head >= this.items.length) return undefined;
    const job = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return job;
  }
  get size(): number {
    return this.items.length - this.head;
  }
}

export interface GateOptions {
  /** How many of the audience's commands run at once; staff commands start at once. */
  audienceConcurrency?: number;
}

export class CommandGate {
  private readonly audience = new Queue();
  private running = 0;
  private staffRunning = 0;
  private readonly staffDone: Array<() => void> = [];
  private readonly limit: number;

  constructor(opts: GateOptions = {}) {
    this.limit = Math.max(1, opts.audienceConcurrency ?? 8);
  }

  run<T>(work: () => Promise<T>, lane: Lane = "audience"): Promise<T> {
    if (lane === "staff") {
      this.staffRunning++;
      return Promise.resolve()
        .then(() => currentLane.run("staff", work))
        .finally(() => {
          if (--this.staffRunning === 0) for (const wake of this.staffDone.splice(0)) wake();
        });
    }
    return new Promise<T>((resolve, reject) => {
      this.audience.push(() => currentLane.run("audience", () => Promise.resolve().then(work)).then(resolve, reject));
      this.pump();
    });
  }

  /**
   * Resolves once no staff command is under way (or after `maxMs`). A room-wide broadcast of vote
   * counts writes to every socket in one go (about 0.1 s for 5,000); an approval waiting on its
   * database round trips would wait behind it, while the counts can go out a moment later.
   */
  staffIdle(maxMs: number): Promise<void> {
    if (this.staffRunning === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.staffDone.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Commands waiting their turn (for tests and logs). */
  get waiting(): number {
    return this.audience.size;
  }

  private pump(): void {
    while (this.running < this.limit && this.waiting > 0) {
      this.running++;
      void this.next();
    }
  }

  private async next(): Promise<void> {
    const job = this.audience.take();
    try {
      if (job) await job();
    } finally {
      this.running--;
      this.pump();
    }
  }
}
