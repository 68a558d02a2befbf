/**
 * The embedded database (PGlite) on a thread of its own (db/pglite-worker.mjs), with the part of
 * PGlite's interface drizzle uses: query, exec, transaction, close. In the server's own thread every
 * statement ran synchronously on the event loop, so during a storm of 5,000 answers the database and
 * the socket writes took turns on one core; here the statements run beside them (docs/benchmarks.md).
 * Semantics are PGlite's: one connection, one statement or transaction at a time, a transaction
 * holds it until it ends; work waits its turn in the order sent, except that work sent as `urgent`
 * goes ahead of the work still waiting (not of a statement or transaction under way). An error
 * comes back with Postgres's fields (code, constraint…), so server/db-errors.ts reads it as before;
 * if the thread stops, every call under way fails as "PGlite is closed". One difference: dates,
 * timestamps and intervals come back as text, as drizzle asks for them (`KEPT_AS_TEXT`).
 */
import { Worker } from "node:worker_threads";
import type { Results } from "@electric-sql/pglite";

type Reply = { id: number; ok?: true; result?: unknown; error?: Record<string, string> };
type QueryOptions = { rowMode?: "array" | "object"; parsers?: Record<number, (value: string, typeId?: number) => unknown> };
type Message = {
  op: "query" | "exec" | "begin" | "end" | "close" | "syncs";
  sql?: string;
  params?: unknown[];
  tx?: number;
  commit?: boolean;
  rowMode?: string;
  urgent?: boolean;
};

export interface PgliteThreadOptions {
  /**
   * Whether the work being sent now goes to the front of the thread's queue (asked once per
   * statement or transaction; server/qa/gate.ts answers for the staff lane).
   */
  urgent?: () => boolean;
  /** Runs of a prepared statement before it is prepared again (`PREPARED_USES`; a benchmark sets it to compare). */
  preparedUses?: number;
}

export interface PgliteTransaction {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string): Promise<Results[]>;
}

/** The error a call gets back: an Error with the database's fields on it, and the caller's stack (not the thread's). */
function toError(fields: Record<string, string>): Error {
  const { stack: _threadStack, ...rest } = fields;
  const err = new Error(fields.message);
  Object.assign(err, rest);
  return err;
}

/**
 * The types the thread returns as Postgres's text, as drizzle's PGlite session asks on every
 * statement (its own parsers then read them): timestamp, timestamptz, interval, date, and the arrays
 * of those and of numeric. Set once in the thread rather than sent with each statement.
 */
export const KEPT_AS_TEXT: readonly number[] = [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182];

/** How many prepared statements the thread keeps (db/pglite-worker.mjs), the least recently used closed first. */
export const PREPARED_MAX = 256;

/**
 * How many times the thread runs a prepared statement before it closes it and prepares it again. In
 * PGlite each run of a kept plan takes a little longer than the one before, until the statement is
 * closed (or its plan invalidated): 5,000 votes written 100 at a time took ~320 ms on a fresh plan and
 * ~540 ms after 1,150 runs of it; prepared again every 20, 50 or 100 runs they stayed at ~300 ms
 * alike, so preparing again costs little (bench/profile/plan-wear.ts, docs/benchmarks.md).
 */
export const PREPARED_USES = 100;

/**
 * A function cannot cross a thread, so a statement's parsers can only be the thread's own: those
 * that keep exactly the types above as text. Anything else is refused loudly rather than parsed
 * differently (a newer drizzle that asks for another set fails its first statement).
 */
function checkParsers(parsers: QueryOptions["parsers"]): void {
  if (!parsers) return;
  const oids = Object.keys(parsers).map(Number);
  for (const oid of oids) {
    if (parsers[oid]("\u0001probe", oid) !== "\u0001probe" || !KEPT_AS_TEXT.includes(oid))
      throw new Error(`PGlite thread: a parser for type ${oid} is not one the thread keeps as text (${KEPT_AS_TEXT.join(", ")})`);
  }
  if (oids.length !== KEPT_AS_TEXT.length) throw new Error(`PGlite thread: parsers must keep exactly the types ${KEPT_AS_TEXT.join(", ")} as text`);
}

