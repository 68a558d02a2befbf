/**
 * Q&A through real sockets: several clients per role, asserting each ack and what every other role
 * receives — and must not receive. Runs on PGlite and on Postgres.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, qaActions, questions, questionVotes, sessions } from "../../db/schema";
import type { ModerationResult, QaSnapshot, QuestionView, SubmitResult, VoteResult } from "../../lib/qa";
import { VOTE_SETTLE_MS } from "../broadcast-tick";
import { metrics } from "../metrics";
import { connectClient, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { call, key, ok, recorder, refused, sleep, sync, waitFor } from "./testing";

const DAY2 = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record, pre-moderated
const NOW = "2024-05-24T10:00:00-04:00";

describe.each(testDatabaseKinds())("Q&A over sockets (%s)", (database) => {
  let server: TestServer;
  const p: Record<string, TestPerson> = {};
  const s: Record<string, TestSocket> = {};
  const events: Record<string, ReturnType<typeof recorder>> = {};

  beforeAll(async () => {
    server = await startTestServer({ now: NOW, database });
    const app = server.services;
    p.ann = await createPerson(app, { name: "Ann Remote", email: "ann@example.org", affiliation: "Ministry of Defence", attendanceMode: "remote" });
    p.bo = await createPerson(app, { name: "Bo Room", kind: "device", attendanceMode: "in_person", roles: [{ slug: DAY2, role: "attendee" }] });
    p.cy = await createPerson(app, { name: "Cy Remote", email: "cy@example.org", attendanceMode: "remote" });
    p.mod1 = await createPerson(app, { name: "Moderator One", email: "m1@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    p.mod2 = await createPerson(app, { name: "Moderator Two", email: "m2@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    p.pan1 = await createPerson(app, { name: "Panelist One", email: "p1@example.org", roles: [{ slug: DAY2, role: "panelist" }] });
    p.pan2 = await createPerson(app, { name: "Panelist Two", email: "p2@example.org", roles: [{ slug: DAY2, role: "panelist" }] });
    for (const [name, person] of Object.entries(p)) {
      s[name] = await connectClient(server.url, { cookie: person.cookie });
      events[name] = recorder(s[name]);
    }
    s.anon = await connectClient(server.url);
    for (const name of ["ann", "bo", "cy"]) expect((await sync(s[name], DAY2)).view).toBe("audience");
    expect((await sync(s.mod1, DAY2)).view).toBe("staff");
    expect((await sync(s.mod2, DAY2)).view).toBe("staff");
    expect((await sync(s.pan1, DAY2)).view).toBe("panel");
    expect((await sync(s.pan2, DAY2)).view).toBe("panel");
  });
  afterAll(async () => {
    for (const sock of Object.values(s)) sock.close();
    await server?.close();
  });

  const of = (who: string, event: string, id?: string) =>
    events[who].filter((e) => e.event === event && (!id || JSON.stringify(e.payload).includes(id))).map((e) => e.payload as Record<string, unknown>);
  const dbQuestion = async (id: string) => (await server.services.db.select().from(questions).where(eq(questions.id, id)))[0];
  /** Holds a question's row (FOR UPDATE) in a transaction until `release()`; resolves once it is held. */
  const holdQuestion = async (id: string) => {
    let release!: () => void;
    const releasing = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const done = server.services.db.transaction(async (tx) => {
      await tx.select().from(questions).where(eq(questions.id, id)).for("update");
      locked();
      await releasing;
    });
    await Promise.race([isLocked, done]);
    return { release, done };
  };

  it("refuses the view to someone not signed in, and gives each role its own", async () => {
    expect(await refused(s.anon, "qa:sync", { slug: DAY2 })).toMatchObject({ code: "unauthenticated" });
    expect(await refused(s.ann, "qa:sync", { slug: "hosted-lunch" })).toMatchObject({ code: "forbidden", message: "This session has no Q&A." });
    expect(await refused(s.ann, "qa:sync", { slug: "no-such-session" })).toMatchObject({ code: "not_found" });
    const staff = await sync(s.mod1, DAY2);
    expect(staff.panelists.map((x) => x.name).sort()).toEqual(["Panelist One", "Panelist Two"]);
    expect(staff.counts).toMatchObject({ pending: 0 });
    // A moderator's screen asks for less and gets it.
    expect((await sync(s.mod2, DAY2, "audience")).view).toBe("audience");
    await sync(s.mod2, DAY2);
  });

  let named: SubmitResult;
  it("a pending question reaches moderators (with the name the asker chose to show) and nobody else", async () => {
    named = await ok<SubmitResult>(s.ann, "question:submit", {
      slug: DAY2,
      key: key(),
      text: "How will FMS case timelines improve next year?",
      anonymous: false,
    });
    expect(named).toMatchObject({ duplicate: false, question: { status: "pending", anonymous: false } });
    const id = named.question.id;
    await waitFor(() => of("mod1", "question:changed", id).length > 0 && of("mod2", "question:changed", id).length > 0);
    const staffView = of("mod1", "question:changed", id)[0].question as QuestionView;
    expect(staffView).toMatchObject({ status: "pending", author: { name: "Ann Remote", affiliation: "Ministry of Defence" }, origin: "remote", tags: [] });
    expect(JSON.stringify(staffView)).not.toContain(p.ann.userId);
    // The asker follows it; the staff get fresh counts.
    await waitFor(() => of("ann", "question:mine", id).length > 0);
    await waitFor(() => of("mod1", "qa:state").some((e) => (e.counts as { pending: number })?.pending === 1));
    await sleep(300);
    for (const who of ["bo", "cy", "pan1", "pan2"]) expect(of(who, "question:changed", id), who).toEqual([]);
    for (const who of ["bo", "cy", "pan1", "mod1"]) expect(of(who, "question:mine", id), who).toEqual([]);
  });

  it("approval reaches everyone, in the projection of their role", async () => {
    const id = named.question.id;
    const r = await ok<ModerationResult>(s.mod1, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: id,
      expectedVersion: 1,
      action: { type: "approve" },
    });
    expect(r.questions[0]).toMatchObject({ id, status: "approved", version: 2 });
    await waitFor(() =>
      ["bo", "cy", "ann", "pan1", "pan2", "mod2"].every((w) => of(w, "question:changed", id).some((e) => (e.question as QuestionView).status === "approved")),
    );
    const audience = of("bo", "question:changed", id)[0].question as QuestionView;
    expect(Object.keys(audience).sort()).toEqual(["answeredAt", "author", "createdAt", "id", "status", "text", "version", "votes"]);
    expect(audience.author).toEqual({ name: "Ann Remote", affiliation: "Ministry of Defence" });
    const panel = of("pan1", "question:changed", id)[0].question as QuestionView;
    expect(panel).toMatchObject({ origin: "remote", routedTo: null });
    expect(panel).not.toHaveProperty("tags");
    expect(panel).not.toHaveProperty("originalText");
    await waitFor(() => of("ann", "question:mine", id).some((e) => (e.question as { status: string }).status === "approved"));
  });

  it("votes: one per person, toggled, counted in the database, broadcast coalesced", async () => {
    const id = named.question.id;
    const v1 = await ok<VoteResult>(s.bo, "question:vote", { slug: DAY2, key: key(), questionId: id, up: true });
    expect(v1).toEqual({ questionId: id, up: true, votes: 1 });
    // The same wish twice is still one vote.
    expect(await ok<VoteResult>(s.bo, "question:vote", { slug: DAY2, key: key(), questionId: id, up: true })).toMatchObject({ votes: 1 });
    await ok(s.cy, "question:vote", { slug: DAY2, key: key(), questionId: id, up: true });
    await waitFor(() => of("ann", "question:votes").some((e) => (e.counts as Array<[string, number]>).some(([q, n]) => q === id && n === 2)));
    await ok(s.cy, "question:vote", { slug: DAY2, key: key(), questionId: id, up: false });
    await waitFor(() => of("pan1", "question:votes").some((e) => (e.counts as Array<[string, number]>).some(([q, n]) => q === id && n === 1)));
    expect((await dbQuestion(id)).voteCount).toBe(1);
    const mine = (await sync(s.bo, DAY2)) as QaSnapshot;
    expect(mine.myVotes).toEqual([id]);
    expect(mine.votes[id]).toBe(1);
  });

  it("dismissal with a reason reaches the asker only; the audience never saw the question", async () => {
    const q = await ok<SubmitResult>(s.cy, "question:submit", { slug: DAY2, key: key(), text: "Off-topic: where is the coffee?" });
    const id = q.question.id;
    await waitFor(() => of("mod2", "question:changed", id).length > 0);
    await ok(s.mod2, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: id,
      expectedVersion: 1,
      action: { type: "dismiss", reason: "Off topic for this session" },
    });
    await waitFor(() => of("cy", "question:mine", id).some((e) => (e.question as { status: string }).status === "dismissed"));
    expect(of("cy", "question:mine", id).at(-1)).toMatchObject({ question: { status: "dismissed", dismissReason: "Off topic for this session" } });
    await sleep(300);
    for (const who of ["ann", "bo", "pan1"]) {
      expect(of(who, "question:changed", id), who).toEqual([]);
      expect(of(who, "question:removed", id), who).toEqual([]);
    }
  });

  it("route, star, tags, stage, answered; panelists see the queue and the stage; undo", async () => {
    const id = named.question.id;
    let v = (await dbQuestion(id)).version;
    const mod = (action: object) =>
      ok<ModerationResult>(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: v, action }).then(
        (r) => ((v = r.questions[0]?.version ?? v), r),
      );
    const staff = (await sync(s.mod1, DAY2)) as QaSnapshot;
    const pan1 = staff.panelists.find((x) => x.name === "Panelist One")!;
    await mod({ type: "route", panelistId: pan1.id });
    await mod({ type: "star", starred: true });
    await mod({ type: "tags", tags: ["Budget", "private-tag"] });
    await waitFor(() => of("pan1", "question:changed", id).some((e) => (e.question as QuestionView).routedTo?.name === "Panelist One"));
    // Tags are private to moderators.
    expect(JSON.stringify(of("pan1", "question:changed", id))).not.toContain("private-tag");
    expect(JSON.stringify(of("bo", "question:changed", id))).not.toContain("private-tag");
    await waitFor(() => of("mod2", "question:changed", id).some((e) => JSON.stringify(e).includes("private-tag")));

    const staged = await mod({ type: "stage" });
    expect(staged.state.onStage).toBe(id);
    await waitFor(() => ["bo", "pan2", "mod2"].every((w) => of(w, "qa:state").some((e) => (e.state as { onStage: string }).onStage === id)));
    await waitFor(() => of("ann", "question:mine", id).some((e) => (e.question as { onStage: boolean }).onStage));
    // Undo takes it off stage again, for everyone.
    const undone = await ok<ModerationResult>(s.mod1, "qa:undo", { slug: DAY2, key: key() });
    expect(undone.summary).toBe("Undone: putting on stage.");
    expect(undone.state.onStage).toBeNull();
    await waitFor(
      () => of("bo", "qa:state").at(-1)?.state !== undefined && (of("bo", "qa:state").at(-1)!.state as { onStage: string | null }).onStage === null,
    );
    await mod({ type: "stage" });

    // A panelist marks it answered: it leaves the stage.
    const answered = await ok<ModerationResult>(s.pan1, "question:answer", { slug: DAY2, key: key(), questionId: id, expectedVersion: v });
    expect(answered.questions[0]).toMatchObject({ status: "answered" });
    expect(answered.state.onStage).toBeNull();
    v = answered.questions[0].version;
    await waitFor(() => of("bo", "question:changed", id).some((e) => (e.question as QuestionView).status === "answered"));
    // The audience cannot answer or moderate.
    expect(await refused(s.bo, "question:answer", { slug: DAY2, key: key(), questionId: id, expectedVersion: v })).toMatchObject({ code: "forbidden" });
    expect(await refused(s.bo, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: v, action: { type: "approve" } })).toMatchObject(
      { code: "forbidden" },
    );

    // Moderator one's later undos meet the panelist's change: refused plainly, with the fresh state.
    expect(await refused(s.mod1, "qa:undo", { slug: DAY2, key: key() })).toMatchObject({
      code: "version_conflict",
      message: expect.stringMatching(/stage changed/),
    });
    const blocked = await refused(s.mod1, "qa:undo", { slug: DAY2, key: key() });
    expect(blocked.code).toBe("version_conflict");
    expect(blocked.current).toMatchObject({ id, status: "answered" });
    expect((await dbQuestion(id)).status).toBe("answered");
  });

  it("edit keeps the original for the audit log, which records who, what, before and after", async () => {
    const q = await ok<SubmitResult>(s.bo, "question:submit", { slug: DAY2, key: key(), text: "wat about the budjet for trainig?" });
    const r = await ok<ModerationResult>(s.mod1, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: q.question.id,
      expectedVersion: 1,
      action: { type: "edit", text: "What about the budget for training?" },
    });
    expect(r.questions[0]).toMatchObject({ text: "What about the budget for training?", originalText: "wat about the budjet for trainig?" });
    const [entry] = await server.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "question:edit"), eq(auditLog.objectId, q.question.id)));
    expect(entry).toMatchObject({ actorLabel: "Moderator One", outcome: "ok" });
    expect(entry.before).toMatchObject({ questions: [{ text: "wat about the budjet for trainig?" }] });
    expect(entry.after).toMatchObject({ questions: [{ text: "What about the budget for training?", originalText: "wat about the budjet for trainig?" }] });
    await waitFor(() => of("bo", "question:mine", q.question.id).some((e) => (e.question as { text: string }).text.startsWith("What about")));
  });

  it("merge combines votes (distinct people), shows the asker 'merged into …', and undo restores both", async () => {
    const a = await ok<SubmitResult>(s.ann, "question:submit", { slug: DAY2, key: key(), text: "Is the industrial base ready for demand surges?" });
    const b = await ok<SubmitResult>(s.cy, "question:submit", { slug: DAY2, key: key(), text: "Can industry keep up with surging partner demand?" });
    for (const x of [a, b])
      await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: x.question.id, expectedVersion: 1, action: { type: "approve" } });
    await ok(s.bo, "question:vote", { slug: DAY2, key: key(), questionId: a.question.id, up: true });
    await ok(s.bo, "question:vote", { slug: DAY2, key: key(), questionId: b.question.id, up: true });
    await ok(s.ann, "question:vote", { slug: DAY2, key: key(), questionId: b.question.id, up: true });
    const merged = await ok<ModerationResult>(s.mod2, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: b.question.id,
      expectedVersion: 2,
      action: { type: "merge", intoId: a.question.id },
    });
    const target = merged.questions.find((x) => x.id === a.question.id)!;
    expect(target.votes).toBe(2); // Bo (on both) and Ann: two people
    await waitFor(() => of("cy", "question:mine", b.question.id).some((e) => (e.question as { status: string }).status === "merged"));
    expect(of("cy", "question:mine", b.question.id).at(-1)).toMatchObject({
      question: { status: "merged", mergedInto: { id: a.question.id, text: "Is the industrial base ready for demand surges?" } },
    });
    await waitFor(() => of("bo", "question:removed", b.question.id).length === 1);
    // Voting on the merged question counts for its target; Bo's vote already does.
    expect(await ok<VoteResult>(s.cy, "question:vote", { slug: DAY2, key: key(), questionId: b.question.id, up: true })).toEqual({
      questionId: a.question.id,
      up: true,
      votes: 3,
    });
    await ok(s.cy, "question:vote", { slug: DAY2, key: key(), questionId: a.question.id, up: false });
    const u = await ok<ModerationResult>(s.mod2, "qa:undo", { slug: DAY2, key: key() });
    expect(u.summary).toBe("Undone: merge.");
    expect((await dbQuestion(b.question.id)).status).toBe("approved");
    expect((await dbQuestion(b.question.id)).voteCount).toBe(2);
    expect((await dbQuestion(a.question.id)).voteCount).toBe(1);
    await waitFor(() =>
      of("bo", "question:changed", b.question.id).some((e) => (e.question as QuestionView).status === "approved" && (e.question as QuestionView).version > 2),
    );
  });

  it("a vote on a merge's target from someone whose vote already counts through the merged question does not count twice", async () => {
    const a = await ok<SubmitResult>(s.bo, "question:submit", { slug: DAY2, key: key(), text: "How long do partners wait for a letter of offer?" });
    const b = await ok<SubmitResult>(s.cy, "question:submit", { slug: DAY2, key: key(), text: "What is the typical wait for an LOA?" });
    for (const x of [a, b])
      await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: x.question.id, expectedVersion: 1, action: { type: "approve" } });
    await ok(s.ann, "question:vote", { slug: DAY2, key: key(), questionId: b.question.id, up: true });
    await ok(s.mod2, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: b.question.id,
      expectedVersion: 2,
      action: { type: "merge", intoId: a.question.id },
    });
    expect((await dbQuestion(a.question.id)).voteCount).toBe(1); // Ann, through the merged question
    // Ann and Cy vote on the target itself, together: Ann's vote already counts, Cy's is new.
    const [ann, cy] = await Promise.all([
      ok<VoteResult>(s.ann, "question:vote", { slug: DAY2, key: key(), questionId: a.question.id, up: true }),
      ok<VoteResult>(s.cy, "question:vote", { slug: DAY2, key: key(), questionId: a.question.id, up: true }),
    ]);
    expect(Math.max(ann.votes, cy.votes)).toBe(2);
    expect((await dbQuestion(a.question.id)).voteCount).toBe(2);
    // A second vote by the same person changes nothing.
    expect(await ok<VoteResult>(s.cy, "question:vote", { slug: DAY2, key: key(), questionId: a.question.id, up: true })).toMatchObject({ votes: 2 });
  });

  it("a room of phones joining and syncing at once reads the session and its questions a few times, not once per phone", async () => {
    const crowd = await Promise.all(
      Array.from({ length: 30 }, (_, i) => createPerson(server.services, { name: `Sync Reader ${i}`, email: `reader${i}-${database}@example.org` })),
    );
    const c = await Promise.all(crowd.map((person) => connectClient(server.url, { cookie: person.cookie })));
    try {
      const questionReads = async () => {
        const { values } = await metrics().dbDuration.get();
        return values.find((v) => v.metricName?.endsWith("_count") && v.labels.operation === "select questions")?.value ?? 0;
      };
      const batches = async () => {
        const { values } = await metrics().batchSize.get();
        return values.find((v) => v.metricName?.endsWith("_count") && v.labels.batcher === "qa_syncs")?.value ?? 0;
      };
      const sessionReads = async () => {
        const { values } = await metrics().dbDuration.get();
        return values.find((v) => v.metricName?.endsWith("_count") && v.labels.operation === "select sessions")?.value ?? 0;
      };
      const joinsBefore = await sessionReads();
      await Promise.all(c.map((sock) => ok(sock, "session:join", { slug: DAY2 })));
      // Joins that arrive in the same turn share one read (server/agenda/service.ts, `gather`).
      expect((await sessionReads()) - joinsBefore).toBeLessThan(10);
      // Earlier tests' votes leave a settling count broadcast behind (VOTE_SETTLE_MS after their last
      // tick), which reads the questions too: wait until no read has happened for longer than that.
      let last = await questionReads();
      for (let quiet = 0, waited = 0; quiet < VOTE_SETTLE_MS + 400 && waited < 10_000; quiet += 100, waited += 100) {
        await sleep(100);
        const now = await questionReads();
        if (now !== last) [last, quiet] = [now, 0];
      }
      const [before, batchesBefore] = [await questionReads(), await batches()];
      const answers = await Promise.all(c.map((sock) => ok<QaSnapshot>(sock, "qa:sync", { slug: DAY2 })));
      const [reads, written] = [(await questionReads()) - before, (await batches()) - batchesBefore];
      for (const a of answers) expect(a.questions).toEqual(answers[0].questions);
      // Per batch: the batch's own questions (one statement for everyone in it) and the visible list.
      expect(written).toBeLessThan(30);
      expect(reads).toBeLessThanOrEqual(2 * written);
    } finally {
      c.forEach((sock) => sock.close());
    }
  });

  it("a batch of up-votes on several questions costs one statement", async () => {
    const crowd = await Promise.all(
      Array.from({ length: 6 }, (_, i) => createPerson(server.services, { name: `Storm Voter ${i}`, email: `storm${i}-${database}@example.org` })),
    );
    const c = await Promise.all(crowd.map((person) => connectClient(server.url, { cookie: person.cookie })));
    try {
      // Not the reads of the count broadcasts (a tick after the votes, a settling read later), which
      // land in a round when the machine is slow; the general path still shows in its writes.
      const statements = async () => {
        const { values } = await metrics().dbDuration.get();
        return values.filter((v) => v.metricName?.endsWith("_count") && v.labels.operation !== "select questions").reduce((n, v) => n + v.value, 0);
      };
      const batches = async () => {
        const { values } = await metrics().batchSize.get();
        return values.find((v) => v.metricName?.endsWith("_count") && v.labels.batcher === "qa_votes")?.value ?? 0;
      };
      // Three rounds of six votes on three new questions. The count is the whole server's, and its own
      // sweeps (every 1–10 s) can only add statements to a round, so the round with the fewest
      // statements beyond two per batch is the cost of the votes alone.
      const overBudget: number[] = [];
      for (const round of [0, 1, 2]) {
        const ids: string[] = [];
        for (const [i, text] of ["Which partners joined the pilot?", "When does the pilot report?", "Who funds the pilot?"].entries()) {
          const asker = c[(round * 3 + i) % c.length];
          const id = (await ok<SubmitResult>(asker, "question:submit", { slug: DAY2, key: key(), text: `${text} (${round})` })).question.id;
          await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } });
          ids.push(id);
        }
        const [before, batchesBefore] = [await statements(), await batches()];
        const acks = await Promise.all(c.map((sock, i) => ok<VoteResult>(sock, "question:vote", { slug: DAY2, key: key(), questionId: ids[i % 3], up: true })));
        const [spent, written] = [(await statements()) - before, (await batches()) - batchesBefore];
        for (const a of acks) expect(a.votes).toBeGreaterThanOrEqual(1);
        for (const id of ids) expect((await dbQuestion(id)).voteCount).toBe(2);
        expect(written).toBeGreaterThan(0);
        overBudget.push(spent - 2 * written);
      }
      // Per batch: the session, then one statement for every question voted on. One per question
      // would be up to four a batch here; the general path takes at least four per question.
      expect(Math.min(...overBudget)).toBeLessThanOrEqual(0);
    } finally {
      c.forEach((sock) => sock.close());
    }
  });

  it("two moderators on one question: one wins, the other gets version_conflict with the fresh state", async () => {
    const q = await ok<SubmitResult>(s.bo, "question:submit", { slug: DAY2, key: key(), text: "Who decides the priority between partners?" });
    const id = q.question.id;
    const [r1, r2] = await Promise.all([
      call<ModerationResult>(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } }),
      call<ModerationResult>(s.mod2, "question:moderate", {
        slug: DAY2,
        key: key(),
        questionId: id,
        expectedVersion: 1,
        action: { type: "dismiss", reason: "Duplicate of another question" },
      }),
    ]);
    const results = [r1, r2];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok)!;
    if (loser.ok) throw new Error("unreachable");
    expect(loser.error.code).toBe("version_conflict");
    expect(loser.error.message).toMatch(/A moderator changed this question a moment ago \(it is now (approved|dismissed)\)/);
    expect(loser.error.changedBy).toBe("moderator");
    const row = await dbQuestion(id);
    expect(loser.error.current).toMatchObject({ id, status: row.status, version: 2 });
    expect(row.version).toBe(2);
  });

  it("the same person voting from two tabs at once counts once; a burst of votes equals the database", async () => {
    const q = await ok<SubmitResult>(s.ann, "question:submit", { slug: DAY2, key: key(), text: "How is partner demand forecast?" });
    const id = q.question.id;
    await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } });
    const tab2 = await connectClient(server.url, { cookie: p.bo.cookie });
    const both = await Promise.all([s.bo, tab2].map((t) => ok<VoteResult>(t, "question:vote", { slug: DAY2, key: key(), questionId: id, up: true })));
    expect(both.map((b) => b.votes).sort()).toEqual([1, 1]);
    tab2.close();

    const crowd = await Promise.all(
      Array.from({ length: 30 }, (_, i) => createPerson(server.services, { name: `Voter ${i}`, email: `voter${i}-${database}@example.org` })),
    );
    const sockets = await Promise.all(crowd.map((c) => connectClient(server.url, { cookie: c.cookie })));
    // Every voter votes up; a third change their mind at once; all at the same time.
    await Promise.all(
      sockets.map(async (sock, i) => {
        await ok(sock, "question:vote", { slug: DAY2, key: key(), questionId: id, up: true });
        if (i % 3 === 0) await ok(sock, "question:vote", { slug: DAY2, key: key(), questionId: id, up: false });
      }),
    );
    const expected = 1 + 30 - 10;
    const [{ n }] = await server.services.db
      .select({ n: sql<number>`count(*)::int` })
      .from(questionVotes)
      .where(eq(questionVotes.questionId, id));
    expect(n).toBe(expected);
    expect((await dbQuestion(id)).voteCount).toBe(expected);
    await waitFor(() => {
      const last = of("cy", "question:votes")
        .filter((e) => (e.counts as Array<[string, number]>).some(([qid]) => qid === id))
        .at(-1);
      return Boolean(last && (last.counts as Array<[string, number]>).find(([qid]) => qid === id)![1] === expected);
    });
    // Coalesced: far fewer broadcasts than the 41 votes.
    expect(of("cy", "question:votes").filter((e) => JSON.stringify(e).includes(id)).length).toBeLessThan(20);
    for (const sock of sockets) sock.close();
  });

  it("votes that arrive together are written together: each is answered with the count it left, refusals touch no one else", async () => {
    const db = server.services.db;
    const crowd = await Promise.all(
      Array.from({ length: 9 }, (_, i) => createPerson(server.services, { name: `Batch Voter ${i}`, email: `batch${i}-${database}@example.org` })),
    );
    const c = await Promise.all(crowd.map((person) => connectClient(server.url, { cookie: person.cookie })));
    const ask = (sock: TestSocket, text: string) => ok<SubmitResult>(sock, "question:submit", { slug: DAY2, key: key(), text });
    const approve = (id: string) =>
      ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } });
    const x = (await ask(c[1], "Which offset rules apply to co-production?")).question.id;
    const y = (await ask(c[2], "How do offsets work when partners co-produce?")).question.id;
    const pending = (await ask(c[3], "What is the timeline for the next reform package?")).question.id;
    await approve(x);
    await approve(y);
    const vote = (sock: TestSocket, questionId: string, up: boolean) => call<VoteResult>(sock, "question:vote", { slug: DAY2, key: key(), questionId, up });
    // Opened in `finally` too: a failed step must not leave x locked for the tests after it.
    let release = () => {};
    try {
      // Voter 0 voted on y before it was merged into x: that vote already counts for x.
      await ok(c[0], "question:vote", { slug: DAY2, key: key(), questionId: y, up: true });
      await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: y, expectedVersion: 2, action: { type: "merge", intoId: x } });

      // Hold x's row: the first vote's batch waits for it (and so does the second's, where two batches
      // are written at once), and everything sent meanwhile queues for the next batch.
      const holding = await holdQuestion(x);
      release = holding.release;
      const firstAck = vote(c[7], x, true);
      // Written, not only received: a vote that comes within a batch's fill time of the last one waits
      // for company, and the next would then join it.
      await waitFor(() => server.services.qa.votesWriting === 1, 5_000, "the first vote's batch to start");
      const secondAck = vote(c[8], x, true);
      const two = server.services.qa.voteBatchesAtOnce === 2;
      await waitFor(() => (two ? server.services.qa.votesWriting === 2 : server.services.qa.votesPending === 2), 5_000, "the second vote's batch to start");
      const acks = {
        crowd: [1, 2, 3, 4].map((i) => vote(c[i], x, true)),
        mindChange: [true, false, true].map((up) => vote(c[5], x, up)),
        alreadyCounted: vote(c[0], x, true),
        notOpen: vote(c[6], pending, true),
        takesBackNothing: vote(s.cy, x, false),
        malformed: call(s.ann, "question:vote", { slug: DAY2, key: key(), questionId: x, up: "yes" }),
      };
      await waitFor(() => server.services.qa.votesPending === 12, 5_000, "the votes to queue behind the first two batches");
      release();
      await holding.done;

      // With two batches written at once (PGlite) the second vote has a batch of its own, and the two
      // take x's row one after the other, in either order; with one at a time (Postgres) it waits with the rest.
      const firstTwo = [await firstAck, await secondAck].map((a) => (a.ok ? a.data.votes : a.error.code)).sort();
      expect(firstTwo).toEqual(server.services.qa.voteBatchesAtOnce === 2 ? [2, 3] : [2, 8]);
      // Voters 1–5 are new (8 in all); voter 0's vote on x is not a second one; Cy had none to take back.
      for (const a of [...(await Promise.all(acks.crowd)), await acks.alreadyCounted, await acks.takesBackNothing]) {
        expect(a).toMatchObject({ ok: true, data: { questionId: x, votes: 8 } });
      }
      // One person's up, down, up sent at once are written one after the other, in order.
      expect((await Promise.all(acks.mindChange)).map((a) => (a.ok ? [a.data.up, a.data.votes] : a.error.code))).toEqual([
        [true, 8],
        [false, 7],
        [true, 8],
      ]);
      expect(await acks.notOpen).toMatchObject({ ok: false, error: { code: "not_found" } });
      expect(await acks.malformed).toMatchObject({ ok: false, error: { code: "invalid_payload" } });

      expect((await dbQuestion(x)).voteCount).toBe(8);
      const [{ distinct }] = await db
        .select({ distinct: sql<number>`count(DISTINCT ${questionVotes.voterId})::int` })
        .from(questionVotes)
        .where(sql`${questionVotes.questionId} IN (${x}, ${y})`);
      expect(distinct).toBe(8);
      expect(await db.select().from(questionVotes).where(eq(questionVotes.questionId, pending))).toHaveLength(0);
    } finally {
      release();
      for (const sock of c) sock.close();
    }
  });

  it.runIf(database === "postgres")(
    "a vote batch that deadlocks with a transaction holding two questions is written the general way, nothing lost",
    async () => {
      const db = server.services.db;
      const crowd = await Promise.all(
        Array.from({ length: 3 }, (_, i) => createPerson(server.services, { name: `Deadlock Voter ${i}`, email: `deadlock${i}@example.org` })),
      );
      const c = await Promise.all(crowd.map((person) => connectClient(server.url, { cookie: person.cookie })));
      const vote = (sock: TestSocket, questionId: string) => call<VoteResult>(sock, "question:vote", { slug: DAY2, key: key(), questionId, up: true });
      const gate = () => {
        let open!: () => void;
        return { opened: new Promise<void>((resolve) => (open = resolve)), open: () => open() };
      };
      /**
       * One try at the deadlock; true when Postgres failed the batch's statement. Postgres fails the
       * side whose deadlock_timeout (1 s) runs out after the cycle formed, which is the batch unless
       * this process was stalled for a second between the two waits; then the other side fails.
       */
      const attempt = async (round: number): Promise<boolean> => {
        const ids: string[] = [];
        for (const [i, text] of [`Deadlock one, round ${round}?`, `Deadlock two, round ${round}?`, `Deadlock three, round ${round}?`].entries()) {
          const id = (await ok<SubmitResult>(c[i], "question:submit", { slug: DAY2, key: key(), text })).question.id;
          await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } });
          ids.push(id);
        }
        const [other, lo, hi] = [ids[0], ...ids.slice(1).sort()]; // the batch statement locks in id order: lo, then hi
        const [busy, busyHeld, holdsHi, wantsLo] = [gate(), gate(), gate(), gate()];
        try {
          // A first batch waits on `other`, so the next two votes are written together, in one statement
          // (on Postgres one vote batch is written at a time).
          const busyTx = db.transaction(async (tx) => {
            await tx.select().from(questions).where(eq(questions.id, other)).for("update");
            busyHeld.open();
            await busy.opened;
          });
          await busyHeld.opened;
          const first = vote(c[0], other);
          await waitFor(() => server.services.qa.votesWriting === 1, 5_000, "the first batch to start");
          const together = [vote(c[1], lo), vote(c[2], hi)];
          await waitFor(() => server.services.qa.votesPending === 3, 5_000, "the two votes to queue");
          // Another transaction holds hi, then (once the batch holds lo and waits for hi) asks for lo.
          const crossTx = db.transaction(async (tx) => {
            await tx.select().from(questions).where(eq(questions.id, hi)).for("update");
            holdsHi.open();
            await wantsLo.opened;
            await tx.select().from(questions).where(eq(questions.id, lo)).for("update");
          });
          await holdsHi.opened;
          busy.open();
          await busyTx;
          expect(await first).toMatchObject({ ok: true });
          await waitFor(
            async () => {
              const r = await db.execute(
                sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%insert into "question_votes"%'`,
              );
              return Number((r as unknown as { rows: Array<{ n: number }> }).rows[0].n) === 1;
            },
            5_000,
            "the batch to hold lo and wait for hi",
          );
          wantsLo.open();
          const batchFailed = await crossTx.then(
            () => true,
            (err: unknown) => {
              // Only a deadlock on this side is expected; anything else is a fault of the test's own.
              expect(err).toMatchObject({ cause: { code: "40P01" } });
              return false;
            },
          );
          // Either way every vote is acknowledged once and counted once.
          const acks = await Promise.all(together);
          expect(acks).toEqual([
            { ok: true, data: { questionId: lo, up: true, votes: 1 } },
            { ok: true, data: { questionId: hi, up: true, votes: 1 } },
          ]);
          for (const id of [lo, hi]) expect((await dbQuestion(id)).voteCount).toBe(1);
          return batchFailed;
        } finally {
          // A failed step must not leave rows locked for the tests after it.
          busy.open();
          wantsLo.open();
        }
      };
      try {
        let batchFailed = false;
        for (let round = 1; round <= 3 && !batchFailed; round++) batchFailed = await attempt(round);
        expect(batchFailed, "in three rounds Postgres never failed the batch's statement, so the general way went untested").toBe(true);
      } finally {
        for (const sock of c) sock.close();
      }
    },
  );

  it("a storm's backlog of votes is written in batches as large as the database takes: one of 150 on Postgres, at most 100 each on PGlite", async () => {
    const backlog = 150; // over PGlite's batch of 100, under Postgres's 300
    const crowd = await Promise.all(
      Array.from({ length: backlog + 2 }, (_, i) =>
        createPerson(server.services, { name: `Backlog Voter ${i}`, email: `backlog${i}-${database}@example.org` }),
      ),
    );
    const c = await Promise.all(crowd.map((person) => connectClient(server.url, { cookie: person.cookie })));
    const batches = async () => {
      const { values } = await metrics().batchSize.get();
      const mine = values.filter((v) => v.labels.batcher === "qa_votes");
      return {
        all: mine.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0,
        upTo100: mine.find((v) => v.metricName?.endsWith("_bucket") && (v.labels as { le?: number }).le === 100)?.value ?? 0,
      };
    };
    // The last of them asks; the first votes alone, the next 150 queue behind it.
    const id = (await ok<SubmitResult>(c[backlog + 1], "question:submit", { slug: DAY2, key: key(), text: "Which backlog clears first?" })).question.id;
    await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } });
    const vote = (sock: TestSocket) => ok<VoteResult>(sock, "question:vote", { slug: DAY2, key: key(), questionId: id, up: true });
    let release = () => {};
    try {
      // Hold the question's row: the first vote's batch waits for it, and the storm queues behind.
      const holding = await holdQuestion(id);
      release = holding.release;
      const before = await batches();
      const first = vote(c[0]);
      await waitFor(() => server.services.qa.votesWriting === 1, 5_000, "the first vote's batch to start");
      const storm = c.slice(1, backlog + 1).map(vote);
      await waitFor(() => server.services.qa.votesPending === backlog + 1, 5_000, "the storm to queue");
      release();
      await holding.done;
      const acks = await Promise.all([first, ...storm]);
      expect(Math.max(...acks.map((a) => a.votes))).toBe(backlog + 1);
      expect((await dbQuestion(id)).voteCount).toBe(backlog + 1);
      const after = await batches();
      const [written, over100] = [after.all - before.all, after.all - after.upTo100 - (before.all - before.upTo100)];
      if (database === "postgres") {
        // The first vote alone, then the whole backlog in one statement.
        expect({ written, over100 }).toEqual({ written: 2, over100: 1 });
      } else {
        // An approval waits in PGlite's one thread behind the batch under way: batches stay short.
        expect(over100).toBe(0);
        expect(written).toBeGreaterThanOrEqual(1 + Math.ceil(backlog / 100));
      }
    } finally {
      release();
      for (const sock of c) sock.close();
    }
  });

  it("syncs sent at the same moment are answered together, each with its own view: the same answers as one at a time", async () => {
    const sessionVersion = (await sync(s.mod1, DAY2)).version;
    const asker = await createPerson(server.services, { name: "Sync Asker", email: `sync-asker-${database}@example.org` });
    const voter = await createPerson(server.services, { name: "Sync Voter", email: `sync-voter-${database}@example.org` });
    const mod = await createPerson(server.services, {
      name: "Sync Moderator",
      email: `sync-mod-${database}@example.org`,
      roles: [{ slug: DAY2, role: "moderator" }],
    });
    const pan = await createPerson(server.services, {
      name: "Sync Panelist",
      email: `sync-pan-${database}@example.org`,
      roles: [{ slug: DAY2, role: "panelist" }],
    });
    const outsider = await createPerson(server.services, { name: "Sync Device", kind: "device", attendanceMode: "in_person" });
    const socks = await Promise.all([asker, voter, mod, pan, outsider].map((x) => connectClient(server.url, { cookie: x.cookie })));
    const [a, v, m, pn, out] = socks;
    try {
      // Something of their own for each: Asker's pending question, Voter's vote.
      const mine = await ok<SubmitResult>(a, "question:submit", { slug: DAY2, key: key(), text: "Will syncs in one batch stay apart?" });
      const second = await ok<SubmitResult>(a, "question:submit", { slug: DAY2, key: key(), text: "And will their votes?" });
      await ok(m, "question:moderate", { slug: DAY2, key: key(), questionId: second.question.id, expectedVersion: 1, action: { type: "approve" } });
      const approved = { id: second.question.id };
      await ok(v, "question:vote", { slug: DAY2, key: key(), questionId: approved.id, up: true });
      const requests: Array<[TestSocket, Record<string, unknown>]> = [
        [a, { slug: DAY2 }],
        [v, { slug: DAY2 }],
        [v, { slug: DAY2, since: sessionVersion }],
        [m, { slug: DAY2 }],
        [m, { slug: DAY2, view: "audience" }],
        [pn, { slug: DAY2 }],
        [pn, { slug: DAY2, since: sessionVersion }],
        [out, { slug: DAY2 }],
        [s.anon, { slug: DAY2 }],
        [a, { slug: "no-such-session" }],
        [a, { slug: DAY2, since: "yesterday" }],
      ];
      const together = await Promise.all(requests.map(([sock, payload]) => call(sock, "qa:sync", payload)));
      const alone = [];
      for (const [sock, payload] of requests) alone.push(await call(sock, "qa:sync", payload));
      expect(together).toEqual(alone);
      // And each is its own: the views, the person's own question and vote, the refusals.
      const views = together.map((r) => (r.ok ? (r.data as QaSnapshot).view : r.error.code));
      expect(views).toEqual([
        "audience",
        "audience",
        "audience",
        "staff",
        "audience",
        "panel",
        "panel",
        "forbidden",
        "unauthenticated",
        "not_found",
        "invalid_payload",
      ]);
      const data = (i: number) => (together[i].ok ? (together[i].data as QaSnapshot) : undefined)!;
      expect(data(0).mine.map((x) => x.id)).toEqual([mine.question.id, second.question.id]);
      expect(data(0).myVotes).toEqual([]);
      expect(data(1).mine).toEqual([]);
      expect(data(1).myVotes).toEqual([approved.id]);
      expect(data(2).kind).toBe("changes");
      expect(data(3).questions.some((x) => x.id === mine.question.id)).toBe(true); // staff see the pending question
      expect(data(4).questions.some((x) => x.id === mine.question.id)).toBe(false);
      expect(data(3).counts).not.toBeNull();
      expect(data(4).counts).toBeNull();
    } finally {
      for (const sock of socks) sock.close();
    }
  });

  it("a resent key is stored once, even from two tabs at the same moment", async () => {
    const k = key();
    const tab2 = await connectClient(server.url, { cookie: p.cy.cookie });
    const payload = { slug: DAY2, key: k, text: "Will the symposium slides be shared?" };
    const [a, b] = await Promise.all([ok<SubmitResult>(s.cy, "question:submit", payload), ok<SubmitResult>(tab2, "question:submit", payload)]);
    expect(a.question.id).toBe(b.question.id);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    const again = await ok<SubmitResult>(s.cy, "question:submit", payload);
    expect(again).toMatchObject({ duplicate: true, question: { id: a.question.id } });
    const rows = await server.services.db.select().from(questions).where(eq(questions.clientKey, k));
    expect(rows).toHaveLength(1);
    // The same key from another person is another question (keys are per person).
    const other = await ok<SubmitResult>(s.ann, "question:submit", payload);
    expect(other.question.id).not.toBe(a.question.id);
    tab2.close();
  });

  it("after a disconnect, the client gets only what changed since the version it held", async () => {
    const before = await sync(s.pan2, DAY2);
    s.pan2.disconnect();
    const q = await ok<SubmitResult>(s.bo, "question:submit", { slug: DAY2, key: key(), text: "What changed while I was away?" });
    await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: q.question.id, expectedVersion: 1, action: { type: "approve" } });
    const existing = [...before.questions].find((x) => x.status === "approved")!;
    await ok(s.mod1, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: existing.id,
      expectedVersion: existing.version,
      action: { type: "dismiss", reason: "Already answered" },
    });
    s.pan2.connect();
    await waitFor(() => s.pan2.connected);
    const changes = await sync(s.pan2, DAY2, undefined, before.version);
    expect(changes.kind).toBe("changes");
    if (changes.kind !== "changes") throw new Error("unreachable");
    expect(changes.questions.map((x) => x.id)).toEqual([q.question.id]);
    expect(changes.removed).toEqual([existing.id]);
    expect(changes.version).toBeGreaterThan(before.version);
  });

  /** A fresh audience member's socket (each person may ask 5 questions a minute). */
  const askers: TestSocket[] = [];
  const asker = async () => {
    const person = await createPerson(server.services, { name: "Fresh Asker", email: `fresh-${askers.length}-${database}@example.org` });
    const sock = await connectClient(server.url, { cookie: person.cookie });
    askers.push(sock);
    return sock;
  };
  afterAll(() => askers.forEach((a) => a.close()));

  it("a reconnecting audience is told to drop only questions it could have shown, never ones it never saw", async () => {
    const approve = async (id: string, version = 1) =>
      ok<ModerationResult>(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: version, action: { type: "approve" } });
    const dismiss = async (id: string, version: number) =>
      ok<ModerationResult>(s.mod1, "question:moderate", {
        slug: DAY2,
        key: key(),
        questionId: id,
        expectedVersion: version,
        action: { type: "dismiss", reason: "Not a question" },
      });
    // Public before the audience's version, dismissed after it: the audience held it, so it is removed.
    const shown = (await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Shown before, dismissed later?" })).question.id;
    await approve(shown);
    const held = await sync(s.cy, DAY2, "audience");
    const heldPanel = await sync(s.pan2, DAY2);
    expect(held.questions.map((x) => x.id)).toContain(shown);
    await dismiss(shown, 2);
    // Never public: asked, edited, starred and dismissed while pending; and one approved and dismissed
    // again only after the version the client holds (it never saw it either).
    const hidden = (await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Pending, then dismissed: never shown?" }))
      .question.id;
    let r = await ok<ModerationResult>(s.mod1, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: hidden,
      expectedVersion: 1,
      action: { type: "star", starred: true },
    });
    r = await ok<ModerationResult>(s.mod1, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: hidden,
      expectedVersion: r.questions[0].version,
      action: { type: "edit", text: "Pending and edited: never shown?" },
    });
    await dismiss(hidden, r.questions[0].version);
    const stillPending = (await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Still pending after the version held?" }))
      .question.id;
    await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: stillPending, expectedVersion: 1, action: { type: "tags", tags: ["later"] } });
    const brief = (await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Approved and dismissed after the version held?" }))
      .question.id;
    await approve(brief);
    await dismiss(brief, 2);

    for (const [who, since] of [
      ["cy", held.version],
      ["pan2", heldPanel.version],
    ] as const) {
      const changes = await sync(s[who], DAY2, who === "cy" ? "audience" : undefined, since);
      if (changes.kind !== "changes") throw new Error("expected changes");
      expect(changes.removed, who).toEqual([shown]);
      expect(JSON.stringify(changes), who).not.toContain(hidden);
      expect(JSON.stringify(changes), who).not.toContain(stillPending);
      expect(JSON.stringify(changes), who).not.toContain(brief);
    }
  });

  it("two sends of one staff key at the same moment act once and answer both with the first result (moderate, undo)", async () => {
    const tab2 = await connectClient(server.url, { cookie: p.mod1.cookie });
    try {
      const q = await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Sent twice by a nervous moderator?" });
      const id = q.question.id;
      const approve = { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } };
      const both = await Promise.all([
        call<ModerationResult>(s.mod1, "question:moderate", approve),
        call<ModerationResult>(tab2, "question:moderate", approve),
      ]);
      // Not a false version_conflict for the second: the same answer, one change.
      expect(both.map((x) => x.ok)).toEqual([true, true]);
      if (!both[0].ok || !both[1].ok) throw new Error("unreachable");
      expect(both[1].data).toEqual(both[0].data);
      expect(both[0].data.questions[0]).toMatchObject({ id, status: "approved", version: 2 });
      expect(await dbQuestion(id)).toMatchObject({ status: "approved", version: 2 });
      expect(await server.services.db.select().from(qaActions).where(eq(qaActions.clientKey, approve.key))).toHaveLength(1);
      const approvals = await server.services.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "question:approve"), eq(auditLog.objectId, id)));
      expect(approvals).toHaveLength(1);

      // Two undoable actions of this moderator: approve, then star. One undo key sent twice undoes the star only.
      await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 2, action: { type: "star", starred: true } });
      const undo = { slug: DAY2, key: key() };
      const undos = await Promise.all([call<ModerationResult>(s.mod1, "qa:undo", undo), call<ModerationResult>(tab2, "qa:undo", undo)]);
      expect(undos.map((x) => x.ok)).toEqual([true, true]);
      if (!undos[0].ok || !undos[1].ok) throw new Error("unreachable");
      expect(undos.map((x) => (x.ok ? x.data.summary : ""))).toEqual(["Undone: star.", "Undone: star."]);
      expect(undos[1].data).toEqual(undos[0].data);
      expect(await dbQuestion(id)).toMatchObject({ status: "approved", starred: false, version: 4 });
      expect(
        await server.services.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.action, "question:undo"), eq(auditLog.objectId, id))),
      ).toHaveLength(1);
      // A later resend of either key still changes nothing.
      expect(await ok<ModerationResult>(s.mod1, "qa:undo", undo)).toEqual(undos[0].data);
      expect(await ok<ModerationResult>(tab2, "question:moderate", approve)).toEqual(both[0].data);
      expect(await dbQuestion(id)).toMatchObject({ status: "approved", starred: false, version: 4 });
    } finally {
      tab2.close();
    }
  });

  it("a refused undo that left the history answers a resend of its key with the same refusal, not the undo before it", async () => {
    const q = await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Undo meets a colleague's change?" });
    const id = q.question.id;
    await ok(s.mod2, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } });
    await ok(s.mod2, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 2, action: { type: "star", starred: true } });
    // Moderator one builds on it: moderator two's star can no longer be undone.
    await ok(s.mod1, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: 3, action: { type: "tags", tags: ["follow-up"] } });
    const undo = { slug: DAY2, key: key() };
    expect(await refused(s.mod2, "qa:undo", undo)).toMatchObject({ code: "version_conflict", current: { id, starred: true } });
    expect(await refused(s.mod2, "qa:undo", undo)).toMatchObject({ code: "version_conflict" });
    expect(await dbQuestion(id)).toMatchObject({ status: "approved", starred: true, version: 4 });
  });

  it("the action and its audit entry commit together: when the entry cannot be written, the action is not applied", async () => {
    const db = server.services.db;
    const q = await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Will this star be audited?" });
    const id = q.question.id;
    // A real write failure in the audit table, for this one kind of entry (NOT VALID: earlier rows stay).
    await db.execute(sql`ALTER TABLE audit_log ADD CONSTRAINT test_audit_refuses_stars CHECK (action <> 'question:star') NOT VALID`);
    try {
      const k = key();
      expect(
        await refused(s.mod1, "question:moderate", { slug: DAY2, key: k, questionId: id, expectedVersion: 1, action: { type: "star", starred: true } }),
      ).toMatchObject({ code: "internal" });
      expect(await dbQuestion(id)).toMatchObject({ starred: false, version: 1 });
      expect(await db.select().from(qaActions).where(eq(qaActions.clientKey, k))).toHaveLength(0);
    } finally {
      await db.execute(sql`ALTER TABLE audit_log DROP CONSTRAINT test_audit_refuses_stars`);
    }
    const r = await ok<ModerationResult>(s.mod1, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: id,
      expectedVersion: 1,
      action: { type: "star", starred: true },
    });
    expect(r.questions[0]).toMatchObject({ starred: true, version: 2 });
    const entries = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "question:star"), eq(auditLog.objectId, id)));
    expect(entries).toHaveLength(1);
    expect(entries[0].after).toMatchObject({ questions: [{ id, starred: true, version: 2 }] });
  });

  it("a question update sent with the commit that fails undoes the command, and what ran after it fails cleanly", async () => {
    // The update of a dismissal goes out unread; taking the question off stage runs after it (server/qa/changes.ts).
    const db = server.services.db;
    const id = (await ok<SubmitResult>(await asker(), "question:submit", { slug: DAY2, key: key(), text: "Will this dismissal stick?" })).question.id;
    const moderate = (k: string, expectedVersion: number, action: object) => ({ slug: DAY2, key: k, questionId: id, expectedVersion, action });
    await ok(s.mod1, "question:moderate", moderate(key(), 1, { type: "approve" }));
    await ok(s.mod1, "question:moderate", moderate(key(), 2, { type: "stage" }));
    await db.execute(sql`ALTER TABLE questions ADD CONSTRAINT test_refuses_dismissal CHECK (dismiss_reason IS DISTINCT FROM 'Refused by the test') NOT VALID`);
    const k = key();
    try {
      expect(await refused(s.mod1, "question:moderate", moderate(k, 2, { type: "dismiss", reason: "Refused by the test" }))).toMatchObject({
        code: "internal",
      });
    } finally {
      await db.execute(sql`ALTER TABLE questions DROP CONSTRAINT test_refuses_dismissal`);
    }
    expect(await dbQuestion(id)).toMatchObject({ status: "approved", version: 2 });
    expect(await db.select().from(qaActions).where(eq(qaActions.clientKey, k))).toHaveLength(0);
    const staff = (await sync(s.mod1, DAY2)) as QaSnapshot;
    expect(staff.state.onStage).toBe(id);
  });

  it("a Q&A command over its per-person rate is refused with rate_limited and a retry-after, changes nothing, and goes through after the wait", async () => {
    const fast = await createPerson(server.services, { name: "Fast Voter", email: `fast-${database}@example.org` });
    const sock = await connectClient(server.url, { cookie: fast.cookie });
    try {
      const [a, b] = await server.services.db.select().from(questions).where(eq(questions.status, "approved")).limit(2);
      // One burst: the first 30 votes (the bucket) on a, then 5 on b, which find the bucket empty.
      const burst = [
        ...Array.from({ length: 30 }, () => ({ slug: DAY2, key: key(), questionId: a.id, up: true })),
        ...Array.from({ length: 5 }, () => ({ slug: DAY2, key: key(), questionId: b.id, up: true })),
      ];
      const acks = await Promise.all(burst.map((v) => call<VoteResult>(sock, "question:vote", v)));
      const late = acks.slice(30);
      expect(late.every((x) => !x.ok)).toBe(true);
      const first = late[0];
      if (first.ok) throw new Error("unreachable");
      expect(first.error).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/Try again in \d+ s/) });
      expect(first.error.retryAfterMs).toBeGreaterThan(0);
      const votesOnB = () =>
        server.services.db
          .select()
          .from(questionVotes)
          .where(and(eq(questionVotes.questionId, b.id), eq(questionVotes.voterId, fast.userId)));
      expect(await votesOnB()).toHaveLength(0);
      await sleep(first.error.retryAfterMs!);
      expect(await ok<VoteResult>(sock, "question:vote", burst[30])).toMatchObject({ questionId: b.id, up: true });
      expect(await votesOnB()).toHaveLength(1);
    } finally {
      sock.close();
    }
  });

  it("qa:configure and qa:pause carry a key like every staff command: a resend answers with the first result and changes nothing", async () => {
    const db = server.services.db;
    const row = async () => (await db.select().from(sessions).where(eq(sessions.slug, DAY2)))[0];
    const close = { slug: DAY2, key: key(), qaOpen: false };
    const closed = await ok<ModerationResult>(s.mod1, "qa:configure", close);
    expect(closed).toMatchObject({ questions: [], state: { qaOpen: false }, summary: "Session settings saved." });
    await waitFor(() => of("bo", "qa:state").some((e) => (e.state as { qaOpen: boolean }).qaOpen === false));
    await ok(s.mod2, "qa:configure", { slug: DAY2, key: key(), qaOpen: true });
    const version = (await row()).version;
    // Moderator one's close, resent after moderator two reopened: the first answer, no new change.
    expect(await ok<ModerationResult>(s.mod1, "qa:configure", close)).toEqual(closed);
    expect(await row()).toMatchObject({ qaOpen: true, version });
    const edits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "agenda:edit"), eq(auditLog.objectId, DAY2)));
    expect(edits.filter((e) => JSON.stringify(e.after) === JSON.stringify({ qaOpen: false }))).toHaveLength(1);

    const pause = { slug: DAY2, key: key(), paused: true };
    const paused = await ok<ModerationResult>(s.mod1, "qa:pause", pause);
    await ok(s.mod1, "qa:pause", { slug: DAY2, key: key(), paused: false });
    expect(await ok<ModerationResult>(s.mod1, "qa:pause", pause)).toEqual(paused);
    expect((await sync(s.mod1, DAY2)).state.intakePaused).toBe(false);
    // The payload is checked in lib/schemas/qa.ts: a key is required, and nothing but these fields is accepted.
    expect(await refused(s.mod1, "qa:configure", { slug: DAY2, qaOpen: false })).toMatchObject({ code: "invalid_payload" });
    expect(await refused(s.mod1, "qa:configure", { slug: DAY2, key: key(), streamed: true })).toMatchObject({ code: "invalid_payload" });
    expect(await refused(s.mod1, "qa:configure", { slug: DAY2, key: key() })).toMatchObject({ code: "invalid_payload" });
  });

  it("a staff key already used in another session is refused there, not answered with the other session's result", async () => {
    const WRAP_UP = "wrap-up-discussion-and-conclusion";
    const both = await createPerson(server.services, {
      name: "Moderator Of Two",
      email: `two-${database}@example.org`,
      roles: [
        { slug: DAY2, role: "moderator" },
        { slug: WRAP_UP, role: "moderator" },
      ],
    });
    const sock = await connectClient(server.url, { cookie: both.cookie });
    try {
      const k = key();
      await ok(sock, "qa:pause", { slug: DAY2, key: k, paused: true });
      await ok(sock, "qa:pause", { slug: DAY2, key: key(), paused: false });
      const reused = await refused(sock, "qa:pause", { slug: WRAP_UP, key: k, paused: true });
      expect(reused).toMatchObject({ code: "conflict", message: expect.stringMatching(/already used .* another session.*new key/) });
      expect((await sync(sock, WRAP_UP)).state.intakePaused).toBe(false);
      expect((await sync(sock, DAY2)).state.intakePaused).toBe(false);
      // In its own session the key still answers with its first result.
      expect(await ok<ModerationResult>(sock, "qa:pause", { slug: DAY2, key: k, paused: true })).toMatchObject({ summary: "New questions paused." });
      expect((await sync(sock, DAY2)).state.intakePaused).toBe(false);
    } finally {
      sock.close();
    }
  });

  it("paused intake and closed Q&A refuse questions with their own codes; closed refuses votes", async () => {
    await ok(s.mod1, "qa:pause", { slug: DAY2, key: key(), paused: true });
    await waitFor(() => of("bo", "qa:state").some((e) => (e.state as { intakePaused: boolean }).intakePaused));
    expect(await refused(s.bo, "question:submit", { slug: DAY2, key: key(), text: "Paused?" })).toMatchObject({ code: "intake_paused" });
    await ok(s.mod1, "qa:pause", { slug: DAY2, key: key(), paused: false });
    await ok(s.mod1, "qa:configure", { slug: DAY2, key: key(), qaOpen: false });
    expect(await refused(s.bo, "question:submit", { slug: DAY2, key: key(), text: "Closed?" })).toMatchObject({ code: "qa_closed" });
    const [anyApproved] = await server.services.db.select().from(questions).where(eq(questions.status, "approved")).limit(1);
    expect(await refused(s.bo, "question:vote", { slug: DAY2, key: key(), questionId: anyApproved.id, up: true })).toMatchObject({ code: "qa_closed" });
    await ok(s.mod1, "qa:configure", { slug: DAY2, key: key(), qaOpen: true });
    // Audience members cannot pause or configure.
    expect(await refused(s.bo, "qa:pause", { slug: DAY2, key: key(), paused: true })).toMatchObject({ code: "forbidden" });
  });

  it("open mode publishes questions at once; interleaving alternates room and remote in the panel queue", async () => {
    await ok(s.mod1, "qa:configure", { slug: DAY2, key: key(), qaMode: "open" });
    const ids: string[] = [];
    for (const [who, text] of [
      ["ann", "Remote one: export controls?"],
      ["cy", "Remote two: offsets?"],
      ["bo", "Room one: training seats?"],
    ] as const) {
      const r = await ok<SubmitResult>(s[who], "question:submit", { slug: DAY2, key: key(), text });
      expect(r.question.status).toBe("approved");
      ids.push(r.question.id);
    }
    await waitFor(() => of("pan2", "question:changed", ids[2]).length > 0);
    const r = await ok<ModerationResult>(s.mod2, "qa:interleave", { slug: DAY2, key: key() });
    expect(r.summary).toMatch(/from the room/);
    const queue = ((await sync(s.pan1, DAY2)) as QaSnapshot).questions.filter((x) => x.status === "approved").sort((x, y) => x.panelOrder! - y.panelOrder!);
    const origins = queue.map((x) => x.origin);
    const alternating = 2 * Math.min(origins.filter((o) => o === "room").length, origins.filter((o) => o === "remote").length);
    expect(alternating).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < alternating; i++) expect(origins[i], `position ${i} of ${origins.join(",")}`).not.toBe(origins[i - 1]);
    await ok(s.mod1, "qa:configure", { slug: DAY2, key: key(), qaMode: "pre_moderated" });
  });

  it("asking is limited per person with rate_limited and a retry-after", async () => {
    const crowd = await createPerson(server.services, { name: "Eager", email: `eager-${database}@example.org` });
    const sock = await connectClient(server.url, { cookie: crowd.cookie });
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await call(sock, "question:submit", { slug: DAY2, key: key(), text: `Question number ${i}` }));
    const limited = results.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThan(0);
    const first = limited[0];
    if (first.ok) throw new Error("unreachable");
    expect(first.error.code).toBe("rate_limited");
    expect(first.error.retryAfterMs).toBeGreaterThan(0);
    sock.close();
  });

  it("asking and voting stop when the session ends", async () => {
    const clock = server.clock as { set(d: Date): void };
    const [row] = await server.services.db.select().from(sessions).where(eq(sessions.slug, DAY2));
    clock.set(new Date(row.endsAt.getTime() + 1000));
    try {
      expect(await refused(s.cy, "question:submit", { slug: DAY2, key: key(), text: "Too late?" })).toMatchObject({ code: "session_ended" });
      expect((await sync(s.cy, DAY2)).state.ended).toBe(true);
    } finally {
      clock.set(new Date(NOW));
    }
  });
});
