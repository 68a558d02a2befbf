import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import pg from "pg";
import * as schema from "./schema";
import { DataDirLockedError, lockDataDir } from "./data-dir-lock";

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
}

/** Runs one statement; `query` is its SQL text (for a label by verb and table, never its parameters). */
export type QueryTimer = <T>(query: unknown, run: () => Promise<T>) => Promise<T>;

/** Opens the database named by the configuration and brings its schema up to date. */
export async function openDatabase(opts: OpenOptions): Promise<DatabaseHandle> {
  const time = opts.timeQuery ?? ((_query, run) => run());
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, time) : openPglite(opts.dataDir, time);
}

async function openPostgres(url: string, time: QueryTimer): Promise<DatabaseHandle> {
  const where = describeUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
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

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

async function openPglite(dataDir: string, time: QueryTimer): Promise<DatabaseHandle> {
  const memory = dataDir === "memory://" || dataDir === ":memory:";
  let release = () => {};
  let client: PGlite;
  if (memory) {
    client = new PGlite();
  } else {
    const dir = path.resolve(dataDir);
    fs.mkdirSync(dir, { recursive: true });
    try {
      release = lockDataDir(dir);
    } catch (err) {
      throw err instanceof DataDirLockedError ? new DatabaseStartError(err.message) : err;
    }
    try {
      client = new PGlite(path.join(dir, "pglite"));
      await client.waitReady;
    } catch (err) {
      release();
      throw err;
    }
  }
  timePglite(client, time);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
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

function timePglite(client: PGlite, time: QueryTimer): void {
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
