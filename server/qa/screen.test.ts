/**
 * The room screen: a projector signed in with a staff account must receive only what the room may
 * see — the question on stage, approved questions, launched polls and their results as the screen
 * shows them — never pending questions, private tags, original texts, dismissal reasons or poll
 * drafts. The server decides: the screen joins with `view: "screen"` and stays a screen for the
 * session whatever it asks for afterwards. Real server, real sockets, PGlite and Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PollResults, PollSnapshot, PollView } from "../../lib/polls";
import type { ModerationResult, QaSync, SubmitResult } from "../../lib/qa";
import type { SessionJoined } from "../../lib/realtime/contract";
import { connectClient, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, ok, recorder, refused, sleep, waitFor } from "./testing";

const DAY2 = "defense-industry-perspectives"; // on the record, Q&A and polls, 09:45–11:15 Friday
const NOW = "2024-05-24T10:00:00-04:00";

describe.each(testDatabaseKinds())("the room screen's view (%s)", (database) => {
  let server: TestServer;
  const p: Record<string, TestPerson> = {};
  const sockets: TestSocket[] = [];
  const connect = async (who: TestPerson) => {
    const s = await connectClient(server.url, { origin: server.url, cookie: who.cookie });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startTestServer({ now: NOW, database, polls: { tickMs: 50 } });
    const app = server.services;
    p.screen = await createPerson(app, { name: "AV Desk", email: `av-${database}@example.org`, roles: [{ slug: DAY2, role: "moderator" }] });
    p.mod = await createPerson(app, { name: "Maya Moderator", email: `maya-${database}@example.org`, roles: [{ slug: DAY2, role: "moderator" }] });
    p.asker = await createPerson(app, { name: "Ann Asker", email: `ann-${database}@example.org`, affiliation: "Embassy of Aland" });
    p.voter = await createPerson(app, { name: "Vic Voter", email: `vic-${database}@example.org` });
    p.attendee = await createPerson(app, { name: "Att Endee", email: `att-${database}@example.org` });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it("a staff account joined as the screen receives the stage and poll results, and nothing only moderators see", async () => {
    const screen = await connect(p.screen);
    const seen = recorder(screen);
    const joined = await ok<SessionJoined>(screen, "session:join", { slug: DAY2, view: "screen" });
    expect(joined.can).toMatchObject({ screen: true, moderate: false, managePolls: false, panel: false, ask: false, vote: false, answerPolls: false });
    // The page's Q&A island asks for the audience's view; even asking for more, it gets the audience's.
    expect((await ok<QaSync>(screen, "qa:sync", { slug: DAY2, view: "staff" })).view).toBe("audience");
    // A later join without the view (another island on the page) does not lift it.
    expect((await ok<SessionJoined>(screen, "session:join", { slug: DAY2 })).can.moderate).toBe(false);
    const polls = await ok<PollSnapshot>(screen, "poll:sync", { slug: DAY2 });
    expect(polls.can).toEqual({ manage: false, viewResults: true, answer: false });

    const mod = await connect(p.mod);
    const asker = await connect(p.asker);
    const voter = await connect(p.voter);
    await ok(mod, "session:join", { slug: DAY2 });
    await ok(mod, "qa:sync", { slug: DAY2 });
    const moderate = (questionId: string, expectedVersion: number, action: object) =>
      ok<ModerationResult>(mod, "question:moderate", { slug: DAY2, key: key(), questionId, expectedVersion, action });

    // Moderators' work: a question stays pending, one is dismissed with a reason, one edited (before
    // anyone but moderators saw it), approved, tagged, starred and put on stage.
    const pending = (await ok<SubmitResult>(asker, "question:submit", { slug: DAY2, key: key(), text: "Pending: a question nobody approved?" })).question.id;
    const dismissed = (await ok<SubmitResult>(asker, "question:submit", { slug: DAY2, key: key(), text: "Dismissed: where is the coffee?" })).question.id;
    await moderate(dismissed, 1, { type: "dismiss", reason: "Reason only moderators and the asker see" });
    const staged = (await ok<SubmitResult>(asker, "question:submit", { slug: DAY2, key: key(), text: "wat about the industrial base" })).question.id;
    let v = (await moderate(staged, 1, { type: "edit", text: "What about the industrial base?" })).questions[0].version;
    v = (await moderate(staged, v, { type: "approve" })).questions[0].version;
    v = (await moderate(staged, v, { type: "tags", tags: ["private-tag-xyz"] })).questions[0].version;
    await moderate(staged, v, { type: "star", starred: true });
    const onStage = await moderate(staged, v + 1, { type: "stage" });
    expect(onStage.state.onStage).toBe(staged);

    // Polls: a draft (moderators only), then one launched whose results are not public: they go to
    // those who see live results, the screen included.
    const draft = await ok<PollView>(mod, "poll:create", {
      slug: DAY2,
      clientKey: key(),
      draft: { kind: "single", question: "Draft poll nobody launched?", options: ["Yes", "No"], resultsVisibility: "after_close" },
    });
    const live = await ok<PollView>(mod, "poll:create", {
      slug: DAY2,
      clientKey: key(),
      open: true,
      draft: { kind: "single", question: "Launched poll: which reform first?", options: ["Speed", "Training"], resultsVisibility: "after_close" },
    });
    await ok(voter, "session:join", { slug: DAY2 });
    await ok(voter, "poll:answer", { pollId: live.id, answer: { kind: "single", optionId: live.options[0].id } });

    await waitFor(
      () => seen.some((e) => e.event === "qa:state" && (e.payload as { state: { onStage: string | null } }).state.onStage === staged),
      10_000,
      "the stage to reach the screen",
    );
    await waitFor(
      () => seen.some((e) => e.event === "poll:results" && (e.payload as PollResults).pollId === live.id),
      10_000,
      "live results to reach the screen",
    );
    await waitFor(() => seen.some((e) => e.event === "poll:opened"), 10_000, "the launched poll to reach the screen");
    await sleep(300); // anything else in flight

    const everything = JSON.stringify(seen);
    for (const secret of [
      pending,
      "Pending: a question nobody approved?",
      dismissed,
      "Reason only moderators and the asker see",
      "private-tag-xyz",
      "wat about the industrial base",
      draft.id,
      "Draft poll nobody launched?",
    ]) {
      expect(everything, secret).not.toContain(secret);
    }
    expect(seen.filter((e) => e.event === "poll:created" || e.event === "poll:updated")).toEqual([]);
    for (const e of seen.filter((x) => x.event === "question:changed")) {
      const q = (e.payload as { question: Record<string, unknown> }).question;
      expect(Object.keys(q).sort()).toEqual(["answeredAt", "author", "createdAt", "id", "status", "text", "version", "votes"]);
    }
    for (const e of seen.filter((x) => x.event === "qa:state")) expect(e.payload).not.toHaveProperty("counts");
    // What the screen shows: the stage with the edited text, and the launched poll with its results.
    const fresh = await ok<QaSync>(screen, "qa:sync", { slug: DAY2 });
    expect(fresh.questions.map((q) => q.id)).toEqual([staged]);
    expect(fresh.questions[0].text).toBe("What about the industrial base?");
    const pollsNow = await ok<PollSnapshot>(screen, "poll:sync", { slug: DAY2 });
    expect(pollsNow.polls.map((e) => e.poll.id)).toEqual([live.id]);
    expect(pollsNow.polls[0].results?.respondents).toBe(1);
  });

  it("only people who may open the screen can join as it; leaving the session ends the screen view", async () => {
    const attendee = await connect(p.attendee);
    expect(await refused(attendee, "session:join", { slug: DAY2, view: "screen" })).toMatchObject({ code: "forbidden" });
    const desk = await connect(p.screen);
    await ok(desk, "session:join", { slug: DAY2, view: "screen" });
    await ok(desk, "session:leave", { slug: DAY2 });
    // The same socket, now the moderator's console: the full view again.
    expect((await ok<SessionJoined>(desk, "session:join", { slug: DAY2 })).can.moderate).toBe(true);
    expect((await ok<QaSync>(desk, "qa:sync", { slug: DAY2 })).view).toBe("staff");
  });
});
