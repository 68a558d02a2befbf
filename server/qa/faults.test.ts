/**
 * Faults: the server is restarted in the middle of a session while clients ask and vote — closed
 * gracefully, and killed outright (SIGKILL, in a child process). Every acknowledged item exists
 * exactly once, unacknowledged ones are resent and stored once, and every client converges to the
 * database's state. The clients are the pages' own engine (QaClient) on reconnecting socket.io
 * clients; the database outlives the server (a PGlite folder, or Postgres).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { questions, questionVotes, sessions } from "../../db/schema";
import type { QaSnapshot, QuestionView } from "../../lib/qa";
import { freePort, startChildServer, type ChildServer } from "../testing/child-server";
import { createPostgresDatabase, testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { isLocal } from "../../lib/client/qa-client";
import { browserLike, sleep, sync, waitFor } from "./testing";
import { startsInTest } from "../testing/timeouts";

const SLUG = "defense-industry-perspectives";
const NOW = "2024-05-24T10:00:00-04:00";

/** Every client's view (questions, counts, own votes and questions) equals a fresh snapshot from the database. */
async function expectConverged(everyone: Array<ReturnType<typeof browserLike>>) {
  const shape = (qs: Iterable<QuestionView>) => [...qs].map((q) => `${q.id}:${q.status}:${q.version}`).sort();
  for (const c of everyone) {
    const fresh = (await sync(c.socket, SLUG)) as QaSnapshot;
    const st = c.client.getState();
    expect(shape(st.questions.values())).toEqual(shape(fresh.questions));
    for (const q of fresh.questions) expect(st.votes[q.id] ?? 0, `votes shown for ${q.id}`).toBe(fresh.votes[q.id]);
    expect(new Set(st.myVotes)).toEqual(new Set(fresh.myVotes));
    expect(st.mine.map((m) => `${m.id}:${m.status}`).sort()).toEqual(fresh.mine.map((m) => `${m.id}:${m.status}`).sort());
  }
}

