import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MyAnswer, PollResults, PollView } from "../../lib/polls";
import type { PollFact } from "../../lib/realtime/contract";
import { collect, type TestSocket } from "../testing/clients";
import { createPostgresDatabase, testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { dbTally, emit, eventually, joinSession, ok, refusalCode, rows } from "./test-helpers";
import { startsInTest } from "../testing/timeouts";

const DAY1 = "fms-planning"; // Chatham House, Thu 23 May 09:45–11:15 EDT
const DAY2 = "defense-industry-perspectives"; // on the record, Fri 24 May 09:45–11:15 EDT
const THURSDAY_10 = "2024-05-23T10:00:00-04:00";

const singleDraft = (over: Record<string, unknown> = {}) => ({
  kind: "single",
  question: "Which reform matters most?",
  options: ["Speed", "Transparency", "Training"],
  resultsVisibility: "published",
  ...over,
});

let key = 0;
const clientKey = () => `test-key-${++key}-${Date.now()}`;

describe.each(testDatabaseKinds())("live polls on %s", (database) => {
  let server: TestServer;
  let people: Record<"moderator" | "panelist" | "organizer" | "ann" | "bob" | "cy" | "dee" | "device" | "outsider", TestPerson>;
  const logs: string[] = [];
  const sockets: TestSocket[] = [];
  const join = async (who: TestPerson | null, slug: string) => {
    const j = await joinSession(server.url, who, slug);
    sockets.push(j.socket);
    return j;
  };

  beforeAll(async () => {
    server = await startTestServer({
      database,
      now: THURSDAY_10,
      logSink: (l) => logs.push(l),
      polls: { tickMs: 50, timerSweepMs: 200, erasureSweepMs: 60_000 },
    });
    const app = server.services;
    const both = (role: "moderator" | "panelist") => [
      { slug: DAY1, role },
      { slug: DAY2, role },
    ];
    people = {
      moderator: await createPerson(app, { name: "Mo Moderator", email: "mo@example.org", affiliation: "DSCA", roles: both("moderator") }),
      panelist: await createPerson(app, { name: "Pat Panelist", email: "pat@example.org", affiliation: "OUSD", roles: both("panelist") }),
      organizer: await createPerson(app, { name: "Olga Organizer", email: "olga@example.org", organizer: true }),
      ann: await createPerson(app, { name: "Ann Attendee", email: "ann@example.org", affiliation: "Embassy of Aland" }),
      bob: await createPerson(app, { name: "Bob Builder", email: "bob@example.org", affiliation: "Acme Defense" }),
      cy: await createPerson(app, { name: "Cy Cyan", email: "cy@example.org", affiliation: "Ministry of Ports" }),
      dee: await createPerson(app, { name: "Dee Delta", email: "dee@example.org", affiliation: "Delta Works" }),
      device: await createPerson(app, { name: "Room guest", kind: "device", attendanceMode: "in_person", roles: [{ slug: DAY1, role: "attendee" }] }),
      outsider: await createPerson(app, { name: "Out Sider", kind: "device", attendanceMode: "in_person" }),
    };
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it("a prepared draft is seen only by staff; launching it reaches the audience without reload", async () => {
    const mod = await join(people.moderator, DAY2);
    const panel = await join(people.panelist, DAY2);
    const ann = await join(people.ann, DAY2);
    expect(mod.snapshot.can).toEqual({ manage: true, viewResults: true, answer: true });
    expect(panel.snapshot.can).toMatchObject({ manage: false, viewResults: true });
    expect(ann.snapshot.can).toEqual({ manage: false, viewResults: false, answer: true });

    const staffCreated = collect<PollFact>(mod.socket, "poll:created");
    const annCreated = collect<PollFact>(ann.socket, "poll:created");
    const panelCreated = collect<PollFact>(panel.socket, "poll:created");
    const draft = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft() }));
    expect(draft.status).toBe("draft");
    await eventually(() => expect(staffCreated.map((f) => f.poll.id)).toContain(draft.id));
    expect((await ok(emit<{ polls: unknown[] }>(ann.socket, "poll:sync", { slug: DAY2 }))).polls).toEqual([]);
    expect(annCreated).toEqual([]);
    expect(panelCreated).toEqual([]);

    const opened = collect<PollFact>(ann.socket, "poll:opened");
    const launched = await ok(emit<PollView>(mod.socket, "poll:open", { pollId: draft.id }));
    expect(launched.status).toBe("open");
    await eventually(() => expect(opened.map((f) => f.poll.id)).toEqual([draft.id]));
    expect(opened[0].poll.options.map((o) => o.label)).toEqual(["Speed", "Transparency", "Training"]);
    expect(opened[0].poll.resultsPublic).toBe(false);
    expect(opened[0].version).toBeGreaterThan(mod.snapshot.version);
  });

  it("runs the whole lifecycle: answer, change, close, refuse, reopen keeping answers, publish", async () => {
    const mod = await join(people.moderator, DAY2);
    const panel = await join(people.panelist, DAY2);
    const ann = await join(people.ann, DAY2);
    const annTab2 = await join(people.ann, DAY2);
    const bob = await join(people.bob, DAY2);
    const poll = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft(), open: true }));
    const [speed, transparency, training] = poll.options.map((o) => o.id);

    const panelResults = collect<PollResults>(panel.socket, "poll:results");
    const annResults = collect<PollResults>(ann.socket, "poll:results");
    const tab2Answered = collect<MyAnswer>(annTab2.socket, "poll:answered");

    const first = await ok(emit<MyAnswer>(ann.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: speed } }));
    expect(first.answer).toEqual({ kind: "single", optionId: speed });
    // Changing one's mind replaces the answer; the other tab hears about it.
    await ok(emit(ann.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: training } }));
    await eventually(() => expect(tab2Answered.at(-1)?.answer).toEqual({ kind: "single", optionId: training }));
    await ok(emit(bob.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: training } }));
    expect(await dbTally(server.services, poll.id)).toEqual({ respondents: 2, perOption: [0, 0, 2] });

    // Panelists see live totals; the audience does not until the moderator publishes.
    await eventually(() => expect(panelResults.filter((r) => r.pollId === poll.id).at(-1)?.respondents).toBe(2));
    expect(panelResults.at(-1)!.rows.map((r) => r.count)).toEqual([0, 0, 2]);
    expect(annResults.filter((r) => r.pollId === poll.id)).toEqual([]);

    // My answer comes back in the snapshot (another device, a reload).
    const again = await ok(emit<{ mine: MyAnswer[] }>(annTab2.socket, "poll:sync", { slug: DAY2 }));
    expect(again.mine.find((m) => m.pollId === poll.id)?.answer).toEqual({ kind: "single", optionId: training });

    const closed = collect<PollFact>(ann.socket, "poll:closed");
    expect((await ok(emit<PollView>(mod.socket, "poll:close", { pollId: poll.id }))).status).toBe("closed");
    await eventually(() => expect(closed.map((f) => f.poll.id)).toContain(poll.id));
    expect(await refusalCode(emit(bob.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: speed } }))).toBe("poll_closed");
    // Closing again changes nothing (a resend); opening a closed poll is refused: reopening is explicit.
    expect((await ok(emit<PollView>(mod.socket, "poll:close", { pollId: poll.id }))).version).toBe(closed.at(-1)!.poll.version);
    expect(await refusalCode(emit(mod.socket, "poll:open", { pollId: poll.id }))).toBe("conflict");

    await ok(emit(mod.socket, "poll:reopen", { pollId: poll.id }));
    expect(await dbTally(server.services, poll.id)).toEqual({ respondents: 2, perOption: [0, 0, 2] });
    await ok(emit(bob.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: transparency } }));
    expect(await dbTally(server.services, poll.id)).toEqual({ respondents: 2, perOption: [0, 1, 1] });
    await ok(emit(mod.socket, "poll:close", { pollId: poll.id }));

    const published = collect<PollFact>(ann.socket, "poll:published");
    await ok(emit(mod.socket, "poll:publish", { pollId: poll.id }));
    await eventually(() => expect(published.at(-1)?.poll.resultsPublic).toBe(true));
    await eventually(() =>
      expect(
        annResults
          .filter((r) => r.pollId === poll.id)
          .at(-1)
          ?.rows.map((r) => r.count),
      ).toEqual([0, 1, 1]),
    );
    const annSnapshot = await ok(emit<{ polls: Array<{ poll: PollView; results: PollResults | null }> }>(ann.socket, "poll:sync", { slug: DAY2 }));
    expect(annSnapshot.polls.find((p) => p.poll.id === poll.id)?.results?.respondents).toBe(2);
  });

  it("refuses bad answers with clear codes and changes nothing", async () => {
    const mod = await join(people.moderator, DAY2);
    const ann = await join(people.ann, DAY2);
    const dee = await join(people.dee, DAY2);
    const multi = await ok(
      emit<PollView>(mod.socket, "poll:create", {
        slug: DAY2,
        clientKey: clientKey(),
        draft: { kind: "multiple", question: "Pick two", options: ["A", "B", "C"], maxPicks: 2, resultsVisibility: "live" },
        open: true,
      }),
    );
    const rating = await ok(
      emit<PollView>(mod.socket, "poll:create", {
        slug: DAY2,
        clientKey: clientKey(),
        draft: { kind: "rating", question: "How useful?", scaleMax: 5, lowLabel: "Not at all", highLabel: "Very", resultsVisibility: "live" },
        open: true,
      }),
    );
    const draft = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft() }));
    const [a, b, c] = multi.options.map((o) => o.id);
    // Two people share the refusals: each has a burst allowance of 10 answers (rate limit).
    let turn = 0;
    const send = (pollId: string, answer: unknown) => refusalCode(emit((turn++ % 2 ? dee : ann).socket, "poll:answer", { pollId, answer }));

    expect(await send(multi.id, { kind: "multiple", optionIds: [a, "00000000-0000-4000-8000-000000000000"] })).toBe("unknown_option");
    expect(await send(multi.id, { kind: "multiple", optionIds: [a, b, c] })).toBe("too_many_picks");
    // More than the 10 options a poll can have: still too_many_picks, not a malformed payload.
    const eleven = [a, b, c, ...Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-0000000001${String(i).padStart(2, "0")}`)];
    expect(await send(multi.id, { kind: "multiple", optionIds: eleven })).toBe("too_many_picks");
    expect(await send(multi.id, { kind: "single", optionId: a })).toBe("invalid_answer");
    expect(await send(multi.id, { kind: "multiple", optionIds: [] })).toBe("invalid_payload");
    expect(await send(rating.id, { kind: "rating", value: 6 })).toBe("rating_out_of_range");
    expect(await send(rating.id, { kind: "rating", value: 0 })).toBe("rating_out_of_range");
    expect(await send(rating.id, { kind: "rating", value: 2.5 })).toBe("invalid_payload");
    expect(await send(draft.id, { kind: "single", optionId: draft.options[0].id })).toBe("poll_not_open");
    expect(await send("00000000-0000-4000-8000-000000000000", { kind: "single", optionId: a })).toBe("not_found");
    expect(await send("not-a-uuid", { kind: "single", optionId: a })).toBe("invalid_payload");
    const [{ n }] = await rows<{ n: number }>(
      server.services,
      sql`SELECT count(*)::int AS n FROM poll_responses WHERE poll_id IN (${multi.id}, ${rating.id}, ${draft.id})`,
    );
    expect(Number(n)).toBe(0);

    // A valid answer after all those refusals is stored exactly once.
    await ok(emit(ann.socket, "poll:answer", { pollId: multi.id, answer: { kind: "multiple", optionIds: [c, a] } }));
    expect(await dbTally(server.services, multi.id)).toEqual({ respondents: 1, perOption: [1, 0, 1] });
  });

  it("lets only moderators and organizers run polls, and only signed-in participants answer", async () => {
    const mod = await join(people.moderator, DAY2);
    const panel = await join(people.panelist, DAY2);
    const ann = await join(people.ann, DAY2);
    const org = await join(people.organizer, DAY2);
    const anon = await join(null, DAY2);
    const outsider = await join(people.outsider, DAY1);
    const create = (s: TestSocket) => refusalCode(emit(s, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft() }));
    expect(await create(ann.socket)).toBe("forbidden");
    expect(await create(panel.socket)).toBe("forbidden");
    expect(await create(anon.socket)).toBe("unauthenticated");
    expect(await create(org.socket)).toBe("accepted");

    const poll = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft(), open: true }));
    expect(await refusalCode(emit(ann.socket, "poll:close", { pollId: poll.id }))).toBe("forbidden");
    expect(await refusalCode(emit(panel.socket, "poll:publish", { pollId: poll.id }))).toBe("forbidden");
    expect(await refusalCode(emit(anon.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[0].id } }))).toBe(
      "unauthenticated",
    );

    // A room device answers only where it joined with the code.
    const day1 = await ok(
      emit<PollView>((await join(people.moderator, DAY1)).socket, "poll:create", { slug: DAY1, clientKey: clientKey(), draft: singleDraft(), open: true }),
    );
    expect(await refusalCode(emit(outsider.socket, "poll:answer", { pollId: day1.id, answer: { kind: "single", optionId: day1.options[0].id } }))).toBe(
      "forbidden",
    );
    const device = await join(people.device, DAY1);
    expect(await refusalCode(emit(device.socket, "poll:answer", { pollId: day1.id, answer: { kind: "single", optionId: day1.options[0].id } }))).toBe(
      "accepted",
    );

    // A resent create (same idempotency key) returns the same poll, once.
    const k = clientKey();
    const one = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: k, draft: singleDraft({ question: "Once?" }) }));
    const two = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: k, draft: singleDraft({ question: "Once?" }) }));
    expect(two.id).toBe(one.id);
    const [{ n }] = await rows<{ n: number }>(server.services, sql`SELECT count(*)::int AS n FROM polls WHERE client_key = ${k}`);
    expect(Number(n)).toBe(1);
  });

  it("edits and deletes drafts only, refusing a stale edit", async () => {
    const mod = await join(people.moderator, DAY2);
    const org = await join(people.organizer, DAY2);
    const draft = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft() }));
    const edited = await ok(
      emit<PollView>(mod.socket, "poll:update", {
        pollId: draft.id,
        expectedVersion: draft.version,
        draft: singleDraft({ question: "Edited?", options: ["Yes", "No"] }),
      }),
    );
    expect(edited.question).toBe("Edited?");
    expect(edited.options.map((o) => o.label)).toEqual(["Yes", "No"]);
    const stale = await emit(org.socket, "poll:update", { pollId: draft.id, expectedVersion: draft.version, draft: singleDraft({ question: "Mine!" }) });
    expect(stale.ok ? "accepted" : stale.error.code).toBe("version_conflict");
    expect(stale.ok ? null : (stale.error.current as PollView).question).toBe("Edited?");

    await ok(emit(mod.socket, "poll:open", { pollId: draft.id }));
    expect(await refusalCode(emit(mod.socket, "poll:update", { pollId: draft.id, expectedVersion: edited.version + 1, draft: singleDraft() }))).toBe(
      "conflict",
    );
    expect(await refusalCode(emit(mod.socket, "poll:delete", { pollId: draft.id }))).toBe("conflict");
    const gone = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft() }));
    const deleted = collect<{ pollId: string }>(org.socket, "poll:deleted");
    await ok(emit(mod.socket, "poll:delete", { pollId: gone.id }));
    await eventually(() => expect(deleted.map((d) => d.pollId)).toEqual([gone.id]));
  });

  it("the same person answering from two tabs at once gives one answer", async () => {
    const mod = await join(people.moderator, DAY2);
    const tabs = await Promise.all([join(people.cy, DAY2), join(people.cy, DAY2), join(people.cy, DAY2)]);
    const poll = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft(), open: true }));
    const acks = await Promise.all(
      tabs.flatMap((t, i) =>
        poll.options.map((_o, j) =>
          emit<MyAnswer>(t.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[(i + j) % 3].id } }),
        ),
      ),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    const t = await dbTally(server.services, poll.id);
    expect(t.respondents).toBe(1);
    expect(t.perOption.reduce((s, n) => s + n, 0)).toBe(1);
  });

  it("answers that arrive together are written together: one person's in the order sent, another poll's beside them", async () => {
    const mod = await join(people.moderator, DAY2);
    // People of their own: the others' answer rate budgets are spent by the tests above.
    const fresh = await Promise.all(
      ["Ann", "Bob", "Cy", "Dee"].map((name) =>
        createPerson(server.services, { name: `${name} Batch`, email: `${name.toLowerCase()}-batch-${database}@example.org` }),
      ),
    );
    const [ann, bob, cy, dee] = await Promise.all(fresh.map((p) => join(p, DAY2)));
    const p1 = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft(), open: true }));
    const p2 = await ok(
      emit<PollView>(mod.socket, "poll:create", {
        slug: DAY2,
        clientKey: clientKey(),
        draft: singleDraft({ question: "Which region first?", options: ["Europe", "Indo-Pacific", "Americas"] }),
        open: true,
      }),
    );
    const answer = (who: { socket: TestSocket }, poll: PollView, i: number) =>
      emit<MyAnswer>(who.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[i].id } });
    // Ann and Bob answer first (so both polls' definitions are at hand), and change their minds below.
    await ok(answer(ann, p2, 0));
    await ok(answer(bob, p1, 1));

    // Hold the first poll's row: the first batch waits for it, and everything sent meanwhile queues for the next.
    let release!: () => void;
    const releasing = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = server.services.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM polls WHERE id = ${p1.id} FOR UPDATE`);
      locked();
      await releasing;
    });
    await isLocked;
    const first = answer(dee, p1, 0);
    await eventually(() => expect(server.services.polls.answersPending).toBe(1));
    const cys = [0, 1, 2].map((i) => answer(cy, p1, i));
    const others = [answer(ann, p2, 1), answer(bob, p2, 2), answer(bob, p1, 2)];
    await eventually(() => expect(server.services.polls.answersPending).toBe(7));
    release();
    await holding;

    const acks = await Promise.all([first, ...cys, ...others]);
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    // Cy's three answers were written one after the other: the last one sent is the one kept.
    expect(await cys[2]).toMatchObject({ ok: true, data: { pollId: p1.id, answer: { kind: "single", optionId: p1.options[2].id } } });
    expect(await dbTally(server.services, p1.id)).toEqual({ respondents: 3, perOption: [1, 0, 2] }); // Dee, Cy, Bob (changed)
    expect(await dbTally(server.services, p2.id)).toEqual({ respondents: 2, perOption: [0, 1, 1] }); // Ann (changed), Bob
  });

  it("a timer closes the poll by itself, once, even when sweeps race", async () => {
    const mod = await join(people.moderator, DAY2);
    const bob = await join(people.bob, DAY2);
    const poll = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY2, clientKey: clientKey(), draft: singleDraft({ durationSeconds: 30 }) }));
    const opened = await ok(emit<PollView>(mod.socket, "poll:open", { pollId: poll.id }));
    expect(Date.parse(opened.closesAt!) - Date.parse(opened.openedAt!)).toBe(30_000);
    await ok(emit(bob.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[0].id } }));

    // Past the deadline answers are refused at once, even before any sweep ran; then the sweeps (this
    // instance's own, and three more by hand, as if from other instances) close it exactly once.
    const clock = server.clock as { set(d: Date): void; now(): Date };
    const closedFacts = collect<PollFact>(bob.socket, "poll:closed");
    const before = clock.now();
    clock.set(new Date(before.getTime() + 31_000));
    try {
      expect(await refusalCode(emit(bob.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[1].id } }))).toBe(
        "poll_closed",
      );
      await Promise.all([server.services.polls.sweepTimers(), server.services.polls.sweepTimers(), server.services.polls.sweepTimers()]);
      await eventually(() => expect(closedFacts.map((f) => f.poll.id)).toEqual([poll.id]));
      await new Promise((r) => setTimeout(r, 600)); // a few more interval sweeps: still one close
      expect(closedFacts.map((f) => f.poll.id)).toEqual([poll.id]);
      expect(closedFacts[0].poll.closedAt).toBe(opened.closesAt);
      expect(await dbTally(server.services, poll.id)).toEqual({ respondents: 1, perOption: [1, 0, 0] });
    } finally {
      clock.set(before);
    }
  });

  it("coalesces results broadcasts per tick instead of one per answer", async () => {
    const mod = await join(people.moderator, DAY2);
    // Connected a few at a time: a loaded machine must not time out the handshakes.
    const voters: Array<{ socket: TestSocket }> = [];
    for (let i = 0; i < 24; i += 6) {
      voters.push(
        ...(await Promise.all(
          Array.from({ length: 6 }, async (_, j) =>
            join(await createPerson(server.services, { name: `Voter ${i + j}`, email: `voter${i + j}-${database}@example.org` }), DAY2),
          ),
        )),
      );
    }
    const poll = await ok(
      emit<PollView>(mod.socket, "poll:create", {
        slug: DAY2,
        clientKey: clientKey(),
        draft: { kind: "rating", question: "Rate it", scaleMax: 10, lowLabel: "Low", highLabel: "High", resultsVisibility: "live" },
        open: true,
      }),
    );
    const seen = collect<PollResults>(mod.socket, "poll:results");
    await Promise.all(voters.map((v, i) => ok(emit(v.socket, "poll:answer", { pollId: poll.id, answer: { kind: "rating", value: (i % 10) + 1 } }))));
    await eventually(() => expect(seen.filter((r) => r.pollId === poll.id).at(-1)?.respondents).toBe(24));
    const mine = seen.filter((r) => r.pollId === poll.id);
    expect(mine.length).toBeLessThan(24);
    // seq only grows, so a client can drop an older broadcast that arrives late.
    expect(mine.map((r) => r.seq)).toEqual([...mine.map((r) => r.seq)].sort((a, b) => a - b));
    expect(mine.at(-1)!.rows.map((r) => r.count)).toEqual([3, 3, 3, 3, 2, 2, 2, 2, 2, 2]);
    for (const v of voters) v.socket.close();
  });

  describe("under the Chatham House Rule", () => {
    it("sends only totals with small counts hidden, to every role, and names nobody", async () => {
      const frames: string[] = [];
      const watch = (s: TestSocket) => (s as unknown as { onAny(cb: (...a: unknown[]) => void): void }).onAny((...a) => frames.push(JSON.stringify(a)));
      const mod = await join(people.moderator, DAY1);
      const org = await join(people.organizer, DAY1);
      const panel = await join(people.panelist, DAY1);
      [mod, org, panel].forEach((j) => watch(j.socket));
      const voters = await Promise.all([people.ann, people.bob, people.cy, people.dee].map((p) => join(p, DAY1)));
      voters.forEach((v) => watch(v.socket));
      const poll = await ok(
        emit<PollView>(mod.socket, "poll:create", { slug: DAY1, clientKey: clientKey(), draft: singleDraft({ resultsVisibility: "live" }), open: true }),
      );
      const [speed, transparency] = poll.options.map((o) => o.id);
      const picks = [speed, speed, speed, transparency];
      const seen = collect<PollResults>(voters[0].socket, "poll:results");
      const acks = await Promise.all(
        voters.map((v, i) => ok(emit<MyAnswer>(v.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: picks[i] } }))),
      );
      frames.push(...acks.map((a) => JSON.stringify(a)));
      await eventually(() => expect(seen.at(-1)?.rows.map((r) => r.count)).toEqual([3, { fewerThan: 3 }, { fewerThan: 3 }]));
      // Two hidden counts: the exact total only tells that they add up to 1, not whose answer it was.
      expect(seen.at(-1)!.respondents).toBe(4);
      for (const j of [mod, org, panel, voters[3]]) {
        const snap = await ok(emit<{ polls: Array<{ poll: PollView; results: PollResults | null }> }>(j.socket, "poll:sync", { slug: DAY1 }));
        frames.push(JSON.stringify(snap));
        expect(snap.polls.find((p) => p.poll.id === poll.id)?.results?.rows.map((r) => r.count)).toEqual([3, { fewerThan: 3 }, { fewerThan: 3 }]);
      }
      const csv = await server.services.polls.exportCsv((await server.services.auth.resolveToken(people.moderator.token)).actor, DAY1);
      frames.push(csv);
      expect(csv).toContain("Transparency,fewer than 3");

      const identities = Object.values(people)
        .flatMap((p) => [p.userId, p.email])
        .concat(["Ann Attendee", "Bob Builder", "Cy Cyan", "Dee Delta", "Embassy of Aland", "Acme Defense", "Ministry of Ports", "Delta Works"]);
      const everything = frames.join("\n") + logs.join("\n");
      for (const id of identities.filter(Boolean)) expect(everything, `payloads or logs mention ${id}`).not.toContain(id!);
      expect(frames.length).toBeGreaterThan(10);
    });

    it("erases every voter link when the session ends, closing open polls and keeping totals", async () => {
      const mod = await join(people.moderator, DAY1);
      const voters = await Promise.all([people.ann, people.bob, people.cy].map((p) => join(p, DAY1)));
      const poll = await ok(emit<PollView>(mod.socket, "poll:create", { slug: DAY1, clientKey: clientKey(), draft: singleDraft(), open: true }));
      await Promise.all(voters.map((v) => ok(emit(v.socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[2].id } }))));
      const before = await dbTally(server.services, poll.id);
      expect(before).toEqual({ respondents: 3, perOption: [0, 0, 3] });

      const clock = server.clock as { set(d: Date): void; now(): Date };
      const now = clock.now();
      clock.set(new Date("2024-05-23T11:15:00-04:00"));
      try {
        const closed = collect<PollFact>(voters[0].socket, "poll:closed");
        const swept = await server.services.polls.sweepErasure();
        expect(swept.erased).toBeGreaterThanOrEqual(3);
        await eventually(() => expect(closed.map((f) => f.poll.id)).toContain(poll.id));
        const [{ linked }] = await rows<{ linked: number }>(
          server.services,
          sql`SELECT count(*)::int AS linked FROM poll_responses r JOIN polls p ON p.id = r.poll_id JOIN sessions s ON s.id = p.session_id WHERE s.slug = ${DAY1} AND r.voter_id IS NOT NULL`,
        );
        expect(Number(linked)).toBe(0);
        expect(await dbTally(server.services, poll.id)).toEqual(before);
        // Nobody can answer, reopen, or find their own answer any more; totals remain for staff.
        expect(await refusalCode(emit(voters[0].socket, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[0].id } }))).toBe(
          "poll_closed",
        );
        expect(await refusalCode(emit(mod.socket, "poll:reopen", { pollId: poll.id }))).toBe("policy_violation");
        const snap = await ok(
          emit<{ mine: MyAnswer[]; polls: Array<{ poll: PollView; results: PollResults | null }> }>(voters[0].socket, "poll:sync", { slug: DAY1 }),
        );
        expect(snap.mine).toEqual([]);
        const modSnap = await ok(emit<{ polls: Array<{ poll: PollView; results: PollResults | null }> }>(mod.socket, "poll:sync", { slug: DAY1 }));
        expect(modSnap.polls.find((p) => p.poll.id === poll.id)?.results?.rows.map((r) => r.count)).toEqual([{ fewerThan: 3 }, { fewerThan: 3 }, 3]);
      } finally {
        clock.set(now);
      }
    });
  });
});

