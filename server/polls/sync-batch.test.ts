/**
 * `poll:sync` in a storm: a room of phones opening the session page at once is answered in batches
 * (server/batch.ts), and every socket still gets exactly its own snapshot: its own answers, its own
 * rights, the polls and totals it may see. Real server, real sockets, PGlite and Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PollSnapshot, PollView } from "../../lib/polls";
import { metrics } from "../metrics";
import { connectClient, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { SERVER_START_MS } from "../testing/timeouts";
import { startTestServer, type TestServer } from "../testing/test-server";
import { emit, joinSession, ok } from "./test-helpers";

const DAY1 = "fms-planning"; // Chatham House, Thu 23 May 09:45–11:15 EDT
const DAY2 = "defense-industry-perspectives"; // on the record, Fri 24 May
const THURSDAY_10 = "2024-05-23T10:00:00-04:00";
const ATTENDEES = 40;
let keys = 0;
/** The tables a poll sync reads. */
const POLL_TABLES = new Set(["sessions", "polls", "poll_options", "poll_responses", "poll_session_versions"]);

/** Statements that read the poll tables, so far (the counter /metrics reports, by verb and table). */
async function pollReads(): Promise<number> {
  const { values } = await metrics().dbDuration.get();
  return values
    .filter((v) => v.metricName?.endsWith("_count") && /^select /.test(String(v.labels.operation)) && POLL_TABLES.has(String(v.labels.operation).slice(7)))
    .reduce((n, v) => n + v.value, 0);
}

async function syncBatches(): Promise<number> {
  const { values } = await metrics().batchSize.get();
  return values.find((v) => v.metricName?.endsWith("_count") && v.labels.batcher === "poll_syncs")?.value ?? 0;
}

/** A snapshot without the time its totals were read (the clock moves between two syncs). */
function timeless(s: PollSnapshot) {
  return { ...s, polls: s.polls.map((e) => ({ ...e, results: e.results && { ...e.results, at: "(read)" } })) };
}

