import pino from "pino";
import { prettyFactory } from "pino-pretty";

export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line carries `bindings` (e.g. a socket id, a command's event name). */
  child(bindings: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty) instead of JSON: for `npm run dev`. */
  pretty?: boolean;
}

/**
 * Field names that carry what people typed or who they are. Their values are replaced wherever they
 * appear: pino's `redact` handles the paths it can name (top level and a few levels down), and
 * `scrub` below walks deeper objects, which fast-redact's wildcards cannot reach.
 */
const SENSITIVE = [
  "email",
  "emails",
  "identifier",
  "name",
  "displayName",
  "display_name",
  "affiliation",
  "text",
  "originalText",
  "question",
  "answer",
  "answers",
  "body",
  "params",
  "parameters",
  "values",
  "to",
  "from",
  "subject",
  "url",
  "cookie",
  "authorization",
  "token",
  "password",
  "secret",
];
const SENSITIVE_SET = new Set(SENSITIVE.map((k) => k.toLowerCase()));
export const REDACTED = "[redacted]";
const REDACT_PATHS = SENSITIVE.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
/** Fields whose values are errors: serialized by kind (errorKind), never by message. */
const ERROR_KEYS = ["err", "error", "cause", "reason"];

/**
 * One JSON object per line on stdout (pino). Callers pass ids and codes; whatever else slips in is
 * cut by field name, and errors are logged by kind only (class, SQLSTATE/errno, operation), because
 * their messages embed query parameters and addresses.
 */
export function createLogger(level: Level | "silent" = "info", sink: LogSink = (l) => void process.stdout.write(l + "\n"), opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ? prettyFactory({ colorize: false, timestampKey: "t", translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }) : undefined;
  const destination = {
    write(line: string) {
      const text = line.endsWith("\n") ? line.slice(0, -1) : line;
      sink(pretty ? pretty(text).replace(/\n$/, "") : text);
    },
  };
  const base = pino(
    {
      level,
      base: undefined,
      messageKey: "msg",
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        // Runs before redaction: errors anywhere become their kind, sensitive keys anywhere are cut.
        log: (obj) => scrub(obj, 0) as Record<string, unknown>,
        bindings: (b) => scrub(b, 0) as Record<string, unknown>,
      },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields) => (fields ? p.debug(fields, msg) : p.debug(msg)),
    info: (msg, fields) => (fields ? p.info(fields, msg) : p.info(msg)),
    warn: (msg, fields) => (fields ? p.warn(fields, msg) : p.warn(msg)),
    error: (msg, fields) => (fields ? p.error(fields, msg) : p.error(msg)),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

/** A copy of `value` with errors as their kind and sensitive fields censored, at any depth. */
function scrub(value: unknown, depth: number, key?: string): unknown {
  if (isErrorLike(value)) return errorKind(value);
  if (key !== undefined && ERROR_KEYS.includes(key) && typeof value === "object" && value !== null && !Array.isArray(value) && depth > 0) {
    // A thrown non-Error object (some drivers reject with plain objects): keep only its kind.
    return errorKind(value);
  }
  if (value === null || typeof value !== "object") return value;
  if (depth > 6) return "[deep]";
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SENSITIVE_SET.has(k.toLowerCase()) && v !== undefined && v !== null ? REDACTED : scrub(v, depth + 1, k);
  }
  return out;
}

function isErrorLike(v: unknown): v is Error {
  return v instanceof Error || (typeof v === "object" && v !== null && typeof (v as Error).stack === "string" && typeof (v as Error).name === "string");
}

export interface ErrorKind {
  /** The error's class: AppError, DrizzleQueryError, error (pg), TypeError… */
  type: string;
  /** SQLSTATE (23505), errno code (ECONNREFUSED) or AppError code, from the error or its causes. */
  code?: string;
  /** A database constraint's name (schema text, never data). */
  constraint?: string;
  /** What was being done: the SQL verb and table ("insert into questions"), or the failed syscall. */
  operation?: string;
  /** The kinds of the errors that caused it, outermost first. */
  causes?: ErrorKind[];
}

/**
 * An error by kind, never by message: drizzle, pg and PGlite put the query's parameters (ids,
 * names, question text) in their messages, mail servers the recipient, next-auth the e-mail.
 */
export function errorKind(err: unknown, depth = 0): ErrorKind {
  const e = (err ?? {}) as {
    name?: unknown;
    code?: unknown;
    constraint?: unknown;
    query?: unknown;
    syscall?: unknown;
    cause?: unknown;
    constructor?: { name?: string };
  };
  const kind: ErrorKind = { type: typeof e.name === "string" && e.name ? e.name : (e.constructor?.name ?? typeof err) };
  if (typeof e.code === "string" && /^[A-Za-z0-9_]{1,40}$/.test(e.code)) kind.code = e.code;
  else if (typeof e.code === "number") kind.code = String(e.code);
  if (typeof e.constraint === "string" && /^[a-z0-9_]{1,63}$/.test(e.constraint)) kind.constraint = e.constraint;
  const operation = typeof e.query === "string" ? sqlOperation(e.query) : typeof e.syscall === "string" ? e.syscall : undefined;
  if (operation) kind.operation = operation;
  if (e.cause !== undefined && e.cause !== null && depth < 4) {
    const { causes, ...cause } = errorKind(e.cause, depth + 1);
    kind.causes = [cause, ...(causes ?? [])];
  }
  return kind;
}

/** "insert into "questions" (...) values ($1, ...)" → "insert into questions": the verb and table only. */
export function sqlOperation(query: string): string | undefined {
  const m =
    /^\s*(select|insert\s+into|update|delete\s+from|with|begin|commit|rollback|savepoint|release|set|lock\s+table)\b(?:[\s\S]*?\b(?:from|into|update|table)\s+"?([a-z_][a-z0-9_]*)"?)?/i.exec(
      query,
    );
  if (!m) return undefined;
  const verb = m[1].toLowerCase().replace(/\s+/g, " ");
  const table = /^(insert into|update|delete from|lock table)$/.test(verb)
    ? /^\s*(?:insert\s+into|update|delete\s+from|lock\s+table)\s+"?([a-z_][a-z0-9_]*)"?/i.exec(query)?.[1]
    : m[2];
  return table ? `${verb} ${table.toLowerCase()}` : verb;
}

/** Errors can carry personal data (a database error its query parameters, a mail server the recipient): logs get the name and code only. */
export function errorName(err: unknown): string {
  const k = errorKind(err);
  const code = k.code ?? k.causes?.find((c) => c.code)?.code;
  return [k.type, code ?? ""].filter(Boolean).join(" ");
}

/**
 * Next (and libraries inside it) print errors with console.error/console.warn, message, stack and
 * query parameters included. While Plenary serves pages, those calls come here instead: errors by
 * kind, and of any text only its lead-in (up to the first colon or line break, where messages put
 * their values). Returns the function that puts the console back.
 */
export function routeConsoleToLog(log: Logger): () => void {
  const original = { error: console.error, warn: console.warn };
  const forward =
    (level: "error" | "warn") =>
    (...args: unknown[]) => {
      const errors = args.filter(isErrorLike);
      const text = args.find((a): a is string => typeof a === "string");
      const lead = text ? text.split(/[:\n]/)[0].replace(/\s+/g, " ").trim().slice(0, 120) : undefined;
      log[level]("console output", { ...(lead ? { lead } : {}), ...(errors.length ? { errs: errors.map((e) => errorKind(e)) } : {}) });
    };
  console.error = forward("error");
  console.warn = forward("warn");
  return () => {
    console.error = original.error;
    console.warn = original.warn;
  };
}
