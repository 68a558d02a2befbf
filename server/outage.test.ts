/**
 * A database that answers reads but refuses every write (a full disk looks the same to Plenary: a
 * `SELECT 1` still succeeds). Made real on both databases with Postgres's own read-only mode:
 * PGlite's one session is switched, Postgres's database is altered and its connections restarted.
 * /healthz must say degraded and why, commands must answer `unavailable` (not `internal`), the log
 * must not get a line with a stack per retry, and the pages' Q&A engine must keep the work and say so.
 */
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { questions } from "../db/schema";
import { failureLog } from "./log-throttle";
import { connectClient, type TestSocket } from "./testing/clients";
import { testDatabaseKinds } from "./testing/databases";
import { createPerson, type TestPerson } from "./testing/people";
import { startTestServer, type TestServer } from "./testing/test-server";
import { browserLike, call, key, sleep, waitFor } from "./qa/testing";
import { emit, joinSession, ok as pollOk } from "./polls/test-helpers";
import type { MyAnswer, PollView } from "../lib/polls";

const SLUG = "defense-industry-perspectives"; // live at NOW, on the record
const NOW = "2024-05-24T10:00:00-04:00";

/** Turns the server's database read-only (or back), the way an operator or a full disk would. */
async function setReadOnly(server: TestServer, on: boolean): Promise<void> {
  const db = server.services.database;
  if (db.kind === "pglite") {
    await server.services.db.execute(on ? sql`SET default_transaction_read_only = on` : sql`SET default_transaction_read_only = off`);
    return;
  }
  const name = db.location.split("/").pop()!;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(on ? `ALTER DATABASE ${name} SET default_transaction_read_only = on` : `ALTER DATABASE ${name} RESET default_transaction_read_only`);
    // The setting applies to new connections: end the pool's, it opens new ones.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
  } finally {
    await admin.end();
  }
  // The pool learns of each ended connection (57P01) from its socket and drops it: let that happen
  // first, so the commands that follow meet the read-only database, not a connection being closed.
  await sleep(500);
}

async function health(server: TestServer) {
  const res = await fetch(`${server.url}/healthz`);
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as Record<string, unknown> & { database: Record<string, unknown> },
  };
}

