import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg, NodePgSession, NodePgTransaction } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgDialect, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql, type ExtractTablesWithRelations, type RelationalSchemaConfig, type TablesRelationalConfig } from "drizzle-orm";
import pg from "pg";
import * as schema from "./schema";
import { DataDirLockedError, lockDataDir } from "./data-dir-lock";
import { PgliteThread } from "./pglite-thread";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Where the data lives, for logs and /healthz: a folder, "memory" or the Postgres host (never a password). */
  location: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class DatabaseStartError extends Error {}

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

export interface OpenOptions {
  /** Postgres connection string; when absent the embedded PGlite database is used. */
  databaseUrl?: string;
  /** Folder for the embedded database, or "memory://" for a throwaway one (tests). */
  dataDir: string;
  /** Wraps every statement (server/metrics.ts times them and counts failures by SQLSTATE). */
  timeQuery?: QueryTimer;
  /** PGlite only: whether the statement or transaction starting now goes ahead of those waiting (db/pglite-thread.ts). */
  urgent?: () => boolean;
  /** PGlite only: runs of a prepared statement before it is prepared again (db/pglite-thread.ts; for a benchmark). */
  preparedUses?: number;
}

/** Runs one statement; `query` is its SQL text (for a label by verb and table, never its parameters). */
export type QueryTimer = <T>(query: unknown, run: () => Promise<T>) => Promise<T>;

/** Opens the database named by the configuration and brings its schema up to date. */
export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  const time = opts.timeQuery ?? ((_query, run) => run());
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, time) : openPglite(opts.dataDir, time, opts);
}