export class PgliteThread {
  private readonly pending = new Map<number, { resolve(r: Reply): void }>();
  private next = 1;
  private stopped: string | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly urgent: () => boolean,
  ) {
    worker.on("message", (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.holdProcess();
      p.resolve(m);
    });
    const stop = (why: string) => {
      this.stopped ??= why;
      for (const p of this.pending.values()) p.resolve({ id: 0, error: { message: `PGlite is closed (${this.stopped})` } });
      this.pending.clear();
      this.holdProcess();
    };
    worker.on("error", (err) => stop(`its thread failed: ${err.message}`));
    worker.on("exit", (code) => stop(`its thread exited with ${code}`));
  }

  /** Starts the thread and opens the database (a folder, or in memory when `dataDir` is undefined). */
  static async open(dataDir: string | undefined, startParams: string[], opts: PgliteThreadOptions = {}): Promise<PgliteThread> {
    // The thread's own JavaScript is small (messages and result rows); a young generation of 4 MiB
    // instead of V8's default keeps ~9 MiB of the idle server's resident memory (docs/benchmarks.md).
    const worker = new Worker(new URL("./pglite-worker.mjs", import.meta.url), {
      workerData: { dataDir, startParams, keptAsText: KEPT_AS_TEXT, preparedMax: PREPARED_MAX, preparedUses: opts.preparedUses ?? PREPARED_USES },
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    let onExit = (_code: number) => {};
    let onError = (_err: Error) => {};
    const ready = await new Promise<{ ready: boolean; error?: Record<string, string> }>((resolve, reject) => {
      onError = reject;
      onExit = (code) => reject(new Error(`the database thread exited with ${code} while opening`));
      worker.once("message", resolve);
      worker.on("error", onError).on("exit", onExit);
    }).finally(() => worker.off("error", onError).off("exit", onExit));
    if (!ready.ready) {
      await worker.terminate();
      throw toError(ready.error ?? { message: "the database did not open" });
    }
    const thread = new PgliteThread(worker, opts.urgent ?? (() => false));
    thread.holdProcess();
    return thread;
  }

  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return this.statement<T>(sql, params, options);
  }

  exec(sql: string): Promise<Results[]> {
    return this.call({ op: "exec", sql }) as Promise<Results[]>;
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back (and its error rethrown) when it throws. */
  async transaction<T>(fn: (tx: PgliteTransaction) => Promise<T>): Promise<T> {
    const id = this.next++;
    // Not waited for: the thread holds this transaction's statements until it has begun, so the
    // first of them goes out at once (a round trip less on every transaction).
    const begun = this.call({ op: "begin" }, id);
    const tx: PgliteTransaction = {
      // Not through this.query and this.exec: a hook on those (db/client.ts times statements) would count these twice.
      query: (sql, params, options) => this.statement(sql, params, options, id),
      exec: (sql) => this.call({ op: "exec", sql, tx: id }) as Promise<Results[]>,
    };
    let result: T;
    try {
      [, result] = await Promise.all([begun, fn(tx)]);
    } catch (err) {
      await this.call({ op: "end", tx: id, commit: false }).catch(() => {});
      throw err;
    }
    await this.call({ op: "end", tx: id, commit: true });
    return result;
  }

  /** How many times the database has called fsync(2) on its folder since it opened (0 in memory). */
  syncs(): Promise<number> {
    return this.call({ op: "syncs" }) as Promise<number>;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.call({ op: "close" });
    } finally {
      this.stopped = "closed";
      await this.worker.terminate();
    }
  }

  private statement<T>(sql: string, params?: unknown[], options?: QueryOptions, tx?: number): Promise<Results<T>> {
    try {
      checkParsers(options?.parsers);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.call({ op: "query", sql, params, tx, rowMode: options?.rowMode }) as Promise<Results<T>>;
  }

  /** Sends one operation; a transaction's id is the id of the `begin` that opened it. */
  private call(message: Message, id = this.next++): Promise<unknown> {
    if (this.stopped) return Promise.reject(new Error(`PGlite is closed (${this.stopped})`));
    // A transaction's own statements need no place in the queue: the transaction holds the database.
    const urgent = message.tx === undefined && this.urgent();
    return new Promise<Reply>((resolve) => {
      this.pending.set(id, { resolve });
      this.holdProcess();
      this.worker.postMessage({ id, ...message, ...(urgent ? { urgent } : {}) });
    }).then((reply) => {
      if (reply.error) throw toError(reply.error);
      return reply.result;
    });
  }

  /** The thread keeps the process alive only while a call is under way, as a socket would. */
  private holdProcess(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}
