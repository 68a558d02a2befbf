type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type LogSink = (line: string) => void;

/** One JSON object per line on stdout. Callers pass ids and codes, never personal data. */
export function createLogger(level: Level | "silent" = "info", sink: LogSink = (l) => process.stdout.write(l + "\n")): Logger {
  const min = order[level];
  const write = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < min) return;
    const entry: Record<string, unknown> = { t: new Date().toISOString(), level: lvl, msg, ...fields };
    if (fields?.err instanceof Error) entry.err = { name: fields.err.name, message: withoutParams(fields.err.message), stack: withoutParams(fields.err.stack) };
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}

/**
 * drizzle puts a failed query's parameters in the error message ("params: <ids, names, text>"): they
 * can be people's ids and words (and under the Chatham House Rule must never reach a log), so they
 * are cut from every logged error.
 */
function withoutParams<T extends string | undefined>(text: T): T {
  return (text ? text.replace(/\nparams: [^\n]*/g, "\nparams: (omitted)") : text) as T;
}

/** Errors can carry personal data (a database error its query parameters, a mail server the recipient): logs get the name and code only. */
export function errorName(err: unknown): string {
  const e = err as { name?: string; code?: unknown; cause?: { code?: unknown } };
  return [e?.name ?? "Error", typeof e?.code === "string" ? e.code : typeof e?.cause?.code === "string" ? e.cause.code : ""].filter(Boolean).join(" ");
}
