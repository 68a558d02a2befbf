/**
 * Group commit for writes that arrive in storms (Q&A votes, poll answers). A write waits while a
 * batch is being written; when that batch is done, every write that arrived meanwhile (up to `max`)
 * goes into the next one, which takes a single turn (`schedule`: the Q&A command gate, or at once). A
 * lone write goes at once, as a batch of one, so a quiet room waits for nothing; a room of thousands
 * answering in the same second costs a few statements instead of one transaction each.
 */
import { metrics } from "./metrics";

export interface Pending<I, R> {
  item: I;
  /** When the command arrived (performance.now()), for the batch-wait metric. */
  at?: number;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export interface BatcherOptions<I, R> {
  /** The metrics label (qa_votes, poll_answers…): sizes, waits and write times under /metrics. */
  name?: string;
  /** The most commands in one batch. */
  max: number;
  /** Takes the batch's turn (e.g. the command gate). */
  schedule(job: () => Promise<void>): Promise<void>;
  /**
   * At most one command per key goes into a batch (e.g. one vote per person): a later one with the
   * same key waits, in order, for the next batch, so it sees the earlier one written. No key: no limit.
   */
  oncePer?(item: I): string | undefined;
  /** Writes a batch and settles each command in it. */
  write(batch: Array<Pending<I, R>>): Promise<void>;
  /**
   * How many batches may be written at once (default 1). With 2, the next batch is already with the
   * database while the event loop answers the last one's commands. A `oncePer` key in a batch being
   * written keeps its later commands out of the next batch until that one is done.
   */
  inFlight?: number;
  /**
   * During a storm (a batch is being written, or one ended less than `ms` ago) the next batch waits
   * until `size` commands wait or `ms` have passed, so that the storm is written in fewer, fuller
   * batches: a batch has a fixed cost (a statement planned and committed) far above its cost per
   * command. A command in a quiet room never waits.
   */
  fill?: { size: number; ms: number };
}

export class Batcher<I, R> {
  private queue: Array<Pending<I, R>> = [];
  /** Batches started (scheduled or being written). */
  private running = 0;
  private writing = 0;
  /** The `oncePer` keys of the batches being written. */
  private readonly keysInFlight = new Set<string>();
  /** The timer that starts a batch that is waiting to fill (`fill.ms`), and whether it has run out. */
  private fillTimer: NodeJS.Timeout | undefined;
  private fillWaited = false;
  /** When the last batch ended (performance.now()). */
  private lastEnded = -Infinity;

  constructor(private readonly opts: BatcherOptions<I, R>) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject, at: performance.now() });
      this.kick();
    });
  }

  /** Commands waiting for the next batch (for tests and logs). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Commands in the batches being written (for tests: "this command's batch has started"). */
  get writingNow(): number {
    return this.writing;
  }

  /** Commands received and not yet answered: waiting, or in the batch being written. */
  get pending(): number {
    return this.queue.length + this.writing;
  }

  /**
   * The next batch: the oldest commands, at most `max`, at most one per key and none whose key is in a
   * batch being written; the rest keep their order. Returns the batch and its keys.
   */
  private take(): { batch: Array<Pending<I, R>>; keys: Set<string> } {
    const { max, oncePer } = this.opts;
    const keys = new Set<string>();
    if (!oncePer) return { batch: this.queue.splice(0, max), keys };
    const batch: Array<Pending<I, R>> = [];
    const rest: Array<Pending<I, R>> = [];
    for (const p of this.queue) {
      const key = batch.length < max ? oncePer(p.item) : undefined;
      if (batch.length < max && (key === undefined || (!keys.has(key) && !this.keysInFlight.has(key)))) {
        if (key !== undefined) keys.add(key);
        batch.push(p);
      } else {
        rest.push(p);
      }
    }
    this.queue = rest;
    return { batch, keys };
  }

  private kick(): void {
    while (this.running < (this.opts.inFlight ?? 1) && this.takeable()) {
      if (!this.fillsNow()) return;
      this.start();
    }
  }

  /** Whether the next batch may start now; if not, a timer starts it once it has waited `fill.ms`. */
  private fillsNow(): boolean {
    const { fill } = this.opts;
    const storm = this.running > 0 || performance.now() - this.lastEnded < (fill?.ms ?? 0);
    if (!fill || !storm || this.fillWaited || this.queue.length >= fill.size) {
      clearTimeout(this.fillTimer);
      this.fillTimer = undefined;
      this.fillWaited = false;
      return true;
    }
    this.fillTimer ??= setTimeout(() => {
      this.fillTimer = undefined;
      this.fillWaited = true;
      this.kick();
    }, fill.ms);
    return false;
  }

  /** Whether a command waits that the next batch could take (its key, if any, not being written). */
  private takeable(): boolean {
    const { oncePer } = this.opts;
    if (!oncePer || this.keysInFlight.size === 0) return this.queue.length > 0;
    return this.queue.some((p) => {
      const key = oncePer(p.item);
      return key === undefined || !this.keysInFlight.has(key);
    });
  }

  private start(): void {
    this.running++;
    let keys = new Set<string>();
    let size = 0;
    void this.opts
      .schedule(async () => {
        const next = this.take();
        const batch = next.batch;
        // Another turn took what this one was started for.
        if (batch.length === 0) return;
        keys = next.keys;
        for (const k of keys) this.keysInFlight.add(k);
        size = batch.length;
        this.writing += size;
        const m = metrics();
        const labels = { batcher: this.opts.name ?? "unnamed" };
        const taken = performance.now();
        m.batchSize.observe(labels, batch.length);
        for (const p of batch) if (p.at !== undefined) m.batchWait.observe(labels, (taken - p.at) / 1000);
        const written = m.batchWrite.startTimer(labels);
        try {
          await this.opts.write(batch);
        } catch (err) {
          // A failure of the batch as a whole: every command in it is refused (settling twice is a no-op).
          for (const p of batch) p.reject(err);
        } finally {
          written();
        }
      })
      .catch(() => {})
      .finally(() => {
        this.writing -= size;
        for (const k of keys) this.keysInFlight.delete(k);
        this.running--;
        this.lastEnded = performance.now();
        this.kick();
      });
  }
}

/**
 * Answers a batch of reads that share what each group needs (e.g. one session's questions or polls):
 * `place` checks one command and names its group (a refusal settles that command alone); `answer`
 * answers one group's commands, in order, from reads made once for the group (its failure refuses
 * that group only).
 */
export async function answerInGroups<I, R, G, T extends { p: Pending<I, R> }>(
  batch: Array<Pending<I, R>>,
  place: (p: Pending<I, R>) => Promise<{ key: string; group: G; item: T }>,
  answer: (group: G, items: T[]) => Promise<R[]>,
): Promise<void> {
  const groups = new Map<string, { group: G; items: T[] }>();
  for (const p of batch) {
    try {
      const { key, group, item } = await place(p);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { group, items: [] }));
      g.items.push(item);
    } catch (err) {
      p.reject(err);
    }
  }
  for (const { group, items } of groups.values()) {
    let answers: R[];
    try {
      answers = await answer(group, items);
    } catch (err) {
      for (const { p } of items) p.reject(err);
      continue;
    }
    for (const [i, { p }] of items.entries()) p.resolve(answers[i]);
  }
}
