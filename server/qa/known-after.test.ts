/**
 * A staff command that changes locked questions once does not read them back: it answers and
 * broadcasts the rows as it wrote them, and sends the update with its commit (server/qa/changes.ts).
 * Here every such command's answer, and the room's broadcast, must equal what a fresh read of the
 * database shows, field for field, and the update must be committed with the command.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { questions } from "../../db/schema";
import type { ModerationResult, QaSnapshot, QuestionChangedFact, QuestionView, SubmitResult } from "../../lib/qa";
import type { ModerationAction } from "../../lib/schemas/qa";
import { connectClient, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { projectQuestion } from "./projection";
import { key, ok, recorder, sync, waitFor } from "./testing";

const DAY2 = "defense-industry-perspectives"; // on the record, pre-moderated
const NOW = "2024-05-24T10:00:00-04:00";

describe.each(testDatabaseKinds())("commands that know the row they wrote, on %s", (database) => {
  let server: TestServer;
  let mod: TestSocket;
  let watcher: TestSocket;
  let asker: TestSocket;
  let panelistId: string;

  beforeAll(async () => {
    server = await startTestServer({ now: NOW, database });
    const m = await createPerson(server.services, { name: "Moderator", email: "mod@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    const w = await createPerson(server.services, { name: "Second Moderator", email: "mod2@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    await createPerson(server.services, { name: "Pat Panelist", email: "pat@example.org", roles: [{ slug: DAY2, role: "panelist" }] });
    const a = await createPerson(server.services, { name: "Asker", email: "asker@example.org" });
    mod = await connectClient(server.url, { cookie: m.cookie });
    watcher = await connectClient(server.url, { cookie: w.cookie });
    asker = await connectClient(server.url, { cookie: a.cookie });
    panelistId = ((await sync(mod, DAY2)) as QaSnapshot).panelists.find((p) => p.name === "Pat Panelist")!.id;
    await sync(watcher, DAY2);
  }, 60_000);
  afterAll(async () => {
    [mod, watcher, asker].forEach((s) => s?.close());
    await server?.close();
  });

  const submit = async (text: string) => (await ok<SubmitResult>(asker, "question:submit", { slug: DAY2, key: key(), text })).question.id;
  // The staff's view of the row as the database holds it now (a sync per step would meet its rate limit).
  const staffView = async (id: string): Promise<QuestionView> => {
    const [row] = await server.services.db.select().from(questions).where(eq(questions.id, id));
    return projectQuestion(row, "staff", new Map([[panelistId, "Pat Panelist"]]));
  };

  it("answers and broadcasts every change exactly as the database then holds it", async () => {
    const first = await submit("How will partner nations see delivery timelines?");
    const second = await submit("What changes for sustainment contracts?");
    const heard = recorder(watcher);
    const steps: Array<[string, ModerationAction]> = [
      [first, { type: "route", panelistId }],
      [first, { type: "tags", tags: ["Timelines", "partners"] }],
      [first, { type: "star", starred: true }],
      [first, { type: "edit", text: "How will partner nations see the delivery timelines?" }],
      [first, { type: "approve" }],
      [second, { type: "approve" }],
      [second, { type: "move", direction: "up" }],
      [first, { type: "answer" }],
      [first, { type: "reopen" }],
      [second, { type: "dismiss", reason: "Answered in the keynote" }],
      [second, { type: "restore" }],
    ];
    for (const [id, action] of steps) {
      const current = await staffView(id);
      const from = heard.length;
      const result = await ok<ModerationResult>(mod, "question:moderate", { slug: DAY2, key: key(), questionId: id, expectedVersion: current.version, action });
      expect(result.questions.length, action.type).toBeGreaterThan(0);
      for (const q of result.questions) expect(q, `${action.type}: the answer`).toEqual(await staffView(q.id));
      const seen = () => heard.slice(from).flatMap((e) => (e.event === "question:changed" ? [(e.payload as QuestionChangedFact).question] : []));
      await waitFor(() => result.questions.every((q) => seen().some((s) => s.id === q.id)), 5000, `the broadcast of ${action.type}`);
      for (const q of result.questions)
        expect(
          seen().find((s) => s.id === q.id),
          `${action.type}: the broadcast`,
        ).toEqual(q);
    }
    const rows = await server.services.db.select().from(questions).where(eq(questions.id, first));
    expect(rows[0]).toMatchObject({ status: "approved", starred: true, tags: ["timelines", "partners"], routedTo: panelistId, answeredAt: null });
  });
});