describe.each(testDatabaseKinds())("start-up erasure on %s", (database) => {
  it(
    "a server starting after a Chatham House session ended erases that session's voter links before it serves",
    async () => {
      let target: { dataDir: string } | { databaseUrl: string };
      let cleanup: () => Promise<void>;
      if (database === "postgres") {
        const created = await createPostgresDatabase();
        target = { databaseUrl: created.url };
        cleanup = created.drop;
      } else {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-polls-"));
        target = { dataDir: dir };
        cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
      }
      try {
        const first = await startTestServer({ database: target, now: THURSDAY_10 });
        let pollId: string;
        try {
          const mod = await createPerson(first.services, { name: "Mo", email: "mo@example.org", roles: [{ slug: DAY1, role: "moderator" }] });
          const voter = await createPerson(first.services, { name: "Vee", email: "vee@example.org" });
          const m = await joinSession(first.url, mod, DAY1);
          const v = await joinSession(first.url, voter, DAY1);
          const poll = await ok(emit<PollView>(m.socket, "poll:create", { slug: DAY1, clientKey: clientKey(), draft: singleDraft(), open: true }));
          pollId = poll.id;
          await ok(emit(v.socket, "poll:answer", { pollId, answer: { kind: "single", optionId: poll.options[0].id } }));
          m.socket.close();
          v.socket.close();
          const [{ linked }] = await rows<{ linked: number }>(
            first.services,
            sql`SELECT count(*)::int AS linked FROM poll_responses WHERE poll_id = ${pollId} AND voter_id IS NOT NULL`,
          );
          expect(Number(linked)).toBe(1);
        } finally {
          await first.close();
        }
        const second = await startTestServer({ database: target, now: "2024-05-23T12:00:00-04:00" });
        try {
          const [r] = await rows<{ linked: number; total: number; status: string }>(
            second.services,
            sql`SELECT count(r.voter_id)::int AS linked, count(r.seq)::int AS total, p.status FROM polls p LEFT JOIN poll_responses r ON r.poll_id = p.id WHERE p.id = ${pollId!} GROUP BY p.status`,
          );
          expect({ linked: Number(r.linked), total: Number(r.total), status: r.status }).toEqual({ linked: 0, total: 1, status: "closed" });
        } finally {
          await second.close();
        }
      } finally {
        await cleanup();
      }
    },
    startsInTest(2),
  );
});