describe.each(testDatabaseKinds())("a database that refuses writes (%s)", (database) => {
  let server: TestServer;
  const lines: Array<Record<string, unknown>> = [];
  let people: TestPerson[];
  let sockets: TestSocket[];
  const pages: Array<ReturnType<typeof browserLike>> = [];

  beforeAll(async () => {
    server = await startTestServer({ now: NOW, database, logSink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    people = await Promise.all([1, 2, 3].map((i) => createPerson(server.services, { name: `Outage ${i}`, email: `outage-${i}-${database}@example.org` })));
    sockets = await Promise.all(people.map((p) => connectClient(server.url, { origin: server.url, cookie: p.cookie })));
  });
  afterAll(async () => {
    for (const p of pages) p.close();
    for (const s of sockets ?? []) s.close();
    if (server) await setReadOnly(server, false).catch(() => {});
    await server?.close();
  });

  it("/healthz says degraded and names the fault while writes fail, and ok once they work again", async () => {
    expect((await health(server)).status).toBe(200);
    await setReadOnly(server, true);
    try {
      // A real command fails first: the server learns of it, and /healthz looks again at once.
      const refused = await call(sockets[0], "question:submit", {
        slug: SLUG,
        key: key(),
        text: "Will this be saved while the disk is full?",
        anonymous: true,
      });
      expect(refused).toMatchObject({ ok: false, error: { code: "unavailable", retryAfterMs: 5000 } });

      const h = await health(server);
      expect(h.status).toBe(503);
      expect(h.retryAfter).toBe("5");
      expect(h.body).toMatchObject({ status: "degraded", database: { ready: true, writable: false, fault: { reason: "read_only", code: "25006" } } });
      expect(h.body.database.recentFailures).toMatchObject({ last: { reason: "read_only", code: "25006" } });
      expect((h.body.database.recentFailures as { count: number }).count).toBeGreaterThanOrEqual(1);
    } finally {
      await setReadOnly(server, false);
    }
    // The probe result is reused for 2 s at most.
    await waitFor(async () => (await health(server)).status === 200, 10_000, "/healthz to be ok again");
    expect((await health(server)).body).toMatchObject({ status: "ok", database: { ready: true, writable: true } });
  });

  it("commands answer `unavailable`, and their repeats are logged once with a count, not a stack each", async () => {
    const log = failureLog(server.services.log);
    log.flush();
    lines.length = 0;
    await setReadOnly(server, true);
    try {
      // Three devices retrying: 8 questions each.
      const acks = await Promise.all(
        sockets.flatMap((s) =>
          Array.from({ length: 8 }, (_, i) =>
            call(s, "question:submit", { slug: SLUG, key: key(), text: `Outage question number ${i}, still waiting?`, anonymous: true }),
          ),
        ),
      );
      for (const a of acks) expect(a).toMatchObject({ ok: false, error: { code: "unavailable" } });
    } finally {
      await setReadOnly(server, false);
    }
    const failed = () => lines.filter((l) => l.msg === "socket command failed");
    expect(failed()).toHaveLength(1);
    expect(failed()[0]).toMatchObject({ level: "error", kind: "read_only", code: "25006", where: "question:submit" });
    log.flush();
    expect(failed()).toHaveLength(2);
    expect(failed()[1]).toMatchObject({ kind: "read_only", repeated: 23, where: { "question:submit": 23 } });
    // Nothing a person typed reaches the log.
    expect(JSON.stringify(lines)).not.toContain("Outage question");
  });

  it("a poll answer is refused as `unavailable` (kept and sent again by the page), then counted once writes work", async () => {
    const moderator = await createPerson(server.services, {
      name: "Outage Moderator",
      email: `outage-mod-${database}@example.org`,
      roles: [{ slug: SLUG, role: "moderator" }],
    });
    const mod = await joinSession(server.url, moderator, SLUG);
    const voter = await joinSession(server.url, people[1], SLUG);
    sockets.push(mod.socket, voter.socket);
    const poll = await pollOk(
      emit<PollView>(mod.socket, "poll:create", {
        slug: SLUG,
        clientKey: key(),
        draft: { kind: "single", question: "Which reform matters most?", options: ["Speed", "Training"], resultsVisibility: "published" },
        open: true,
      }),
    );
    const answer = { pollId: poll.id, answer: { kind: "single", optionId: poll.options[0].id } };
    await setReadOnly(server, true);
    try {
      expect(await emit(voter.socket, "poll:answer", answer)).toMatchObject({ ok: false, error: { code: "unavailable", retryAfterMs: 5000 } });
    } finally {
      await setReadOnly(server, false);
    }
    expect(await pollOk(emit<MyAnswer>(voter.socket, "poll:answer", answer))).toMatchObject({ pollId: poll.id });
    expect(lines.some((l) => l.msg === "poll answer failed")).toBe(false);
  });

  it("the pages' Q&A engine keeps the question, says it can't save right now, and sends it once writes work", async () => {
    const person = people[0];
    const actor = (await server.services.auth.resolveToken(person.token)).actor!;
    const page = browserLike(server.url, {
      cookie: person.cookie,
      slug: SLUG,
      owner: server.services.qa.outboxKey(actor),
      now: () => server.clock.now().getTime(),
    });
    pages.push(page);
    await page.live();
    const text = "Asked while the database refused writes: is it kept?";
    await setReadOnly(server, true);
    try {
      page.client.submit(text, true);
      await waitFor(() => page.client.getState().stalled, 10_000, "the client to say it cannot save");
      expect(page.client.getState().outbox).toHaveLength(1);
      expect(page.client.getState().failed).toEqual([]);
      // It keeps trying (every 3 s) without dropping the question.
      await sleep(3500);
      expect(page.client.getState()).toMatchObject({ stalled: true, outbox: [expect.objectContaining({ text })] });
    } finally {
      await setReadOnly(server, false);
    }
    await waitFor(() => page.client.getState().outbox.length === 0, 15_000, "the outbox to empty");
    expect(page.client.getState().stalled).toBe(false);
    expect(await server.services.db.select({ id: questions.id }).from(questions).where(eq(questions.text, text))).toHaveLength(1);
  });
});
