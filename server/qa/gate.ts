/**
 * PGlite runs each query synchronously on the process's main thread and hands its lock from one
 * waiting query to the next in microtasks: under a burst (thousands of votes at once) the event loop
 * never gets a turn, so no socket is read or written, no heartbeat is sent and clients time out until
 * the burst has drained. With PGlite, Q&A commands therefore run one at a time with a macrotask turn
 * between them (PGlite executes one query at a time anyway, so nothing is lost). On Postgres they run
 * concurrently, as the pool allows.
 *
 * Two lanes: the moderators' and panelists' commands (`staff`) go before the audience's queued ones,
 * so an approval or "on stage" does not wait behind a storm of thousands of votes; so do the batched
 * syncs (reading.ts), so a page that (re)connects is not kept blank behind them; within a lane,
 * first come first served.
 */
export type Lane = "staff" | "audience";

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
  /**
   * PGlite: one command at a time, with an event-loop turn between two (see above). Otherwise the
   * audience's commands run up to `audienceConcurrency` at once and staff commands start at once, so
   * a vote storm cannot take every database connection while a moderator waits.
   */
  serial: boolean;
  audienceConcurrency?: number;
}

export class CommandGate {
  private readonly lanes: Record<Lane, Queue> = { staff: new Queue(), audience: new Queue() };
  private running = 0;
  private readonly limit: number;

  constructor(private readonly opts: GateOptions) {
    this.limit = opts.serial ? 1 : Math.max(1, opts.audienceConcurrency ?? 8);
  }

  run<T>(work: () => Promise<T>, lane: Lane = "audience"): Promise<T> {
    if (!this.opts.serial && lane === "staff") return work();
    return new Promise<T>((resolve, reject) => {
      this.lanes[lane].push(() => Promise.resolve().then(work).then(resolve, reject));
      this.pump();
    });
  }

  /** Commands waiting their turn (for tests and logs). */
  get waiting(): number {
    return this.lanes.staff.size + this.lanes.audience.size;
  }

  private pump(): void {
    while (this.running < this.limit && this.waiting > 0) {
      this.running++;
      void this.next();
    }
  }

  private async next(): Promise<void> {
    if (this.opts.serial) await new Promise<void>((resolve) => setImmediate(resolve));
    const job = this.lanes.staff.take() ?? this.lanes.audience.take();
    try {
      if (job) await job();
    } finally {
      this.running--;
      this.pump();
    }
  }
}
