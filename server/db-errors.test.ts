import { describe, expect, it } from "vitest";
import { databaseFault } from "./db-errors";
import { toAppError } from "./errors";

/** Errors shaped as the drivers make them: pg's DatabaseError (SQLSTATE in `code`), Node's errno errors, drizzle's wrapper. */
function pgError(code: string, message = "boom"): Error {
  return Object.assign(new Error(message), { code, severity: "ERROR" });
}
function errno(code: string): Error {
  return Object.assign(new Error(`${code}: something, write`), { code, errno: -28, syscall: "write" });
}
function drizzleWrapped(cause: unknown, params = "question text"): Error {
  return Object.assign(new Error(`Failed query: insert into "questions" …\nparams: ${params}`), { name: "DrizzleQueryError", cause });
}

describe("databaseFault names why the database cannot work right now", () => {
  it.each([
    [pgError("53100"), "disk_full", "53100"],
    [pgError("53200"), "out_of_memory", "53200"],
    [pgError("53300"), "too_many_connections", "53300"],
    [pgError("57P01"), "shutting_down", "57P01"],
    [pgError("57P03"), "starting_up", "57P03"],
    [pgError("25006"), "read_only", "25006"],
    [pgError("3D000"), "database_missing", "3D000"],
    [pgError("08006"), "connection_lost", "08006"],
    [errno("ENOSPC"), "disk_full", "ENOSPC"],
    [errno("ECONNREFUSED"), "connection_refused", "ECONNREFUSED"],
    [errno("ECONNRESET"), "connection_lost", "ECONNRESET"],
    [new Error("Connection terminated unexpectedly"), "connection_lost", "connection_terminated"],
    [new Error("timeout exceeded when trying to connect"), "connect_timeout", "connect_timeout"],
    [new Error("PGlite is closed"), "closed", "pglite_closed"],
  ])("%s → %s", (err, reason, code) => {
    expect(databaseFault(err)).toEqual({ reason, code });
    // Through drizzle's wrapper too, and through Node's AggregateError (a connection to ::1 and 127.0.0.1).
    expect(databaseFault(drizzleWrapped(err))).toEqual({ reason, code });
    expect(databaseFault(new AggregateError([errno("EADDRNOTAVAIL"), err]))).toEqual({ reason, code });
  });

  it("does not take refusals, bugs or a person's words for an outage", () => {
    expect(databaseFault(pgError("23505"))).toBeUndefined(); // unique violation
    expect(databaseFault(pgError("23514"))).toBeUndefined(); // check violation
    expect(databaseFault(new TypeError("x is undefined"))).toBeUndefined();
    // The query's parameters sit in drizzle's message: a question that says "Connection terminated" is not a fault.
    expect(databaseFault(drizzleWrapped(pgError("23505"), "Connection terminated"))).toBeUndefined();
    expect(databaseFault(new Error("Failed query: …\nparams: PGlite is closed"))).toBeUndefined();
  });

  it("toAppError answers an outage as 503 unavailable with a retry hint, anything else as 500 internal", () => {
    const out = toAppError(drizzleWrapped(pgError("53100"), "Ann Example"));
    expect(out.code).toBe("unavailable");
    expect(out.status).toBe(503);
    expect(out.details).toEqual({ retryAfterMs: 5000 });
    expect(out.message).toMatch(/briefly unavailable/);
    expect(JSON.stringify(out.toJSON())).not.toContain("Ann Example");
    expect(toAppError(new TypeError("bug")).code).toBe("internal");
  });
});
