import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MyAnswer, PollResults, PollView } from "../../lib/polls";
import type { TestSocket } from "../testing/clients";
import { metrics } from "../metrics";
import { testDatabaseKinds } from "../testing/databases";
import { SERVER_START_MS } from "../testing/timeouts";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { dbTally, emit, eventually, joinSession, ok } from "./test-helpers";

const SLUG = "defense-industry-perspectives";
const VOTERS = 300;
const SECOND_TABS = 100;

/**
 * Many real sockets answering at once. The tally broadcast must equal what the database holds, two
 * tabs of one person must count once, and nothing may be counted after the poll closed.
 */
describe.each(testDatabaseKinds())("a burst of answers on %s", (database) => {
  let server: TestServer;
  let voters: TestPerson[];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database, now: "2024-05-24T09:50:00-04:00", polls: { tickMs: 100 } });
    voters = [];
    for (let i = 0; i < VOTERS; i += 50) {
      voters.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, VOTERS - i) }, (_, j) =>
            createPerson(server.services, { name: `Voter ${i + j}`, email: `storm${i + j}@example.org` }),
          ),
        )),
      );
    }
  }, 2 * SERVER_START_MS); // a server, then 2,000 people
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it(`${VOTERS} sockets (and ${SECOND_TABS} second tabs) answering at once: the tally equals the database`, { timeout: 120_000 }, async () => {
    const mod = await joinSession(server.url, await createPerson(server.services, { name: "Mo", email: "mo@example.org", organizer: true }), SLUG);
    sockets.push(mod.socket);
    const connect = async (who: TestPerson[]) => {
      const out: TestSocket[] = [];
      for (let i = 0; i < who.length; i += 25)
        out.push(...(await Promise.all(who.slice(i, i + 25).map(async (p) => (await joinSession(server.url, p, SLUG)).socket))));
      sockets.push(...out);
      return out;
    };
    const tabs = await connect(voters);
    const secondTabs = await connect(voters.slice(0, SECOND_TABS));

    const poll = await ok(
      emit<PollView>(mod.socket, "poll:create", {
        slug: SLUG,
        clientKey: `storm-${Date.now()}`,
        draft: {
          kind: "multiple",
          question: "Which two matter most?",
          options: ["Speed", "Cost", "Training", "Exports"],
          maxPicks: 2,
          resultsVisibility: "live",
        },
        open: true,
      }),
    );
    const ids = poll.options.map((o) => o.id);
    const broadcasts: PollResults[] = [];
    (mod.socket as unknown as { on(e: string, cb: (r: PollResults) => void): void }).on("poll:results", (r) => r.pollId === poll.id && broadcasts.push(r));

    const answerBatches = async () =>
      (await metrics().batchSize.get()).values.find((v) => v.metricName?.endsWith("_count") && v.labels.batcher === "poll_answers")?.value ?? 0;
    const batchesBefore = await answerBatches();
    // Statements reading polls (each answer's context among them), by the server's own histogram.
    const pollReads = async () =>
      (await metrics().dbDuration.get()).values.find((v) => v.metricName?.endsWith("_count") && v.labels.operation === "select polls")?.value ?? 0;
    const readsBefore = await pollReads();
    const pick = (i: number) => [ids[i % 4], ids[(i + 1 + (i % 3)) % 4]].filter((v, k, a) => a.indexOf(v) === k);
    const acks = await Promise.all([
      ...tabs.map((s, i) => emit<MyAnswer>(s, "poll:answer", { pollId: poll.id, answer: { kind: "multiple", optionIds: pick(i) } }, 60_000)),
      ...secondTabs.map((s, i) => emit<MyAnswer>(s, "poll:answer", { pollId: poll.id, answer: { kind: "multiple", optionIds: pick(i + 7) } }, 60_000)),
    ]);
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    // Group commit: answers that arrive together are written together — on PGlite too, where each
    // statement holds the thread and a batch started at once would hold a single answer.
    expect((await answerBatches()) - batchesBefore).toBeLessThan((VOTERS + SECOND_TABS) / 4);
    // The poll and its session are read once for the burst, not once for each answer that arrived
    // before the first read was back (403 reads here when each read its own). Each results tick reads
    // the poll too, one per broadcast the moderator has had; the margin is for ticks under way and a
    // context read again after its 2 s on a slow machine.
    expect((await pollReads()) - readsBefore).toBeLessThan(broadcasts.length + 10);

    const db = await dbTally(server.services, poll.id);
    expect(db.respondents).toBe(VOTERS);
    // The newest totals (highest seq: a client drops older ones) equal the database, changes included.
    const newest = () => broadcasts.reduce<PollResults | undefined>((a, b) => (!a || b.seq >= a.seq ? b : a), undefined);
    await eventually(() => expect({ respondents: newest()?.respondents, perOption: newest()?.rows.map((r) => r.count) }).toEqual(db), 10_000);
    // Coalesced: far fewer broadcasts than answers.
    expect(broadcasts.length).toBeLessThan((VOTERS + SECOND_TABS) / 10);

    // After close, a burst of answers is refused as a whole and the totals do not move.
    await ok(emit(mod.socket, "poll:close", { pollId: poll.id }));
    const late = await Promise.all(
      tabs.slice(0, 100).map((s) => emit(s, "poll:answer", { pollId: poll.id, answer: { kind: "multiple", optionIds: [ids[3]] } }, 60_000)),
    );
    expect(new Set(late.map((a) => (a.ok ? "accepted" : a.error.code)))).toEqual(new Set(["poll_closed"]));
    expect(await dbTally(server.services, poll.id)).toEqual(db);

    // A close racing a burst: the database's order decides, not the senders'. Every acknowledged
    // answer is stored, every other one refused as closed, and the totals after the close equal the
    // database.
    const race = await ok(
      emit<PollView>(mod.socket, "poll:create", {
        slug: SLUG,
        clientKey: `race-${Date.now()}`,
        draft: { kind: "rating", question: "How was it?", scaleMax: 5, lowLabel: "Poor", highLabel: "Great", resultsVisibility: "live" },
        open: true,
      }),
    );
    const raceResults: PollResults[] = [];
    (mod.socket as unknown as { on(e: string, cb: (r: PollResults) => void): void }).on("poll:results", (r) => r.pollId === race.id && raceResults.push(r));
    const answer = (s: TestSocket, i: number) => emit<MyAnswer>(s, "poll:answer", { pollId: race.id, answer: { kind: "rating", value: (i % 5) + 1 } }, 60_000);
    const before = tabs.slice(0, 100).map(answer);
    const closing = ok(emit(mod.socket, "poll:close", { pollId: race.id }));
    const after = tabs.slice(100, 200).map(answer);
    const [raceAcks] = await Promise.all([Promise.all([...before, ...after]), closing]);
    const accepted = raceAcks.filter((a) => a.ok).length;
    expect(raceAcks.filter((a) => !a.ok && a.error.code !== "poll_closed")).toEqual([]);
    const raceDb = await dbTally(server.services, race.id);
    expect(raceDb.respondents).toBe(accepted);
    await eventually(() => expect(raceResults.reduce((a, b) => (b.seq >= a.seq ? b : a)).respondents).toBe(accepted), 10_000);
  });
});
