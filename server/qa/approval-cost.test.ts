/**
 * What an approval costs in database statements. Its statements run before the question reaches the
 * room, and on PGlite each one is a turn of the server's only thread (issue 12): an approval used to
 * take 13 (a key lookup outside and inside the transaction, a separate "make sure the Q&A row
 * exists", a separate read of the panel queue's end, the panelists' names, a read of the session
 * row, which staff commands now keep: server/qa/kept-session.test.ts). Statements are seen
 * through the hook that times them for /metrics.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { questions } from "../../db/schema";
import type { ModerationResult, QaSnapshot, SubmitResult } from "../../lib/qa";
import { metrics } from "../metrics";
import { connectClient, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, ok, sync } from "./testing";

const DAY2 = "defense-industry-perspectives"; // on the record, pre-moderated
const NOW = "2024-05-24T10:00:00-04:00";
const ASKERS = 8;

describe.each(testDatabaseKinds())("the cost of an approval on %s", (database) => {
  let server: TestServer;
  let mod: TestSocket;
  const askers: TestSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer({ now: NOW, database });
    const m = await createPerson(server.services, { name: "Moderator", email: "mod@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    await createPerson(server.services, { name: "Pat Panelist", email: "pat@example.org", roles: [{ slug: DAY2, role: "panelist" }] });
    mod = await connectClient(server.url, { cookie: m.cookie });
    await sync(mod, DAY2);
    for (let i = 0; i < ASKERS; i++) {
      const a = await createPerson(server.services, { name: `Asker ${i}`, email: `asker${i}@example.org` });
      askers.push(await connectClient(server.url, { cookie: a.cookie }));
    }
  }, 60_000);
  afterAll(async () => {
    mod?.close();
    askers.forEach((s) => s.close());
    await server?.close();
  });

  const statements = async () => {
    const { values } = await metrics().dbDuration.get();
    return values.filter((v) => v.metricName?.endsWith("_count")).reduce((n, v) => n + v.value, 0);
  };
  const approve = (id: string, expectedVersion = 1) =>
    ok<ModerationResult>(mod, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion, action: { type: "approve" } });

  it("is six statements, and the queue order is still the end of the queue", async () => {
    const ids: string[] = [];
    for (const [i, s] of askers.entries()) {
      ids.push((await ok<SubmitResult>(s, "question:submit", { slug: DAY2, key: key(), text: `Question ${i} on partner timelines?` })).question.id);
    }
    const results: ModerationResult[] = [];
    const spent: number[] = [];
    for (const id of ids) {
      const before = await statements();
      results.push(await approve(id));
      spent.push((await statements()) - before);
    }
    // Version (and lock, and the session row's stamp), question lock, update, stored answer, audit
    // entry; counts for staff after. Postgres also counts BEGIN and COMMIT, which PGlite's transactions do not pass through the
    // hook. The median of the eight: the server's own sweeps (every 1–10 s) may land in a window.
    spent.sort((x, y) => x - y);
    expect(spent[Math.floor(spent.length / 2)]).toBeLessThanOrEqual(database === "postgres" ? 8 : 6);
    expect(results.map((r) => r.questions[0].panelOrder)).toEqual(ids.map((_, i) => i + 1));
    const rows = await server.services.db
      .select()
      .from(questions)
      .where(eq(questions.sessionId, (await server.services.agenda.requireRow(DAY2)).id));
    expect(
      rows
        .filter((r) => r.status === "approved")
        .map((r) => r.panelOrder)
        .sort((a, b) => a - b),
    ).toEqual(ids.map((_, i) => i + 1));
  });

  it("still names the panelist of a routed question, though approvals read no names", async () => {
    const staff = (await sync(mod, DAY2)) as QaSnapshot;
    const pat = staff.panelists.find((p) => p.name === "Pat Panelist")!;
    const id = (await ok<SubmitResult>(askers[0], "question:submit", { slug: DAY2, key: key(), text: "Who reviews the routing?" })).question.id;
    const routed = await ok<ModerationResult>(mod, "question:moderate", {
      slug: DAY2,
      key: key(),
      questionId: id,
      expectedVersion: 1,
      action: { type: "route", panelistId: pat.id },
    });
    expect(routed.summary).toBe("Routed to Pat Panelist.");
    const approved = await approve(id, routed.questions[0].version);
    expect(approved.questions[0].routedTo).toEqual({ id: pat.id, name: "Pat Panelist" });
  });

  it("a resend of an approval gets the first answer and changes nothing, with no lookup on the way in", async () => {
    const id = (await ok<SubmitResult>(askers[1], "question:submit", { slug: DAY2, key: key(), text: "Is the resend safe?" })).question.id;
    const k = key();
    const cmd = { slug: DAY2, key: k, questionId: id, expectedVersion: 1, action: { type: "approve" } };
    const [a, b] = await Promise.all([ok<ModerationResult>(mod, "question:moderate", cmd), ok<ModerationResult>(mod, "question:moderate", cmd)]);
    expect(b).toEqual(a);
    const again = await ok<ModerationResult>(mod, "question:moderate", cmd);
    expect(again).toEqual(a);
    const [row] = await server.services.db.select().from(questions).where(eq(questions.id, id));
    expect(row).toMatchObject({ status: "approved", version: 2 });
  });
});
