import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { pgTable, text } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { createLogger, errorKind, errorName, routeConsoleToLog, sqlOperation } from "./log";

/** Distinctive values that must never reach a log line, whatever path they take. */
const NAME = "Quintessa Vanterpool";
const EMAIL = "quintessa.vanterpool@lockmart.example";
const AFFILIATION = "Zephyrine Aerodynamics GmbH";
const SECOND_LINE = "Tiberius Okonkwo-Lindqvist";
const NEEDLES = [NAME, EMAIL, AFFILIATION, SECOND_LINE, "quintessa", "Vanterpool", "Zephyrine", "Okonkwo"];

function capture(level: "debug" | "info" = "debug", pretty = false) {
  const lines: string[] = [];
  return { lines, log: createLogger(level, (l) => lines.push(l), { pretty }) };
}

function expectNoNeedles(lines: string[]) {
  expect(lines.length).toBeGreaterThan(0);
  const all = lines.join("\n");
  for (const n of NEEDLES) expect(all, `the log names "${n}"`).not.toContain(n);
}

/** A real drizzle/PGlite failure: its message embeds the query's parameters, line breaks included. */
let made: Promise<unknown> | undefined;
function realDatabaseError(): Promise<unknown> {
  return (made ??= makeDatabaseError());
}

async function makeDatabaseError(): Promise<unknown> {
  const client = new PGlite();
  const people = pgTable("people", { name: text("name").notNull(), email: text("email").notNull().unique() });
  const db = drizzle(client);
  await db.execute("create table people (name text not null, email text not null unique)");
  await db.insert(people).values({ name: `${NAME}\n${SECOND_LINE}`, email: EMAIL });
  try {
    await db.insert(people).values({ name: `${NAME}\n${SECOND_LINE}, ${AFFILIATION}`, email: EMAIL });
    throw new Error("the insert should have failed");
  } catch (err) {
    return err;
  } finally {
    await client.close();
  }
}

describe("the logger (pino)", () => {
  it("writes one JSON object per line with the level's name, the message and the fields", () => {
    const { lines, log } = capture();
    log.info("poll closed by its timer", { pollId: "p-1", count: 3 });
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: "info", msg: "poll closed by its timer", pollId: "p-1", count: 3 });
    expect(typeof entry.t).toBe("string");
    const quiet = capture("info");
    quiet.log.debug("not shown");
    expect(quiet.lines).toHaveLength(0);
  });

  it("cuts people's names, e-mails and words by field path, at any depth, in arrays and in child loggers' bindings", () => {
    const { lines, log } = capture();
    log.info("import row refused", { line: 3, email: EMAIL, name: `${NAME}\n${SECOND_LINE}` });
    log.warn("nested", { row: { person: { profile: { deep: { displayName: NAME, affiliation: AFFILIATION } } } } });
    log.warn("arrays", { rows: [{ email: EMAIL }, { name: NAME }], mail: { to: EMAIL, subject: `Hello ${NAME}`, text: `Dear ${NAME}` } });
    log.child({ socket: "s-1", actor: { name: NAME } }).info("child line", { details: { identifier: EMAIL } });
    expectNoNeedles(lines);
    expect(JSON.parse(lines[0])).toMatchObject({ line: 3, email: "[redacted]", name: "[redacted]" });
    expect(JSON.parse(lines[3])).toMatchObject({ socket: "s-1", msg: "child line" });
  });

  it("logs a real database error by kind (class, SQLSTATE, constraint, operation), never its message or parameters", async () => {
    const err = await realDatabaseError();
    // The driver's message does carry the values: this is what must not reach the log.
    expect(String((err as Error).message) + String(((err as Error).cause as Error)?.message)).toContain(EMAIL);
    const { lines, log } = capture();
    log.error("socket command failed", { event: "question:submit", err });
    log.error("wrapped", { err: new Error("outer", { cause: err }) });
    log.error("as error", { error: err, reason: err });
    expectNoNeedles(lines);
    const entry = JSON.parse(lines[0]);
    expect(entry.err.operation).toBe("insert into people");
    expect([entry.err.code, ...(entry.err.causes ?? []).map((c: { code?: string }) => c.code)]).toContain("23505");
    expect(JSON.stringify(entry.err)).not.toContain("stack");
    expect(errorName(err)).toMatch(/23505/);
  });

  it("logs an AppError and a mail server's error by kind, though their messages name people", () => {
    const { lines, log } = capture();
    log.error("route failed", { err: new AppError("not_found", `There is no session "${NAME}" in the programme.`) });
    const mailErr = Object.assign(new Error(`550 5.1.1 <${EMAIL}>: Recipient address rejected`), { code: "EENVELOPE", responseCode: 550 });
    log.error("sign-in link could not be sent", { err: mailErr });
    log.warn("next-auth error", { code: "SIGNIN_EMAIL_ERROR", err: { error: new Error(EMAIL), providerId: "email", message: EMAIL } });
    expectNoNeedles(lines);
    expect(JSON.parse(lines[0]).err).toEqual({ type: "AppError", code: "not_found" });
    expect(JSON.parse(lines[1]).err).toEqual({ type: "Error", code: "EENVELOPE" });
  });

  it("redacts the same way in pino-pretty's development format", async () => {
    const { lines, log } = capture("debug", true);
    log.error("pretty", { email: EMAIL, err: await realDatabaseError(), nested: { a: { name: NAME } } });
    expectNoNeedles(lines);
    expect(lines.join("\n")).toContain("pretty");
  });

  it("routes console.error (how Next prints errors) through the logger, by kind", async () => {
    const { lines, log } = capture();
    const restore = routeConsoleToLog(log);
    try {
      console.error(`Failed query: insert into people\nparams: ${EMAIL},${NAME}`);
      console.error(await realDatabaseError());
      console.warn("⨯ Error", new Error(`${NAME} ${AFFILIATION}`));
    } finally {
      restore();
    }
    expectNoNeedles(lines);
    expect(JSON.parse(lines[0])).toMatchObject({ level: "error", lead: "Failed query" });
    expect(JSON.parse(lines[1]).errs[0].operation).toBe("insert into people");
  });

  it("names a statement by its verb and table only", () => {
    expect(sqlOperation(`insert into "questions" ("id", "text") values ($1, $2)`)).toBe("insert into questions");
    expect(sqlOperation(`update "polls" set "status" = $1 where "id" = $2`)).toBe("update polls");
    expect(sqlOperation(`select "id", "name" from "users" where "email" = $1`)).toBe("select users");
    expect(sqlOperation(`delete from "question_votes" where x`)).toBe("delete from question_votes");
    expect(sqlOperation("begin")).toBe("begin");
    expect(sqlOperation(`${EMAIL}`)).toBeUndefined();
    expect(errorKind(Object.assign(new Error("x"), { syscall: "connect", code: "ECONNREFUSED" }))).toEqual({
      type: "Error",
      code: "ECONNREFUSED",
      operation: "connect",
    });
  });
});
