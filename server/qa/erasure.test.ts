/**
 * Chatham House: the link between a question (or a vote) and a person is erased when the session
 * ends, by the running server and at start-up for sessions already over, safely from two instances.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { auditLog, questions, questionVotes, sessions } from "../../db/schema";
import type { ModerationResult, SubmitResult } from "../../lib/qa";
import { connectClient } from "../testing/clients";
import { createPostgresDatabase, testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, ok, refused, sync } from "./testing";
import { startsInTest } from "../testing/timeouts";

const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thursday 23 May
const DURING = "2024-05-23T10:00:00-04:00";
const AFTER = "2024-05-23T12:00:00-04:00";
const DAY2 = "defense-industry-perspectives";

/** Asks two questions (one approved and voted on) in Day 1 and one in Day 2. */
async function askAndVote(server: TestServer) {
  const app = server.services;
  const asker = await createPerson(app, { name: "Erasable Asker", email: `asker-${Math.random()}@example.org`, roles: [{ slug: DAY2, role: "attendee" }] });
  const voter = await createPerson(app, { name: "Erasable Voter", email: `voter-${Math.random()}@example.org` });
  const mod = await createPerson(app, { name: "Mod", email: `mod-${Math.random()}@example.org`, roles: [{ slug: DAY1, role: "moderator" }] });
  const [a, v, m] = await Promise.all([asker, voter, mod].map((p) => connectClient(server.url, { cookie: p.cookie })));
  const q1 = await ok<SubmitResult>(a, "question:submit", { slug: DAY1, key: key(), text: "Who pays for the sustainment?" });
  await ok<SubmitResult>(a, "question:submit", { slug: DAY1, key: key(), text: "And for the training?" });
  await ok<ModerationResult>(m, "question:moderate", { slug: DAY1, key: key(), questionId: q1.question.id, expectedVersion: 1, action: { type: "approve" } });
  await ok(v, "question:vote", { slug: DAY1, key: key(), questionId: q1.question.id, up: true });
  // On the record (Day 2, asked ahead of time): never erased.
  await ok<SubmitResult>(a, "question:submit", { slug: DAY2, key: key(), text: "On the record: what about industry?" });
  for (const s of [a, v, m]) s.close();
  return { asker, voter };
}

async function links(server: TestServer) {
  const db = server.services.db;
  const [day1] = await db.select().from(sessions).where(eq(sessions.slug, DAY1));
  const authored = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(questions)
    .where(and(eq(questions.sessionId, day1.id), isNotNull(questions.authorId)));
  const votes = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(questionVotes)
    .where(eq(questionVotes.sessionId, day1.id));
  const all = await db
    .select({ n: sql<number>`count(*)::int`, votes: sql<number>`sum(vote_count)::int` })
    .from(questions)
    .where(eq(questions.sessionId, day1.id));
  return { authored: authored[0].n, votes: votes[0].n, questions: all[0].n, voteCount: all[0].votes };
}

