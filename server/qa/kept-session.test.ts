/**
 * Staff commands are decided on the session row kept from the last one (no read before their
 * transaction), and the transaction confirms the row's stamp. These change the row behind the
 * server's back, straight in the database, as another instance's agenda edit would.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, questions, sessions } from "../../db/schema";
import type { ModerationResult, SubmitResult } from "../../lib/qa";
import { connectClient, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, ok, refused } from "./testing";

const DAY2 = "defense-industry-perspectives"; // on the record, pre-moderated
const NOW = "2024-05-24T10:00:00-04:00";

describe.each(testDatabaseKinds())("a staff command on a kept session row, %s", (database) => {
  let server: TestServer;
  let mod: TestSocket;
  let asker: TestSocket;

  beforeAll(async () => {
    server = await startTestServer({ now: NOW, database });
    const m = await createPerson(server.services, { name: "Moderator", email: "mod@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    const a = await createPerson(server.services, { name: "Asker", email: "asker@example.org" });
    mod = await connectClient(server.url, { cookie: m.cookie });
    asker = await connectClient(server.url, { cookie: a.cookie });
  }, 60_000);
  afterAll(async () => {
    mod?.close();
    asker?.close();
    await server?.close();
  });

  const ask = async (text: string) => (await ok<SubmitResult>(asker, "question:submit", { slug: DAY2, key: key(), text })).question.id;
  const approveCmd = (id: string) => ({ slug: DAY2, key: key(), questionId: id, expectedVersion: 1, action: { type: "approve" } });
  const setSession = (patch: Partial<typeof sessions.$inferInsert>) => server.services.db.update(sessions).set(patch).where(eq(sessions.slug, DAY2));
  const question = async (id: string) => (await server.services.db.select().from(questions).where(eq(questions.id, id)))[0];
  const approvals = async (id: string) =>
    server.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectId, id), eq(auditLog.action, "question:approve"), eq(auditLog.outcome, "ok")));

  it("sees a change made elsewhere: Q&A turned off after the row was kept refuses the next approval", async () => {
    await ok<ModerationResult>(mod, "question:moderate", approveCmd(await ask("Kept row, first approval?")));
    const id = await ask("Kept row, after Q&A was turned off?");
    await setSession({ qaEnabled: false });
    try {
      const r = await refused(mod, "question:moderate", approveCmd(id));
      expect(r).toMatchObject({ code: "forbidden", message: "This session has no Q&A." });
      expect(await question(id)).toMatchObject({ status: "pending", version: 1 });
    } finally {
      await setSession({ qaEnabled: true });
    }
  });

  it("decides a refusal again on a fresh row: Q&A turned back on elsewhere lets the next approval through", async () => {
    const id = await ask("Kept row, refused then allowed?");
    await setSession({ qaEnabled: false });
    expect((await refused(mod, "question:moderate", approveCmd(id))).code).toBe("forbidden");
    await setSession({ qaEnabled: true });
    const done = await ok<ModerationResult>(mod, "question:moderate", approveCmd(id));
    expect(done.questions[0]).toMatchObject({ id, status: "approved" });
  });

  it("runs once when the row changed in a way that does not change the decision", async () => {
    await ok<ModerationResult>(mod, "question:moderate", approveCmd(await ask("Kept row, warm up?")));
    const id = await ask("Kept row, after a title edit elsewhere?");
    await setSession({ title: "Defense Industry Perspectives (retitled)" });
    const done = await ok<ModerationResult>(mod, "question:moderate", approveCmd(id));
    expect(done.questions[0]).toMatchObject({ id, status: "approved", version: 2 });
    expect(await question(id)).toMatchObject({ status: "approved", version: 2 });
    expect(await approvals(id)).toHaveLength(1);
  });
});