async function openPostgres(url: string, time: QueryTimer): Promise<DatabaseHandle> {
  const where = describeUrl(url);
  // 20: up to 8 Q&A commands run at once (server/qa/gate.ts) and under a storm most of them wait for
  // the session's version lock while holding their connection; the rest must still serve handshakes,
  // syncs and /healthz (with 10, the survivor of a crash took ~25 s to answer its new pages' syncs).
  // pipeline: statements queued on one connection (a transaction's BEGIN and its first statements, a
  // command's writes and its COMMIT) go out together instead of one round trip each; without it pg 8
  // holds each back until the last is answered, and pg 9 refuses them.
  const pool = new pg.Pool({ connectionString: url, max: 20, connectionTimeoutMillis: 5000, pipeline: true });
  // A bad URL must stop start-up with one line, not an unhandled 'error' event later.
  pool.on("error", () => {});
  // Statements run through pool.query (which calls its client with a callback: not timed twice) or on a
  // checked-out client (transactions, migrations): both are timed. Registered before the first connect.
  timeQueries(pool, time);
  pool.on("connect", (c) => timeQueries(c as unknown as Queryable, time));
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    await pool.end().catch(() => {});
    const reason = err instanceof Error ? err.message || (err as NodeJS.ErrnoException).code : String(err);
    throw new DatabaseStartError(`DATABASE_URL: cannot connect to Postgres at ${where} (${reason})`);
  }
  try {
    // Two instances starting at once must not both migrate.
    await client.query("SELECT pg_advisory_lock(727274)");
    await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
  } finally {
    await client.query("SELECT pg_advisory_unlock(727274)").catch(() => {});
    client.release();
  }
  const db = drizzlePg(pool, { schema }) as unknown as Database;
  sendBeginWithStatements(db);
  return {
    db,
    kind: "postgres",
    location: where,
    ping: async () => {
      try {
        await pool.query("SELECT 1");
        return true;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}

/**
 * drizzle's node-postgres transaction waits for BEGIN's answer before it runs the caller's code; the
 * pipelined client runs a connection's statements in the order they are queued, so here the first
 * statements go out behind BEGIN at once (a round trip less, as on PGlite's thread). The rest is drizzle's.
 */
function sendBeginWithStatements(db: Database): void {
  const session = (db as unknown as { session: NodePgSession<typeof schema, ExtractTablesWithRelations<typeof schema>> }).session;
  const own = session as unknown as { client: pg.Pool; dialect: PgDialect; schema: RelationalSchemaConfig<TablesRelationalConfig>; options: object };
  session.transaction = async <T>(fn: (tx: NodePgTransaction<typeof schema, ExtractTablesWithRelations<typeof schema>>) => Promise<T>, config?: unknown) => {
    if (config) throw new Error("transaction options are not supported");
    const client = await own.client.connect();
    const tx = new NodePgTransaction(own.dialect, new NodePgSession(client, own.dialect, own.schema, own.options), own.schema);
    // Sent now (`execute`: a drizzle query runs again at each `then`), awaited after the caller's statements, which fail too if it did.
    const begun = tx.execute(sql`begin`).execute();
    begun.catch(() => {});
    let broken: Error | undefined;
    try {
      const result = await fn(tx as never);
      await begun;
      await tx.execute(sql`commit`);
      return result;
    } catch (err) {
      await tx.execute(sql`rollback`).catch((e: Error) => (broken = e));
      throw err;
    } finally {
      // A connection that could not roll back is closed, not handed to the next caller.
      client.release(broken);
    }
  };
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * PGlite's own start parameters, with a 16 MiB buffer pool instead of Postgres' 128 MiB. The pool
 * lives in PGlite's WebAssembly memory, in the server's own RSS, and is filled (touched) as pages are
 * read: at 128 MiB it cost about 120 MiB of resident memory within minutes. Plenary's hot data (an
 * event's sessions, people, questions, votes) is a few MiB; a page not in the pool is read back
 * through the operating system's file cache. Not written in the data folder: applied at every start.
 *
 * Without PGlite's `-F` (fsync off): a commit is on the disk before its ack. WAL is synced with
 * fsync, the one call PGlite's file system passes on (fdatasync is dropped; db/pglite-worker.mjs).
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams.filter((p) => p !== "-F"), "-c", "shared_buffers=16MB", "-c", "wal_sync_method=fsync"];

async function openPglite(dataDir: string, time: QueryTimer, { urgent, preparedUses }: Pick<OpenOptions, "urgent" | "preparedUses">): Promise<DatabaseHandle> {
  // PGlite's Postgres is WebAssembly. V8's optimizing tier recompiles its hot functions, which costs
  // about 50 MiB of resident memory (code and the compiler's freed arenas); with the baseline
  // compiler alone a lone statement takes ~20 % longer, yet joins, approvals and votes in the
  // benchmarks did not move (docs/benchmarks.md). V8's flags are the process's: the database's
  // thread, started below, compiles with the baseline compiler only.
  v8.setFlagsFromString("--liftoff-only");
  const memory = dataDir === "memory://" || dataDir === ":memory:";
  let release = () => {};
  let client: PgliteThread;
  if (memory) {
    client = await PgliteThread.open(undefined, PGLITE_START_PARAMS, { urgent, preparedUses });
  } else {
    const dir = path.resolve(dataDir);
    fs.mkdirSync(dir, { recursive: true });
    try {
      release = lockDataDir(dir);
    } catch (err) {
      throw err instanceof DataDirLockedError ? new DatabaseStartError(err.message) : err;
    }
    try {
      const pgData = path.join(dir, "pglite");
      if (!fs.existsSync(path.join(pgData, "PG_VERSION"))) await initPgliteInChild(pgData);
      client = await PgliteThread.open(pgData, PGLITE_START_PARAMS, { urgent, preparedUses });
    } catch (err) {
      release();
      throw err;
    }
  }
  timePglite(client, time);
  // drizzle calls only query and transaction, which the thread answers as PGlite itself would.
  const asPglite = client as unknown as PGlite;
  const db = drizzlePglite(asPglite, { schema }) as unknown as Database;
  await migratePglite(drizzlePglite(asPglite, { schema }), { migrationsFolder });
  return {
    db,
    kind: "pglite",
    location: memory ? "memory" : path.resolve(dataDir),
    ping: async () => {
      try {
        await db.execute(sql`SELECT 1`);
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await client.close();
      release();
    },
  };
}

/**
 * Creates a new PGlite data folder (initdb) in a short-lived child process. In this process it would
 * leave behind a second, throwaway PGlite (its WebAssembly memory, initdb's, the folder as a tarball:
 * about 350 MiB) for the garbage collector, which keeps it resident long after start-up and returns
 * only part of it to the system; the server would idle at ~900 MiB on its first start and ~500 MiB
 * on every later one. The child exits, so the server opens the new folder as on any restart.
 */
async function initPgliteInChild(pgData: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  // The child stops when this process is gone (even by SIGKILL): an orphan must not go on writing in
  // a folder whose lock the next start takes over.
  const script = `
    const { PGlite } = require(process.argv[1]);
    const fs = require("node:fs"), path = require("node:path");
    // initdb's files reach the disk only through the operating system's cache (PGlite's file system
    // has no fsync; the database's thread adds one): synced here once, with the folders naming them.
    const syncPath = (p) => { const fd = fs.openSync(p, "r"); try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); } };
    const syncTree = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) e.isDirectory() ? syncTree(path.join(dir, e.name)) : syncPath(path.join(dir, e.name));
      syncPath(dir);
    };
    const parent = Number(process.argv[4]);
    setInterval(() => { if (process.ppid !== parent) process.exit(1); }, 200).unref();
    (async () => {
      const client = new PGlite(process.argv[2], { startParams: JSON.parse(process.argv[3]) });
      await client.waitReady;
      await client.close();
      syncTree(process.argv[2]);
      syncPath(path.dirname(process.argv[2]));
    })().catch((err) => {
      process.stderr.write(String(err && err.message ? err.message : err));
      process.exit(1);
    });`;
  const child = spawn(process.execPath, ["-e", script, entry, pgData, JSON.stringify(PGLITE_START_PARAMS), String(process.pid)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (status) => resolve(status));
  });
  if (code !== 0)
    throw new DatabaseStartError(`DATA_DIR: could not create the embedded database in ${pgData} (${stderr.trim().split("\n").at(-1) || `exit ${code}`})`);
}

type Queryable = { query: (...args: unknown[]) => unknown };
const timed = Symbol.for("plenary.timedQueries");

/**
 * Database latency and errors for /metrics (the timer comes from server/metrics.ts): the driver's
 * `query` is wrapped, so drizzle, raw SQL and transactions are all timed. Callback-style calls (none
 * in Plenary; pg's own internals) pass through untimed.
 */
function timeQueries(client: Queryable, time: QueryTimer): void {
  const c = client as Queryable & { [timed]?: true };
  if (c[timed]) return;
  c[timed] = true;
  const query = client.query.bind(client);
  client.query = (...args: unknown[]) => {
    if (typeof args.at(-1) === "function") return query(...args);
    const first = args[0] as { text?: unknown } | string;
    return time(typeof first === "string" ? first : first?.text, () => query(...args) as Promise<unknown>);
  };
}

function timePglite(client: PgliteThread, time: QueryTimer): void {
  timeQueries(client as unknown as Queryable, time);
  const p = client as unknown as { exec: (...a: unknown[]) => Promise<unknown>; transaction: (fn: (tx: Queryable) => Promise<unknown>) => Promise<unknown> };
  const exec = p.exec.bind(client);
  p.exec = (...args: unknown[]) => time(args[0], () => exec(...args));
  const transaction = p.transaction.bind(client);
  p.transaction = (fn) =>
    transaction((tx) => {
      timeQueries(tx, time);
      return fn(tx);
    });
}
