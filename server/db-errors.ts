/** Postgres errors reach us wrapped (drizzle wraps the driver's error in `cause`); these look through. */
function pgError(err: unknown): { code?: string; constraint?: string; message?: string } | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const candidate = e as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate as never;
    e = candidate.cause;
  }
  return undefined;
}

export function isCheckViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  if (pg?.code !== "23514") return false;
  return !constraint || pg.constraint === constraint || Boolean(pg.message?.includes(constraint));
}

/**
 * Why the database cannot do its work right now — a fault of the database or the way to it, not of
 * the request: the same request succeeds once it is over. `reason` is a stable name for operators
 * (logs, /healthz); `code` is the driver's own (SQLSTATE or errno), never the error's message.
 */
export interface DatabaseFault {
  reason: DatabaseFaultReason;
  code: string;
}

export type DatabaseFaultReason =
  | "disk_full"
  | "out_of_memory"
  | "too_many_connections"
  | "shutting_down"
  | "starting_up"
  | "read_only"
  | "database_missing"
  | "connection_refused"
  | "connection_lost"
  | "connect_timeout"
  | "host_not_found"
  | "io_error"
  | "closed";

const BY_CODE: Record<string, DatabaseFaultReason> = {
  // SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html)
  "53100": "disk_full",
  "53200": "out_of_memory",
  "53300": "too_many_connections",
  "57P01": "shutting_down", // admin_shutdown
  "57P02": "shutting_down", // crash_shutdown
  "57P03": "starting_up", // cannot_connect_now
  "57P04": "database_missing", // database_dropped
  "25006": "read_only", // read_only_sql_transaction
  "3D000": "database_missing", // invalid_catalog_name
  "08000": "connection_lost",
  "08003": "connection_lost",
  "08006": "connection_lost",
  "08001": "connection_refused",
  "08004": "connection_refused",
  "58030": "io_error",
  // errno (Node's sockets and file system)
  ENOSPC: "disk_full",
  EDQUOT: "disk_full",
  EROFS: "read_only",
  ENOMEM: "out_of_memory",
  ECONNREFUSED: "connection_refused",
  ECONNRESET: "connection_lost",
  EPIPE: "connection_lost",
  ETIMEDOUT: "connect_timeout",
  ENOTFOUND: "host_not_found",
  EAI_AGAIN: "host_not_found",
  EIO: "io_error",
};

/**
 * Faults that carry no code, known by the driver's fixed wording. Anchored at the start: drizzle's
 * wrapper message holds the query's parameters (people's words), which must never decide anything.
 */
const BY_MESSAGE: Array<[RegExp, DatabaseFaultReason, string]> = [
  [/^Connection terminated/, "connection_lost", "connection_terminated"],
  [/^timeout exceeded when trying to connect/, "connect_timeout", "connect_timeout"],
  [/^Cannot use a pool after calling end/, "closed", "pool_ended"],
  [/^PGlite is clos(ed|ing)/, "closed", "pglite_closed"],
];

/**
 * The database fault behind an error (looking through drizzle's and our own wrappers' `cause`, and
 * an AggregateError's `errors`), or undefined when the error is something else (a refusal, a bug).
 */
export function databaseFault(err: unknown): DatabaseFault | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length && seen.size < 20) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const candidate = e as { code?: unknown; errno?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === "string" && BY_CODE[candidate.code]) return { reason: BY_CODE[candidate.code], code: candidate.code };
    if (typeof candidate.message === "string") {
      for (const [pattern, reason, code] of BY_MESSAGE) if (pattern.test(candidate.message)) return { reason, code };
    }
    queue.push(candidate.cause);
    if (Array.isArray(candidate.errors)) queue.push(...candidate.errors);
  }
  return undefined;
}
