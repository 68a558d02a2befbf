import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { polls } from "../../db/schema";
import type { MyAnswer, PollView } from "../../lib/polls";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { SERVER_START_MS } from "../testing/timeouts";
import { emit, eventually, joinSession, ok, rows } from "./test-helpers";

const SLUG = "defense-industry-perspectives";

/**
 * Two answer batches are written at once (server/polls/service.ts). While the poll's row is held, a
 * first answer's batch and a second person's batch must both be under way, and a change of mind sent
 * meanwhile must wait for its person's first batch, so that the later answer is the one kept.
 */
describe.each(testDatabaseKinds())("answer batches written two at once on %s", (database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ database, now: "2024-05-24T09:50:00-04:00" });
  }, SERVER_START_MS);
  afterAll(async () => {
    await server?.close();
  });

  it("a second person's answer does not wait for the first batch; a change of mind waits for its own", { timeout: 60_000 }, async () => {
    const person = (name: string) => createPerson(server.services, { name, email: `${name.toLowerCase()}@example.org` });
    const mod = await joinSession(server.url, await createPerson(server.services, { name: "Mo", email: "mo@example.org", organizer: true }), SLUG);
    const [ana, ben, warm] = await Promise.all([person("Ana"), person("Ben"), person("Warm")]);
    const a = await joinSession(server.url, ana, SLUG);
    const b = await joinSession(server.url, ben, SLUG);
    const w = await joinSession(server.url, warm, SLUG);
    try {
      const poll = await ok(
        emit<PollView>(mod.socket, "poll:create", {
          slug: SLUG,
          clientKey: `in-flight-${Date.now()}`,
          draft: { kind: "single", question: "Which first?", options: ["Speed", "Cost"], resultsVisibility: "live" },
          open: true,
        }),
      );
      const [speed, cost] = poll.options.map((o) => o.id);
      const answer = (s: typeof a, optionId: string) => emit<MyAnswer>(s.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId } });
      // An answer first, so that the poll's context is read (and kept) before its row is held.
      await ok(answer(w, speed));

      let release!: () => void;
      const releasing = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holding = server.services.db.transaction(async (tx) => {
        await tx.select().from(polls).where(eq(polls.id, poll.id)).for("update");
        locked();
        await releasing;
      });
      await isLocked;
      const first = answer(a, speed);
      await eventually(() => expect(server.services.polls.answersWriting).toBe(1));
      const second = answer(b, cost);
      await eventually(() => expect(server.services.polls.answersWriting).toBe(2));
      const mindChange = answer(a, cost);
      await eventually(() => expect(server.services.polls.answersPending).toBe(3));
      expect(server.services.polls.answersWriting).toBe(2); // the change of mind waits
      release();
      await holding;

      for (const r of [await first, await second, await mindChange]) expect(r.ok).toBe(true);
      const stored = await rows<{ name: string; option: string }>(
        server.services,
        sql`SELECT u.name, r.option_ids[1]::text AS option FROM poll_responses r JOIN users u ON u.id = r.voter_id WHERE r.poll_id = ${poll.id} ORDER BY u.name`,
      );
      expect(stored).toEqual([
        { name: "Ana", option: cost },
        { name: "Ben", option: cost },
        { name: "Warm", option: speed },
      ]);
    } finally {
      for (const s of [mod, a, b, w]) s.socket.close();
    }
  });
});
