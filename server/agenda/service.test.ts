import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgendaItem } from "../../lib/agenda";
import { AppError } from "../errors";
import { metrics } from "../metrics";
import { connectClient, nextEvent, collect, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { startTestServer, type TestServer } from "../testing/test-server";

describe.each(testDatabaseKinds())("agenda service on %s", (database) => {
  let server: TestServer;
  let viewers: TestSocket[];

  beforeAll(async () => {
    server = await startTestServer({ database });
    viewers = await Promise.all([connectClient(server.url), connectClient(server.url)]);
  });
  afterAll(async () => {
    viewers?.forEach((s) => s.close());
    await server?.close();
  });

  it("lists the programme in order with offset-carrying times", async () => {
    const items = await server.services.agenda.list();
    expect(items).toHaveLength(19);
    expect(items[0]).toMatchObject({ slug: "registration-and-check-in", startsAt: "2024-05-23T08:00:00-04:00", endsAt: "2024-05-23T08:30:00-04:00" });
    expect(items.at(-1)).toMatchObject({ slug: "wrap-up-discussion-and-conclusion", startsAt: "2024-05-24T11:30:00-04:00" });
  });

  it("announces a change to every open page as agenda:changed", async () => {
    const seen = viewers.map((v) => nextEvent<{ item: AgendaItem }>(v, "agenda:changed"));
    const updated = await server.services.agenda.update("fms-planning", { startsAt: "2024-05-23T09:50:00-04:00", title: "FMS Planning: Partner Needs" });
    expect(updated).toMatchObject({ startsAt: "2024-05-23T09:50:00-04:00", title: "FMS Planning: Partner Needs", version: 2 });
    for (const p of await Promise.all(seen)) expect(p.item).toEqual(updated);
  });

  it("moves an item to another day when its start moves", async () => {
    const item = await server.services.agenda.update("reception", { startsAt: "2024-05-24T12:30:00-04:00", endsAt: "2024-05-24T13:30:00-04:00" });
    expect(item.day).toBe("2024-05-24");
  });

  /** Statements that read the sessions table so far (the counter /metrics reports). */
  async function sessionReads(): Promise<number> {
    const { values } = await metrics().dbDuration.get();
    return values.filter((v) => v.metricName?.endsWith("_count") && v.labels.operation === "select sessions").reduce((n, v) => n + v.value, 0);
  }

  it("answers a room of simultaneous reads of one session with one statement, and reads afresh after it", async () => {
    const agenda = server.services.agenda;
    const before = await sessionReads();
    const rows = await Promise.all(Array.from({ length: 50 }, () => agenda.requireRow("keynote-fms-and-the-strategic-environment")));
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    expect((await sessionReads()) - before).toBe(1);
    // Nothing is kept once answered: a change is seen by the next read.
    await agenda.update("keynote-fms-and-the-strategic-environment", { title: "Keynote (moved)" });
    expect((await agenda.requireRow("keynote-fms-and-the-strategic-environment")).title).toBe("Keynote (moved)");
    await expect(agenda.requireRow("no-such-session")).rejects.toMatchObject({ code: "not_found" });
  });

  async function refused(promise: Promise<unknown>, code: string) {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    return err as AppError;
  }

  it("refuses to stream or record a Chatham House session, and changes nothing", async () => {
    const before = await server.services.agenda.get("fms-case-development");
    const events = collect<{ item: AgendaItem }>(viewers[0], "agenda:changed");
    const err = await refused(server.services.agenda.update("fms-case-development", { streamed: true }), "policy_violation");
    expect(err.message).toMatch(/Chatham House/);
    await refused(server.services.agenda.update("fms-case-development", { recordingAllowed: true }), "policy_violation");
    expect(await server.services.agenda.get("fms-case-development")).toEqual(before);
    await new Promise((r) => setTimeout(r, 100));
    expect(events.filter((e) => e.item.slug === "fms-case-development")).toEqual([]);
  });

  it("refuses Q&A on a break, an end before the start, unknown fields and unknown slugs", async () => {
    await refused(server.services.agenda.update("break-friday-0930", { qaEnabled: true }), "policy_violation");
    await refused(server.services.agenda.update("hosted-lunch", { startsAt: "2024-05-23T13:00:00-04:00" }), "invalid_payload");
    await refused(server.services.agenda.update("hosted-lunch", { rule: "on_record" }), "invalid_payload");
    await refused(server.services.agenda.update("hosted-lunch", { title: "" }), "invalid_payload");
    await refused(server.services.agenda.update("no-such-session", { title: "x" }), "not_found");
    // Dates `Date.parse` would take: 30 February (1 March to it), year 0 (Postgres has none), a typo'd year.
    for (const [startsAt, endsAt] of [
      ["2024-02-30T13:00:00-04:00", "2024-05-23T14:00:00-04:00"],
      ["0000-05-23T13:00:00-04:00", "2024-05-23T14:00:00-04:00"],
      ["9024-05-23T13:00:00-04:00", "9024-05-23T14:00:00-04:00"],
      ["2024-05-23T24:00:00-04:00", "2024-05-24T14:00:00-04:00"],
    ]) {
      await refused(server.services.agenda.update("hosted-lunch", { startsAt, endsAt }), "invalid_payload");
    }
    const lunch = (await server.services.agenda.list()).find((i) => i.slug === "hosted-lunch")!;
    expect(lunch.startsAt.slice(0, 10)).toBe("2024-05-23");
  });

  it("refuses a stale edit instead of overwriting someone else's", async () => {
    const current = await server.services.agenda.get("hosted-lunch");
    await server.services.agenda.update("hosted-lunch", { title: "Lunch" }, { expectedVersion: current.version });
    const err = await refused(
      server.services.agenda.update("hosted-lunch", { title: "Hosted Lunch (buffet)" }, { expectedVersion: current.version }),
      "version_conflict",
    );
    expect(err.message).toMatch(/Someone else changed/);
    expect((await server.services.agenda.get("hosted-lunch")).title).toBe("Lunch");
  });
});
