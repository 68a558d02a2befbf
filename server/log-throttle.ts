import type { Logger } from "./log";

/**
 * During an outage every client retries every few seconds, and every retry fails the same way: one
 * full line (with the error and its stack) per failure would bury the log (about 70 lines a second
 * with 20 devices). A failure of one kind is logged in full the first time; repeats within the
 * interval are only counted, and one summary line per interval says how many there were and where.
 */
export interface FailureLog {
  /**
   * `kind` groups repeats (a fault's reason, an error's name and code: never a value a person sent);
   * `where` says which command or path failed (counted per kind in the summary).
   */
  error(msg: string, kind: string, where: string, fields?: Record<string, unknown>): void;
  /** The same for background work that will try again by itself (sweeps, broadcasts). */
  warn(msg: string, kind: string, where: string, fields?: Record<string, unknown>): void;
  /** Writes the pending summaries now (shutdown, tests). */
  flush(): void;
}

export const FAILURE_LOG_INTERVAL_MS = 10_000;

interface Window {
  level: "error" | "warn";
  msg: string;
  kind: string;
  repeated: number;
  where: Map<string, number>;
  timer: ReturnType<typeof setTimeout>;
}

export function createFailureLog(log: Logger, intervalMs = FAILURE_LOG_INTERVAL_MS): FailureLog {
  const windows = new Map<string, Window>();
  const summarize = (key: string) => {
    const w = windows.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    if (w.repeated === 0) {
      // Quiet for a whole interval: the next failure of this kind is logged in full again.
      windows.delete(key);
      return;
    }
    log[w.level](w.msg, { kind: w.kind, repeated: w.repeated, intervalMs, where: Object.fromEntries(w.where) });
    w.repeated = 0;
    w.where = new Map();
    w.timer = setTimeout(() => summarize(key), intervalMs);
    w.timer.unref?.();
  };
  const note = (level: Window["level"], msg: string, kind: string, where: string, fields?: Record<string, unknown>) => {
    const key = `${level}\u0000${msg}\u0000${kind}`;
    const w = windows.get(key);
    if (w) {
      w.repeated++;
      w.where.set(where, (w.where.get(where) ?? 0) + 1);
      return;
    }
    log[level](msg, { ...fields, kind, where });
    const timer = setTimeout(() => summarize(key), intervalMs);
    timer.unref?.();
    windows.set(key, { level, msg, kind, repeated: 0, where: new Map(), timer });
  };
  return {
    error: (msg, kind, where, fields) => note("error", msg, kind, where, fields),
    warn: (msg, kind, where, fields) => note("warn", msg, kind, where, fields),
    flush() {
      for (const key of [...windows.keys()]) summarize(key);
    },
  };
}

// One failure log per logger, so every socket and route of one server shares its windows without
// being handed one (a test server's logger gets its own).
const shared = new WeakMap<Logger, FailureLog>();

export function failureLog(log: Logger): FailureLog {
  let f = shared.get(log);
  if (!f) shared.set(log, (f = createFailureLog(log)));
  return f;
}
