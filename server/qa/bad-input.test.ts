/** Bad input gets a clear, stable code and changes nothing. */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, questions } from "../../db/schema";
import type { SubmitResult } from "../../lib/qa";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { call, key, ok, refused, sleep, sync } from "./testing";

const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thursday
const DAY2 = "defense-industry-perspectives";

describe("bad input", () => {
  let server: TestServer;
  let asker: TestPerson;
  let mod: TestPerson;
  let otherMod: TestPerson;
  let s: TestSocket;
  let m: TestSocket;
  let om: TestSocket;
  beforeAll(async () => {
    server = await startTestServer({ now: "2024-05-23T10:00:00-04:00" });
    asker = await createPerson(server.services, { name: "Asker", email: "asker@example.org", affiliation: "Agency", attendanceMode: "in_person" });
    mod = await createPerson(server.services, { name: "Mod", email: "mod@example.org", roles: [{ slug: DAY1, role: "moderator" }] });
    otherMod = await createPerson(server.services, { name: "Other", email: "other@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    s = await connectClient(server.url, { cookie: asker.cookie });
    m = await connectClient(server.url, { cookie: mod.cookie });
    om = await connectClient(server.url, { cookie: otherMod.cookie });
    await sync(s, DAY1);
  });
  afterAll(async () => {
    for (const x of [s, m, om]) x?.close();
    await server?.close();
  });

  const count = async () => (await server.services.db.select({ n: sql<number>`count(*)::int` }).from(questions))[0].n;

  it("refuses empty, too short, oversized and invisible-only text, changing nothing", async () => {
    const before = await count();
    for (const text of ["", "  ", "ab", "x".repeat(501), "y".repeat(5000), "\u202e\u2066\u200b\u0007\u0000", "\n\n\t"]) {
      const e = await refused(s, "question:submit", { slug: DAY1, key: key(), text });
      expect(e.code, JSON.stringify(text.slice(0, 10))).toBe("invalid_payload");
      expect(e.message).toMatch(/at least 3 characters|at most 500 characters/);
    }
    expect(await count()).toBe(before);
  });

  it("cleans control characters and bidi overrides by the documented rule, and keeps HTML as plain text", async () => {
    const r = await ok<SubmitResult>(s, "question:submit", {
      slug: DAY1,
      key: key(),
      text: "  Is \u202Eevil\u202C <b>bold</b> <script>alert(1)</script>\u0007 ok?  ",
    });
    expect(r.question.text).toBe("Is evil <b>bold</b> <script>alert(1)</script> ok?");
    const [row] = await server.services.db.select().from(questions).where(eq(questions.id, r.question.id));
    expect(row.text).toBe("Is evil <b>bold</b> <script>alert(1)</script> ok?");
  });

  it("ignores forged fields: status, author, rule and origin come from the server", async () => {
    const r = await ok<SubmitResult>(s, "question:submit", {
      slug: DAY1,
      key: key(),
      text: "Forged fields should not matter",
      anonymous: false,
      status: "approved",
      authorId: mod.userId,
      authorName: "Someone Else",
      author: { name: "Someone Else", affiliation: "Elsewhere" },
      chatham: false,
      origin: "remote",
      voteCount: 999,
      id: "7f0c2f51-8a1e-4a53-9a1f-5f1d2c3b4a59",
    });
    const [row] = await server.services.db.select().from(questions).where(eq(questions.id, r.question.id));
    expect(row).toMatchObject({
      status: "pending",
      authorId: asker.userId,
      authorName: null,
      authorAffiliation: null,
      anonymous: true,
      chatham: true,
      origin: "room",
      voteCount: 0,
    });
    expect(row.id).not.toBe("7f0c2f51-8a1e-4a53-9a1f-5f1d2c3b4a59");
    // Under the Chatham House Rule "anonymous: false" is not a choice the server honours.
    expect(r.question.anonymous).toBe(true);
  });

  it("refuses moderator commands from an attendee and from a moderator of another session, with an audit entry", async () => {
    const r = await ok<SubmitResult>(s, "question:submit", { slug: DAY1, key: key(), text: "Please approve me myself" });
    const id = r.question.id;
    const attempts: Array<[string, object]> = [
      ["question:moderate", { slug: DAY1, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } }],
      ["question:moderate", { slug: DAY1, key: key(), questionId: id, expectedVersion: 1, action: { type: "stage" } }],
      ["question:answer", { slug: DAY1, key: key(), questionId: id, expectedVersion: 1 }],
      ["qa:undo", { slug: DAY1, key: key() }],
      ["qa:pause", { slug: DAY1, key: key(), paused: true }],
      ["qa:interleave", { slug: DAY1, key: key() }],
      ["qa:configure", { slug: DAY1, key: key(), qaOpen: false }],
    ];
    for (const [event, payload] of attempts) {
      expect(await refused(s, event, payload), event).toMatchObject({ code: "forbidden" });
      expect(await refused(om, event, payload), `${event} (other session's moderator)`).toMatchObject({ code: "forbidden" });
    }
    const [row] = await server.services.db.select().from(questions).where(eq(questions.id, id));
    expect(row).toMatchObject({ status: "pending", version: 1 });
    const refusals = await server.services.db.select().from(auditLog).where(eq(auditLog.outcome, "refused"));
    const mine = refusals.filter((e) => e.action === "question:moderate");
    expect(mine.length).toBeGreaterThanOrEqual(4);
    // Under the Rule the refused audience member is not named, not even in the audit log.
    expect(JSON.stringify(refusals)).not.toContain("Asker");
    expect(refusals.every((e) => e.actorId !== asker.userId)).toBe(true);
  });

  it("refuses unknown and malformed ids, stale versions, non-object payloads, and votes on unapproved questions", async () => {
    // A fresh asker: the earlier tests used up the first one's burst allowance.
    const fresh = await createPerson(server.services, { name: "Fresh", email: "fresh@example.org" });
    s.close();
    s = await connectClient(server.url, { cookie: fresh.cookie });
    const r = await ok<SubmitResult>(s, "question:submit", { slug: DAY1, key: key(), text: "A pending question" });
    expect(
      await refused(m, "question:moderate", { slug: DAY1, key: key(), questionId: "not-a-uuid", expectedVersion: 1, action: { type: "approve" } }),
    ).toMatchObject({
      code: "invalid_payload",
      message: expect.stringMatching(/questionId/),
    });
    expect(
      await refused(m, "question:moderate", {
        slug: DAY1,
        key: key(),
        questionId: "7f0c2f51-8a1e-4a53-9a1f-5f1d2c3b4a59",
        expectedVersion: 1,
        action: { type: "approve" },
      }),
    ).toMatchObject({
      code: "not_found",
    });
    expect(
      await refused(m, "question:moderate", { slug: DAY1, key: key(), questionId: r.question.id, expectedVersion: 7, action: { type: "approve" } }),
    ).toMatchObject({
      code: "version_conflict",
      current: { id: r.question.id, status: "pending", version: 1 },
    });
    expect(
      await refused(m, "question:moderate", { slug: DAY1, key: key(), questionId: r.question.id, expectedVersion: 1, action: { type: "explode" } }),
    ).toMatchObject({ code: "invalid_payload" });
    expect(
      await refused(m, "question:moderate", { slug: DAY1, key: key(), questionId: r.question.id, expectedVersion: 1, action: { type: "answer" } }),
    ).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/Only an approved question/),
    });
    expect(await refused(s, "question:submit", "just a string")).toMatchObject({ code: "invalid_payload" });
    expect(await refused(s, "question:submit", null)).toMatchObject({ code: "invalid_payload" });
    expect(await refused(s, "question:submit", [1, 2])).toMatchObject({ code: "invalid_payload" });
    // A pending question does not exist for the audience, not even to vote on.
    expect(await refused(s, "question:vote", { slug: DAY1, key: key(), questionId: r.question.id, up: true })).toMatchObject({ code: "not_found" });
    // A command without an ack is ignored, and the server is still fine.
    (s as unknown as { emit(e: string, p: unknown): void }).emit("question:submit", { slug: DAY1, key: key(), text: "no ack here" });
    await sleep(100);
    expect((await call(s, "qa:sync", { slug: DAY1 })).ok).toBe(true);
  });

  it("refuses an oversized frame by closing the connection, storing nothing", async () => {
    const before = await count();
    const big = await connectClient(server.url, { cookie: asker.cookie });
    const closed = new Promise<string>((resolve) => big.on("disconnect", (reason) => resolve(reason)));
    (big as unknown as { emit(e: string, p: unknown, ack: () => void): void }).emit(
      "question:submit",
      { slug: DAY1, key: key(), text: "z".repeat(20_000) },
      () => {},
    );
    expect(await closed).toBe("transport close");
    expect(await count()).toBe(before);
  });
});