describe.each(testDatabaseKinds())("Chatham House author links (%s)", (database) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  /** A database that outlives one server: a PGlite folder, or a Postgres database. */
  async function durable(): Promise<{ database: { dataDir: string } | { databaseUrl: string } }> {
    if (database === "pglite") {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-qa-erase-"));
      cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      return { database: { dataDir } };
    }
    const pg = await createPostgresDatabase();
    cleanups.push(() => pg.drop());
    return { database: { databaseUrl: pg.url } };
  }

  it(
    "are kept while the session runs, so askers follow their questions, and erased when it ends",
    async () => {
      const server = await startTestServer({ now: DURING, database });
      cleanups.push(() => server.close());
      const { asker } = await askAndVote(server);
      expect(await links(server)).toMatchObject({ authored: 2, votes: 1 });
      const a = await connectClient(server.url, { cookie: asker.cookie });
      expect((await sync(a, DAY1)).mine).toHaveLength(2);

      (server.clock as { set(d: Date): void }).set(new Date(AFTER));
      // Two sweeps at once (as from two instances) do the work once.
      const [first, second] = await Promise.all([server.services.qa.eraseEndedAuthorLinks(), server.services.qa.eraseEndedAuthorLinks()]);
      expect(first.questions + second.questions).toBe(2);
      expect(first.votes + second.votes).toBe(1);
      expect(await links(server)).toEqual({ authored: 0, votes: 0, questions: 2, voteCount: 1 });
      // The questions and their counts remain; the asker can no longer be linked to them.
      expect((await sync(a, DAY1)).mine).toEqual([]);
      const entries = await server.services.db.select().from(auditLog).where(eq(auditLog.action, "qa:erase-author-links"));
      expect(entries).toHaveLength(1);
      expect(await server.services.qa.eraseEndedAuthorLinks()).toMatchObject({ questions: 0, votes: 0 });
      a.close();
    },
    startsInTest(1),
  );

  it(
    "leave the vote counts as they were: merging and undoing a merge are refused after the end, and votes after an extension add to them",
    async () => {
      const server = await startTestServer({ now: DURING, database });
      cleanups.push(() => server.close());
      const app = server.services;
      const people = await Promise.all(
        ["One", "Two", "Three"].map((n) => createPerson(app, { name: `Counted Voter ${n}`, email: `counted-${n}-${Math.random()}@example.org` })),
      );
      const mod = await createPerson(app, { name: "Mod", email: `mod-${Math.random()}@example.org`, roles: [{ slug: DAY1, role: "moderator" }] });
      const [v1, v2, v3, m] = await Promise.all([...people, mod].map((p) => connectClient(server.url, { cookie: p.cookie })));
      try {
        const ask = async (text: string) => {
          const q = await ok<SubmitResult>(v1, "question:submit", { slug: DAY1, key: key(), text });
          await ok(m, "question:moderate", { slug: DAY1, key: key(), questionId: q.question.id, expectedVersion: 1, action: { type: "approve" } });
          return q.question.id;
        };
        const [a, b, c, d] = [await ask("Question A?"), await ask("Question B?"), await ask("Question C?"), await ask("Question D?")];
        const vote = (s: typeof v1, id: string) => ok(s, "question:vote", { slug: DAY1, key: key(), questionId: id, up: true });
        await vote(v1, a);
        await vote(v2, b);
        await vote(v2, c);
        await vote(v3, d);
        await vote(v2, d);
        // C merged into D during the session: distinct voters of both, v2 and v3.
        const merged = await ok<ModerationResult>(m, "question:moderate", {
          slug: DAY1,
          key: key(),
          questionId: c,
          expectedVersion: 2,
          action: { type: "merge", intoId: d },
        });
        expect(merged.questions.find((x) => x.id === d)!.votes).toBe(2);

        (server.clock as { set(x: Date): void }).set(new Date(AFTER));
        await app.qa.eraseEndedAuthorLinks();
        expect(await links(server)).toMatchObject({ votes: 0 });
        const counts = async () =>
          Object.fromEntries((await app.db.select().from(questions)).filter((r) => [a, b, c, d].includes(r.id)).map((r) => [r.id, r.voteCount]));
        const before = await counts();
        expect(before).toEqual({ [a]: 1, [b]: 1, [c]: 1, [d]: 2 });

        const [rowB] = await app.db.select().from(questions).where(eq(questions.id, b));
        expect(
          await refused(m, "question:moderate", { slug: DAY1, key: key(), questionId: b, expectedVersion: rowB.version, action: { type: "merge", intoId: a } }),
        ).toMatchObject({
          code: "session_ended",
          message: expect.stringMatching(/Chatham House Rule/),
        });
        const undo = { slug: DAY1, key: key() };
        expect(await refused(m, "qa:undo", undo)).toMatchObject({ code: "session_ended" });
        // A resend of that undo gets the same answer; the merge stays, and so do the counts.
        expect(await refused(m, "qa:undo", undo)).toMatchObject({ code: "session_ended" });
        expect(await counts()).toEqual(before);
        expect((await app.db.select().from(questions).where(eq(questions.id, c)))[0]).toMatchObject({ status: "merged", mergedInto: d });

        // The organizers extend the session after the erasure: new votes add to the counts kept.
        await app.agenda.update(DAY1, { endsAt: "2024-05-23T13:00:00-04:00" });
        expect(await ok<{ votes: number }>(v1, "question:vote", { slug: DAY1, key: key(), questionId: c, up: true })).toMatchObject({ votes: 3 });
        expect(
          await refused(m, "question:moderate", { slug: DAY1, key: key(), questionId: b, expectedVersion: rowB.version, action: { type: "merge", intoId: a } }),
        ).toMatchObject({ code: "session_ended" });
        expect(await counts()).toEqual({ ...before, [d]: 3 });
      } finally {
        for (const s of [v1, v2, v3, m]) s.close();
      }
    },
    startsInTest(1),
  );

  it(
    "are erased at start-up for sessions already over, leaving on-record sessions alone, with two instances (Postgres) starting at once",
    async () => {
      const store = await durable();
      const first = await startTestServer({ now: DURING, ...store });
      await askAndVote(first);
      await first.close();

      // A restart after both days: nobody is connected yet, and the Day 1 links are already gone.
      const starts = "databaseUrl" in store.database ? [store, store] : [store];
      const restarted = await Promise.all(starts.map((s) => startTestServer({ now: "2024-05-24T13:00:00-04:00", ...s })));
      cleanups.push(async () => {
        for (const r of restarted) await r.close();
      });
      expect(await links(restarted[0])).toMatchObject({ authored: 0, votes: 0, questions: 2 });
      const erasures = await restarted[0].services.db.select().from(auditLog).where(eq(auditLog.action, "qa:erase-author-links"));
      expect(erasures).toHaveLength(1);
      const day2Linked = await restarted[0].services.db
        .select({ n: sql<number>`count(*)::int` })
        .from(questions)
        .innerJoin(sessions, eq(sessions.id, questions.sessionId))
        .where(and(eq(sessions.slug, DAY2), isNotNull(questions.authorId)));
      expect(day2Linked[0].n).toBe(1);
    },
    startsInTest(2),
  );
});
