/**
 * A poll's results go to every socket of the room in one write each, like vote counts: while a
 * moderator's Q&A command is under way they wait for it (at most VOTE_YIELD_MAX_MS), so an approval
 * is not held up behind them (issue 12).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PollResults, PollView } from "../../lib/polls";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { emit, eventually, joinSession, ok } from "./test-helpers";

const SLUG = "defense-industry-perspectives";

describe.each(testDatabaseKinds())("poll results and the moderators' commands on %s", (database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ database, now: "2024-05-24T09:50:00-04:00", polls: { tickMs: 20 } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a results broadcast waits while a staff command runs, and goes out once it ends", async () => {
    const { polls, qa } = server.services;
    const mod = await joinSession(server.url, await createPerson(server.services, { name: "Mo", email: "mo@example.org", organizer: true }), SLUG);
    const voter = await joinSession(server.url, await createPerson(server.services, { name: "Vi", email: "vi@example.org" }), SLUG);
    try {
      const poll = await ok(
        emit<PollView>(mod.socket, "poll:create", {
          slug: SLUG,
          clientKey: `wait-${Date.now()}`,
          draft: { kind: "single", question: "Which first?", options: ["Speed", "Cost"], resultsVisibility: "live" },
          open: true,
        }),
      );
      const seen: PollResults[] = [];
      (voter.socket as unknown as { on(e: string, cb: (r: PollResults) => void): void }).on("poll:results", (r) => r.pollId === poll.id && seen.push(r));
      await eventually(() => expect(seen.length).toBeGreaterThan(0)); // the opening broadcast
      seen.length = 0;

      // The wait the composition root wired, watched: called once results are read and ready to go.
      const wired = polls.beforeResults;
      let waiting = 0;
      polls.beforeResults = () => {
        waiting++;
        return wired();
      };
      let release!: () => void;
      const command = qa.gate.run(() => new Promise<void>((resolve) => (release = resolve)), "staff");
      try {
        await ok(emit(voter.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[1].id } }));
        await eventually(() => expect(waiting).toBe(1));
        // A round trip on the same socket: a broadcast sent before the server answered it would be here first.
        await ok(emit(voter.socket, "poll:sync", { slug: SLUG }));
        expect(seen).toEqual([]); // read, and held for the command
      } finally {
        release();
        await command;
        polls.beforeResults = wired;
      }
      await eventually(() => expect(seen.at(-1)?.respondents).toBe(1));
    } finally {
      mod.socket.close();
      voter.socket.close();
    }
  });
});