describe.each(testDatabaseKinds())("a server restart mid-session (%s)", (database) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  /** A database that outlives one server: a PGlite folder, or a fresh Postgres database. */
  async function durable(): Promise<{ dataDir: string } | { databaseUrl: string }> {
    if (database === "pglite") {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-qa-faults-"));
      cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      return { dataDir };
    }
    const pg = await createPostgresDatabase();
    cleanups.push(() => pg.drop());
    return { databaseUrl: pg.url };
  }

  it(
    "loses nothing, duplicates nothing, and every client converges to the database",
    async () => {
      const store = await durable();
      let server: TestServer = await startTestServer({ now: NOW, database: store });
      const port = server.port;
      cleanups.push(() => server.close());

      const people: TestPerson[] = [];
      for (let i = 0; i < 4; i++)
        people.push(
          await createPerson(server.services, { name: `Asker ${i}`, email: `asker${i}@example.org`, attendanceMode: i % 2 ? "remote" : "in_person" }),
        );
      const moderator = await createPerson(server.services, { name: "Mod", email: "mod@example.org", roles: [{ slug: SLUG, role: "moderator" }] });

      const audience = people.map((p) => browserLike(server.url, { cookie: p.cookie, slug: SLUG, ackTimeoutMs: 1500 }));
      const mod = browserLike(server.url, { cookie: moderator.cookie, slug: SLUG, ackTimeoutMs: 1500 });
      const everyone = [...audience, mod];
      cleanups.push(() => everyone.forEach((c) => c.close()));
      await Promise.all(everyone.map((c) => c.live()));

      // One ack is lost on the way back (the server stored the question, the client never heard):
      // the client must resend it with the same key, and the server must not store it twice.
      const lossy = audience[0].socket as unknown as { emit: (...a: unknown[]) => unknown };
      const realEmit = lossy.emit.bind(lossy);
      let dropped = 0;
      lossy.emit = (event: unknown, ...args: unknown[]) => {
        if (event === "question:submit" && dropped === 0) {
          dropped++;
          return realEmit(event, args[0], () => {});
        }
        return realEmit(event, ...args);
      };

      const keys = new Map<number, string[]>(audience.map((_, i) => [i, []]));
      const ask = (i: number, n: number) =>
        keys.get(i)!.push(audience[i].client.submit(`Question ${n} from asker ${i}: what about topic ${n * 7 + i}?`, i % 2 === 0));

      // Warm-up: two questions each, approved.
      for (let i = 0; i < audience.length; i++) for (let n = 0; n < 2; n++) ask(i, n);
      await waitFor(() => audience.every((c) => c.client.getState().outbox.length === 0), 15_000, "warm-up questions to be sent");
      const approveAll = async () => {
        for (const q of [...mod.client.getState().questions.values()].filter((x) => x.status === "pending")) {
          const r = await mod.client.moderate(q.id, q.version, { type: "approve" });
          if (!r.ok && r.error.code !== "version_conflict") throw new Error(`approve refused: ${r.error.message}`);
        }
      };
      await waitFor(() => mod.client.getState().questions.size === 8, 10_000, "the moderator to see 8 questions");
      await approveAll();
      await waitFor(() => audience.every((c) => c.client.getState().questions.size === 8), 10_000, "the audience to see 8 approved questions");

      // The storm: vote toggles from everyone, all the time, across a restart; questions before,
      // during (queued offline) and after it.
      let storming = true;
      const storm = (async () => {
        let tick = 0;
        while (storming) {
          tick++;
          for (let i = 0; i < audience.length; i++) {
            const c = audience[i].client;
            const approved = [...c.getState().questions.values()].filter((x) => x.status === "approved");
            const target = approved[(tick * 3 + i) % approved.length];
            if (target) c.vote(target.id, !c.getState().myVotes.has(target.id));
          }
          await sleep(40);
        }
      })();

      for (let i = 0; i < audience.length; i++) ask(i, 2);
      await sleep(300);
      // Restart: the old server goes away with whatever was in flight; the new one opens the same data.
      await server.close();
      await waitFor(() => everyone.every((c) => c.client.getState().status === "offline"), 5000, "every client to notice");
      for (let i = 0; i < audience.length; i++) ask(i, 3);
      for (const c of audience) expect(c.client.getState().outbox.some((o) => o.kind === "submit")).toBe(true);
      for (const c of audience) expect(c.client.getState().mine.filter((m) => m.id.startsWith("local:")).length).toBeGreaterThan(0);
      await sleep(500);
      server = await startTestServer({ now: NOW, database: store, config: { port } });
      for (let i = 0; i < audience.length; i++) ask(i, 4);
      await sleep(1000);
      storming = false;
      await storm;

      await waitFor(() => everyone.every((c) => c.client.getState().status === "live"), 20_000, "every client to reconnect");
      await waitFor(() => audience.every((c) => c.client.getState().outbox.length === 0), 30_000, "every outbox to empty");
      expect(dropped).toBe(1);

      // The moderator approves what came in (their commands survive reconnects too), then everyone settles.
      await waitFor(
        async () => (await server.services.db.select({ n: sql<number>`count(*)::int` }).from(questions))[0].n === mod.client.getState().questions.size,
        10_000,
        "the moderator to see every question",
      );
      await approveAll();
      await sleep(600); // one vote tick and the last facts

      const db = server.services.db;
      const [session] = await db.select().from(sessions).where(eq(sessions.slug, SLUG));
      const rows = await db.select().from(questions).where(eq(questions.sessionId, session.id));

      // Every question a client asked is stored exactly once, under its key; nothing else is stored.
      const allKeys = [...keys.values()].flat();
      expect(allKeys).toHaveLength(4 * 5); // five each: the per-minute limit per person
      expect(rows).toHaveLength(allKeys.length);
      for (const [i, ks] of keys) {
        for (const k of ks) {
          const stored = rows.filter((r) => r.clientKey === k);
          expect(stored, `asker ${i} key ${k}`).toHaveLength(1);
          expect(stored[0].authorId).toBe(people[i].userId);
        }
      }

      // Each person's votes in the database are exactly their last wish; counts equal the vote rows.
      for (let i = 0; i < audience.length; i++) {
        const voted = await db
          .select({ q: questionVotes.questionId })
          .from(questionVotes)
          .where(and(eq(questionVotes.sessionId, session.id), eq(questionVotes.voterId, people[i].userId)));
        expect(new Set(voted.map((v) => v.q)), `votes of asker ${i}`).toEqual(new Set(audience[i].client.getState().myVotes));
      }
      for (const r of rows) {
        const [{ n }] = await db
          .select({ n: sql<number>`count(*)::int` })
          .from(questionVotes)
          .where(eq(questionVotes.questionId, r.id));
        expect(r.voteCount, `count of ${r.id}`).toBe(n);
      }

      // Every client's view equals a fresh snapshot from the database.
      await expectConverged(everyone);
    },
    startsInTest(2, 60_000),
  );

  it(
    "a crash (SIGKILL) while clients ask and vote: acknowledged items exist once, the rest are resent once, everyone converges",
    async () => {
      const store = await durable();
      const port = await freePort();
      let child: ChildServer = await startChildServer({ now: NOW, database: store, port });
      cleanups.push(() => child.kill());

      const specs = Array.from({ length: 4 }, (_, i) => ({
        name: `Crash asker ${i}`,
        email: `crash${i}@example.org`,
        attendanceMode: i % 2 ? ("remote" as const) : ("in_person" as const),
      }));
      const [moderator, ...people] = await child.call("people", [
        { name: "Crash Mod", email: "crash-mod@example.org", roles: [{ slug: SLUG, role: "moderator" }] },
        ...specs,
      ]);
      const audience = people.map((p) => browserLike(child.url, { cookie: p.cookie, slug: SLUG, ackTimeoutMs: 1500 }));
      const mod = browserLike(child.url, { cookie: moderator.cookie, slug: SLUG, ackTimeoutMs: 1500 });
      const everyone = [...audience, mod];
      cleanups.push(() => everyone.forEach((c) => c.close()));
      await Promise.all(everyone.map((c) => c.live()));

      const keys = new Map<number, string[]>(audience.map((_, i) => [i, []]));
      const ask = (i: number, n: number) => keys.get(i)!.push(audience[i].client.submit(`Crash question ${n} from asker ${i}: and topic ${n * 11 + i}?`, true));
      const approveAll = async () => {
        for (const q of [...mod.client.getState().questions.values()].filter((x) => x.status === "pending")) {
          const r = await mod.client.moderate(q.id, q.version, { type: "approve" });
          if (!r.ok && r.error.code !== "version_conflict") throw new Error(`approve refused: ${r.error.message}`);
        }
      };
      for (let i = 0; i < audience.length; i++) ask(i, 0);
      await waitFor(() => mod.client.getState().questions.size === 4, 15_000, "the moderator to see the first questions");
      await approveAll();
      await waitFor(() => audience.every((c) => c.client.getState().questions.size === 4), 10_000, "the audience to see them approved");

      // Votes all the time, across the crash; questions just before it (in flight when it dies).
      let storming = true;
      const storm = (async () => {
        for (let tick = 0; storming; tick++) {
          for (let i = 0; i < audience.length; i++) {
            const c = audience[i].client;
            const approved = [...c.getState().questions.values()].filter((x) => x.status === "approved");
            const target = approved[(tick + i) % Math.max(1, approved.length)];
            if (target) c.vote(target.id, !c.getState().myVotes.has(target.id));
          }
          await sleep(25);
        }
      })();
      await sleep(300);
      for (let i = 0; i < audience.length; i++) ask(i, 1);
      await sleep(30);
      await child.kill();
      // What each client had been told was stored when the server died, and what was still waiting.
      const acknowledged = audience.map((c) =>
        c.client
          .getState()
          .mine.filter((m) => !isLocal(m))
          .map((m) => m.key),
      );
      await waitFor(() => everyone.every((c) => c.client.getState().status === "offline"), 10_000, "every client to notice the crash");
      for (let i = 0; i < audience.length; i++) ask(i, 2);
      const waiting = audience.map((c) =>
        c.client
          .getState()
          .outbox.filter((o) => o.kind === "submit")
          .map((o) => o.key),
      );
      for (const w of waiting) expect(w.length).toBeGreaterThan(0);

      child = await startChildServer({ now: NOW, database: store, port });
      for (let i = 0; i < audience.length; i++) ask(i, 3);
      await sleep(1000);
      storming = false;
      await storm;
      await waitFor(() => everyone.every((c) => c.client.getState().status === "live"), 30_000, "every client to reconnect");
      await waitFor(() => audience.every((c) => c.client.getState().outbox.length === 0), 30_000, "every outbox to empty");
      await waitFor(
        async () => (await child.call("dump", { slug: SLUG })).questions.length === mod.client.getState().questions.size,
        15_000,
        "the moderator to see every question",
      );
      await approveAll();
      await sleep(600); // one vote tick and the last facts

      const dump = await child.call("dump", { slug: SLUG });
      const allKeys = [...keys.values()].flat();
      expect(allKeys).toHaveLength(4 * 4);
      expect(dump.questions).toHaveLength(allKeys.length);
      for (const [i, ks] of keys) {
        for (const k of ks) {
          const rows = dump.questions.filter((r) => r.clientKey === k);
          expect(rows, `asker ${i} key ${k} (${acknowledged[i].includes(k) ? "acknowledged before the crash" : "resent"})`).toHaveLength(1);
          expect(rows[0].authorId).toBe(people[i].userId);
        }
        // Acknowledged before the crash: survived it; queued while it was down: stored once after it.
        expect(acknowledged[i].length, `asker ${i} had acknowledgements before the crash`).toBeGreaterThan(0);
        for (const k of [...acknowledged[i], ...waiting[i]]) expect(dump.questions.filter((r) => r.clientKey === k)).toHaveLength(1);
      }
      for (let i = 0; i < audience.length; i++) {
        const voted = new Set(dump.votes.filter((v) => v.voterId === people[i].userId).map((v) => v.questionId));
        expect(voted, `votes of asker ${i}`).toEqual(new Set(audience[i].client.getState().myVotes));
      }
      for (const r of dump.questions) expect(r.voteCount, `count of ${r.id}`).toBe(dump.votes.filter((v) => v.questionId === r.id).length);

      await expectConverged(everyone);
      await child.close();
    },
    startsInTest(2, 60_000),
  );
});