describe.each(testDatabaseKinds())("poll syncs of a whole room at once on %s", (database) => {
  let server: TestServer;
  let mod: TestPerson;
  let panelist: TestPerson;
  let desk: TestPerson;
  let device: TestPerson;
  let outsider: TestPerson;
  let attendees: TestPerson[];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // Sweeps far apart: nothing but the syncs reads the poll tables while they are counted.
    server = await startTestServer({ database, now: THURSDAY_10, polls: { tickMs: 50, timerSweepMs: 600_000, erasureSweepMs: 600_000 } });
    const app = server.services;
    const both = (role: "moderator" | "panelist") => [
      { slug: DAY1, role },
      { slug: DAY2, role },
    ];
    mod = await createPerson(app, { name: "Mo Moderator", email: "mo@example.org", roles: both("moderator") });
    panelist = await createPerson(app, { name: "Pat Panelist", email: "pat@example.org", roles: both("panelist") });
    desk = await createPerson(app, { name: "AV Desk", email: "av@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    device = await createPerson(app, { name: "Room guest", kind: "device", attendanceMode: "in_person", roles: [{ slug: DAY1, role: "attendee" }] });
    outsider = await createPerson(app, { name: "Out Sider", kind: "device", attendanceMode: "in_person" });
    attendees = await Promise.all(
      Array.from({ length: ATTENDEES }, (_, i) => createPerson(app, { name: `Attendee ${i}`, email: `a${i}@example.org`, affiliation: `Org ${i}` })),
    );
  }, SERVER_START_MS);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it("each socket gets its own answers, rights and visible polls, and the room costs a few reads, not a few per phone", { timeout: 120_000 }, async () => {
    const join = async (who: TestPerson | null, slug: string) => {
      const j = await joinSession(server.url, who, slug);
      sockets.push(j.socket);
      return j.socket;
    };
    const staff = await join(mod, DAY2);
    const staff1 = await join(mod, DAY1);
    const create = (socket: TestSocket, slug: string, draft: object, open: boolean) =>
      ok(emit<PollView>(socket, "poll:create", { slug, clientKey: `sync-${++keys}-${Date.now()}`, draft, open }));
    const options = { kind: "single", options: ["Speed", "Cost", "Training"] };
    const draft = await create(staff, DAY2, { ...options, question: "Still a draft?", resultsVisibility: "live" }, false);
    const hidden = await create(staff, DAY2, { ...options, question: "Totals after publishing?", resultsVisibility: "published" }, true);
    const live = await create(staff, DAY2, { ...options, question: "Totals live?", resultsVisibility: "live" }, true);
    const chatham = await create(staff1, DAY1, { ...options, question: "Under the Rule?", resultsVisibility: "live" }, true);

    // The audience: every attendee answers the hidden-totals poll, every other one the live one too.
    const audience: TestSocket[] = [];
    for (let i = 0; i < ATTENDEES; i += 10) audience.push(...(await Promise.all(attendees.slice(i, i + 10).map((a) => join(a, DAY2)))));
    const pick = (poll: PollView, i: number) => poll.options[i % 3].id;
    await Promise.all(
      audience.flatMap((s, i) => [
        ok(emit(s, "poll:answer", { pollId: hidden.id, answer: { kind: "single", optionId: pick(hidden, i) } })),
        ...(i % 2 === 0 ? [ok(emit(s, "poll:answer", { pollId: live.id, answer: { kind: "single", optionId: pick(live, i + 1) } }))] : []),
      ]),
    );
    const guest = await join(device, DAY1);
    await ok(emit(guest, "poll:answer", { pollId: chatham.id, answer: { kind: "single", optionId: chatham.options[2].id } }));
    await ok(emit(staff, "poll:answer", { pollId: live.id, answer: { kind: "single", optionId: live.options[0].id } }));

    const panel = await join(panelist, DAY2);
    const anon = await join(null, DAY2);
    const stranger = await join(outsider, DAY2);
    const screen = await connectClient(server.url, { origin: server.url, cookie: desk.cookie });
    sockets.push(screen);
    await ok(emit(screen, "session:join", { slug: DAY2, view: "screen" }));

    const room: Array<{ socket: TestSocket; slug: string }> = [
      ...audience.map((socket) => ({ socket, slug: DAY2 })),
      { socket: staff, slug: DAY2 },
      { socket: staff1, slug: DAY1 },
      { socket: guest, slug: DAY1 },
      { socket: panel, slug: DAY2 },
      { socket: anon, slug: DAY2 },
      { socket: stranger, slug: DAY2 },
      { socket: screen, slug: DAY2 },
    ];
    // One at a time first: each sync is a batch of its own.
    const alone: PollSnapshot[] = [];
    for (const { socket, slug } of room) alone.push(await ok(emit<PollSnapshot>(socket, "poll:sync", { slug })));

    // Then the whole room at once, with one sync of a session that does not exist among them.
    const readsBefore = await pollReads();
    const batchesBefore = await syncBatches();
    const [together, missing] = await Promise.all([
      Promise.all(room.map(({ socket, slug }) => ok(emit<PollSnapshot>(socket, "poll:sync", { slug })))),
      emit(audience[0], "poll:sync", { slug: "no-such-session" }),
    ]);
    const reads = (await pollReads()) - readsBefore;
    const batches = (await syncBatches()) - batchesBefore;

    // A refusal is that sync's own; everyone else is answered.
    expect(missing.ok ? "accepted" : missing.error.code).toBe("not_found");
    // Exactly what each socket gets when it syncs alone.
    expect(together.map(timeless)).toEqual(alone.map(timeless));

    const ids = (s: PollSnapshot) => s.polls.map((e) => e.poll.id);
    const resultsOf = (s: PollSnapshot, id: string) => s.polls.find((e) => e.poll.id === id)?.results ?? null;
    const byPoll = (s: PollSnapshot) => Object.fromEntries(s.mine.map((m) => [m.pollId, m.answer]));
    const [snapStaff, snapStaff1, snapGuest, snapPanel, snapAnon, snapStranger, snapScreen] = together.slice(ATTENDEES);
    // Each attendee: their own answers only, no draft, live totals but not the unpublished ones.
    for (const [i, s] of together.slice(0, ATTENDEES).entries()) {
      expect(s.can).toEqual({ manage: false, viewResults: false, answer: true });
      expect(ids(s)).toEqual([hidden.id, live.id]);
      expect(byPoll(s)).toEqual({
        [hidden.id]: { kind: "single", optionId: pick(hidden, i) },
        ...(i % 2 === 0 ? { [live.id]: { kind: "single", optionId: pick(live, i + 1) } } : {}),
      });
      expect(resultsOf(s, hidden.id)).toBeNull();
      expect(resultsOf(s, live.id)?.respondents).toBe(ATTENDEES / 2 + 1);
    }
    // Staff see the draft and every total; the moderator's own answer is theirs.
    expect(snapStaff.can).toEqual({ manage: true, viewResults: true, answer: true });
    expect(ids(snapStaff)).toEqual([draft.id, hidden.id, live.id]);
    expect(resultsOf(snapStaff, hidden.id)?.respondents).toBe(ATTENDEES);
    expect(byPoll(snapStaff)).toEqual({ [live.id]: { kind: "single", optionId: live.options[0].id } });
    // The other session in the same batch: its own polls, counter and Rule.
    expect(snapStaff1.sessionId).not.toBe(snapStaff.sessionId);
    expect(ids(snapStaff1)).toEqual([chatham.id]);
    expect(snapStaff1.chathamHouse).toBe(true);
    expect(snapStaff1.mine).toEqual([]);
    expect(byPoll(snapGuest)).toEqual({ [chatham.id]: { kind: "single", optionId: chatham.options[2].id } });
    // Panelists see totals, never drafts.
    expect(snapPanel.can).toMatchObject({ manage: false, viewResults: true });
    expect(ids(snapPanel)).toEqual([hidden.id, live.id]);
    expect(resultsOf(snapPanel, hidden.id)?.respondents).toBe(ATTENDEES);
    // Nobody signed in, or a device without a place in this session: see, but cannot answer.
    expect(snapAnon.can.answer).toBe(false);
    expect(snapAnon.mine).toEqual([]);
    expect(resultsOf(snapAnon, hidden.id)).toBeNull();
    expect(snapStranger.can.answer).toBe(false);
    expect(snapStranger.mine).toEqual([]);
    // The screen (a moderator's account on the projector): launched polls with totals, no draft, no answers of its own.
    expect(snapScreen.can).toEqual({ manage: false, viewResults: true, answer: false });
    expect(ids(snapScreen)).toEqual([hidden.id, live.id]);
    expect(resultsOf(snapScreen, live.id)?.respondents).toBe(ATTENDEES / 2 + 1);
    expect(snapScreen.mine).toEqual([]);

    // Batched: one sync alone reads 5 statements or more (session, counter, polls, options, own
    // answers; answered one by one, this room read 240 on PGlite and 277 on Postgres). At once, a
    // batch reads each slug's session, then per session its counter, polls, options, each visible
    // poll's totals and everyone's own answers once: at most 3 + 6 (DAY2) + 5 (DAY1), however many
    // phones it answers.
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(room.length / 4);
    expect(reads).toBeLessThanOrEqual(batches * 14);
    expect(reads).toBeLessThan(2 * room.length);
  });
});
