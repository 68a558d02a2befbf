import type { z } from "zod";
import { databaseFault, isCheckViolation, type DatabaseFault } from "./db-errors";

/** Stable error codes. The code is the contract; the message is for a person and says what to do. */
export const errorStatus = {
  bad_request: 400,
  invalid_payload: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  /** A body that is not labelled as what the route reads (JSON routes want Content-Type: application/json). */
  unsupported_media_type: 415,
  conflict: 409,
  version_conflict: 409,
  cross_site: 403,
  policy_violation: 422,
  qa_closed: 409,
  intake_paused: 409,
  session_ended: 409,
  rate_limited: 429,
  /** Streaming: a token asked for outside the session's window (doors open 30 min before the start). */
  outside_window: 403,
  /** Streaming: viewers are let in only while the moderators have the stream live. */
  not_live: 409,
  /** Streaming: going live with nobody publishing needs the moderator's explicit "Go live anyway". */
  stage_empty: 409,
  /** LiveKit refused or failed a call; the message carries LiveKit's own words. */
  livekit_error: 502,
  /** Recording: this Plenary has no recorder (binary or ffmpeg missing, or RECORDING=off); the message says what to install. */
  recording_unavailable: 503,
  /** Recording: the recorder did not join the room in time or exited; the message carries its reason. */
  recording_failed: 502,
  /** Streaming: a webhook event another delivery is handling right now (LiveKit retries a 5xx). */
  in_progress: 503,
  // Polls (server/polls): answers and lifecycle refusals.
  poll_closed: 409,
  poll_not_open: 409,
  unknown_option: 422,
  too_many_picks: 422,
  rating_out_of_range: 422,
  invalid_answer: 422,
  // Check-in desk (server/checkin): a scanned pass that is not a pass, a forged one, one no longer valid.
  pass_invalid: 400,
  pass_forged: 403,
  pass_unknown: 404,
  /** A walk-in whose e-mail is already registered: find them in the search instead. */
  already_registered: 409,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

const BRAND = Symbol.for("plenary.AppError");

export class AppError extends Error {
  /** Route handlers are bundled apart from the server's modules: two AppError classes can meet, so
   * errors are recognised by this brand, not by `instanceof`. */
  readonly [BRAND] = true;

  static is(err: unknown): err is AppError {
    return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return errorStatus[this.code];
  }
  toJSON() {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** How long a client is asked to wait before trying again while the database is out. */
export const UNAVAILABLE_RETRY_MS = 5_000;

/**
 * The database cannot do its work right now (full disk, refused connection, shutting down…): a 503
 * with Retry-After, not a 500, and the client keeps the person's work and tries again. The fault
 * (its reason and driver code) stays on the server, as `fault` and `cause`, for the log.
 */
export function databaseUnavailable(fault: DatabaseFault, cause?: unknown): AppError & { fault: DatabaseFault } {
  const e = new AppError(
    "unavailable",
    "Plenary cannot save or load this right now: its database is briefly unavailable. Your work is kept; try again in a few seconds.",
    {
      retryAfterMs: UNAVAILABLE_RETRY_MS,
    },
  );
  return Object.assign(e, { fault, cause });
}

/**
 * The one mapping from any thrown value to what a person is told. Refusals the database itself makes
 * (constraints that hold the event's rules) become their AppError; a database outage becomes
 * `unavailable` (503); anything else is `internal` (500). Faults are logged by their kind by the
 * caller and never sent (a database error's text can carry the query's parameters).
 */
export function toAppError(err: unknown): AppError {
  if (AppError.is(err)) return err;
  if (isCheckViolation(err, "questions_chatham_house_anonymous"))
    return new AppError("policy_violation", "Questions in a Chatham House session are always anonymous.");
  const fault = databaseFault(err);
  if (fault) return databaseUnavailable(fault, err);
  return new AppError("internal", "Something went wrong on the server. Try again; if it persists, tell the organizers.");
}

/** Parses input with a shared schema; a mismatch is `invalid_payload` naming the field and what is wrong with it. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AppError("invalid_payload", describeIssue(parsed.error.issues[0]));
}

/** How zod's own names for kinds of value read in a sentence. */
const KIND_WORDS: Record<string, string> = {
  object: "an object",
  array: "a list",
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  null: "null",
  undefined: "nothing",
};
const kind = (k: string) => KIND_WORDS[k] ?? `a ${k}`;
const UNITS: Record<string, string | undefined> = { string: " characters", array: " items", set: " items", file: " bytes" };

/**
 * What a person is told about the first thing wrong with a payload. Our schemas' own messages are
 * kept, after the field's name; zod's generic ones ("Invalid input: expected object, received
 * array") are said in words, since whoever reads them did not write the schema.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join(".");
  const generic = /^(Invalid input: expected|Too small: expected|Too big: expected|Invalid option: expected one of)/.test(issue.message);
  if (!generic) return field ? `${field}: ${issue.message}` : issue.message;
  const name = field ? `"${field}"` : "The payload";
  switch (issue.code) {
    case "invalid_type": {
      const received = /received (\S+)$/.exec(issue.message)?.[1] ?? "something else";
      if (field && received === "undefined") return `${name} is missing: it takes ${kind(issue.expected)}.`;
      if (issue.expected === "int" && received === "number") return `${name} must be a whole number.`;
      // A query parameter coerced to a number: "abc" arrives as NaN, "1e309" as Infinity.
      if (received === "NaN") return `${name} must be ${kind(issue.expected)}.`;
      if (received === "Infinity") return `${name} must be a finite number.`;
      return `${name} must be ${kind(issue.expected)}, not ${kind(received)}.`;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const words = issue.code === "too_small" ? (issue.inclusive ? "at least" : "more than") : issue.inclusive ? "at most" : "less than";
      const unit = UNITS[issue.origin];
      return unit ? `${name} must have ${words} ${String(bound)}${unit}.` : `${name} must be ${words} ${String(bound)}.`;
    }
    case "invalid_value":
      return `${name} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}.`;
    default:
      return field ? `${field}: ${issue.message}` : issue.message;
  }
}

/** The refusal every capability gives for a slug that names no session of the programme. */
export function sessionNotFound(slug: string): AppError {
  return new AppError("not_found", `There is no session "${slug}" in the programme.`);
}
