/**
 * The browser's Q&A engine (lib/client/qa-client.ts) against a real server: the outbox is
 * kept per person on a shared browser and dropped on sign-out, and the session's end follows the
 * agenda without a reload. Real sockets, the pages' own engine; `store` stands for one browser's
 * localStorage.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { questions } from "../../db/schema";
import { memoryStore } from "../../lib/client/qa-client";
import { isoInZone } from "../../lib/time";
import type { Actor } from "../auth/actor";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { rooms } from "../realtime/rooms";
import { browserLike, sleep, sync, waitFor } from "./testing";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record
const NOW = "2024-05-24T10:00:00-04:00";

describe("the Q&A engine of the pages", () => {
  let server: TestServer;
  const pages: Array<ReturnType<typeof browserLike>> = [];
  const open = (opts: Parameters<typeof browserLike>[1]) => {
    const page = browserLike(server.url, { ackTimeoutMs: 1000, now: () => server.clock.now().getTime(), ...opts });
    pages.push(page);
    return page;
  };
  const actorOf = async (p: TestPerson): Promise<Actor> => (await server.services.auth.resolveToken(p.token)).actor!;
  const stored = (text: string) => server.services.db.select().from(questions).where(eq(questions.text, text));

  beforeAll(async () => {
    server = await startTestServer({ now: NOW });
  });
  afterAll(async () => {
    for (const p of pages) p.close();
    await server?.close();
  });

  it("keys the outbox by an opaque per-person key from the server, never the user id", async () => {
    const a = await createPerson(server.services, { name: "Key Person", email: "key-a@example.org" });
    const b = await createPerson(server.services, { name: "Other Person", email: "key-b@example.org" });
    const keyA = server.services.qa.outboxKey(await actorOf(a));
    expect(keyA).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(keyA).not.toContain(a.userId);
    expect(keyA).not.toBe(server.services.qa.outboxKey(await actorOf(b)));
    // The same person in another sign-in has the same key (their queue survives signing in again).
    const again = await server.services.auth.startSignIn(a.userId, "demo");
    expect(server.services.qa.outboxKey((await server.services.auth.resolveToken(again.token)).actor!)).toBe(keyA);
    const page = open({ cookie: a.cookie, slug: SLUG, owner: keyA });
    await page.live();
    expect((await sync(page.socket, SLUG)).outboxKey).toBe(keyA);
    page.close();
  });

  it("on a shared browser, a question queued by one person is never sent under the next person's sign-in", async () => {
    const browser = memoryStore();
    const ann = await createPerson(server.services, { name: "Ann Shared", email: "ann-shared@example.org" });
    const ben = await createPerson(server.services, { name: "Ben Shared", email: "ben-shared@example.org" });
    const annKey = server.services.qa.outboxKey(await actorOf(ann));
    const benKey = server.services.qa.outboxKey(await actorOf(ben));
    const text = "Ann's question, typed while offline?";

    // Ann's page goes offline; she asks; the page is closed before the connection returns.
    const annPage = open({ cookie: ann.cookie, slug: SLUG, owner: annKey, store: browser });
    await annPage.live();
    annPage.socket.disconnect();
    annPage.client.submit(text, true);
    expect(browser.load(annKey, SLUG)).toHaveLength(1);
    annPage.close();

    // Ben signs in on the same browser and opens the session.
    const benPage = open({ cookie: ben.cookie, slug: SLUG, owner: benKey, store: browser });
    await benPage.live();
    await sleep(500);
    expect(benPage.client.getState().outbox).toEqual([]);
    expect(benPage.client.getState().mine).toEqual([]);
    // A tab still showing Ann's page, whose socket now carries Ben's sign-in: the server says whose
    // socket it is, and Ann's queue stays where it is.
    const staleTab = open({ cookie: ben.cookie, slug: SLUG, owner: annKey, store: browser });
    expect(staleTab.client.getState().outbox).toHaveLength(1);
    await staleTab.live();
    await sleep(500);
    expect(staleTab.client.getState().outbox).toEqual([]);
    expect(await stored(text)).toEqual([]);
    expect(browser.load(annKey, SLUG)).toHaveLength(1);
    staleTab.close();
    benPage.close();

    // Ann comes back to this browser: her question goes out, once, as hers.
    const annAgain = open({ cookie: ann.cookie, slug: SLUG, owner: annKey, store: browser });
    await annAgain.live();
    await waitFor(() => annAgain.client.getState().outbox.length === 0, 10_000, "Ann's outbox to empty");
    const rows = await stored(text);
    expect(rows).toHaveLength(1);
    expect(rows[0].authorId).toBe(ann.userId);
    expect(browser.load(annKey, SLUG)).toEqual([]);
  });

  it("signing out drops what that person still had queued", async () => {
    const browser = memoryStore();
    const cy = await createPerson(server.services, { name: "Cy Leaving", email: "cy-leaving@example.org" });
    const cyKey = server.services.qa.outboxKey(await actorOf(cy));
    const page = open({ cookie: cy.cookie, slug: SLUG, owner: cyKey, store: browser });
    await page.live();
    // The question never reaches the server (its frames are lost), so it waits in the outbox.
    const sock = page.socket as unknown as { emit: (...a: unknown[]) => unknown };
    const realEmit = sock.emit.bind(sock);
    sock.emit = (event: unknown, ...args: unknown[]) => (event === "question:submit" ? sock : realEmit(event, ...args));
    const text = "Queued when Cy signed out?";
    page.client.submit(text, true);
    expect(browser.load(cyKey, SLUG)).toHaveLength(1);
    // Cy signs out (in this tab or another): the server tells this socket before closing it.
    await server.services.auth.endSignIn(cy.token);
    await waitFor(() => browser.load(cyKey, SLUG).length === 0, 5000, "the outbox to be dropped");
    expect(page.client.getState().outbox).toEqual([]);
    expect(page.client.getState().mine.filter((m) => m.id.startsWith("local:"))).toEqual([]);
    sock.emit = realEmit;
    await sleep(500);
    expect(await stored(text)).toEqual([]);
  });

  it("follows the session's end from the agenda: the panel's time left and the audience's 'ended' move without a reload", async () => {
    const pat = await createPerson(server.services, { name: "Pat Panel", email: "pat-panel@example.org", roles: [{ slug: SLUG, role: "panelist" }] });
    const dee = await createPerson(server.services, { name: "Dee Audience", email: "dee-audience@example.org" });
    const panel = open({ cookie: pat.cookie, slug: SLUG, view: "panel" });
    const audience = open({ cookie: dee.cookie, slug: SLUG });
    await Promise.all([panel.live(), audience.live()]);
    const state = (p: typeof panel) => p.client.getState().state!;
    expect(state(panel)).toMatchObject({ endsAt: "2024-05-24T11:15:00-04:00", ended: false });

    await server.services.agenda.update(SLUG, { endsAt: "2024-05-24T11:45:00-04:00" });
    await waitFor(() => state(panel).endsAt === "2024-05-24T11:45:00-04:00", 5000, "the panel to follow the new end");
    expect(state(panel).ended).toBe(false);

    // A qa:state built from the session as it was just before that change (a staff command that read
    // it a moment earlier) arrives late: the Q&A fields it carries apply, the older agenda fields do not.
    const { sessionId, version } = panel.client.getState();
    const fresh = state(panel);
    const stale = { ...fresh, endsAt: "2024-05-24T11:15:00-04:00", agendaVersion: fresh.agendaVersion - 1, intakePaused: true };
    server.services.io.to(rooms.session(sessionId!)).emit("qa:state", { sessionId: sessionId!, version, state: stale });
    await waitFor(() => state(panel).intakePaused && state(audience).intakePaused, 5000, "the late qa:state to arrive");
    for (const p of [panel, audience])
      expect(state(p)).toMatchObject({ endsAt: "2024-05-24T11:45:00-04:00", agendaVersion: fresh.agendaVersion, ended: false });
    server.services.io.to(rooms.session(sessionId!)).emit("qa:state", { sessionId: sessionId!, version, state: { ...fresh, intakePaused: false } });
    await waitFor(() => !state(panel).intakePaused && !state(audience).intakePaused, 5000, "the state to be restored");

    // Ended early (10:00 now): asking and voting close for the audience at once.
    await server.services.agenda.update(SLUG, { endsAt: "2024-05-24T09:55:00-04:00" });
    await waitFor(() => state(audience).ended, 5000, "the audience to see the session ended");
    expect(state(audience).endsAt).toBe("2024-05-24T09:55:00-04:00");
    // And extended again, to a moment from now: open again.
    const soon = isoInZone(new Date(server.clock.now().getTime() + 2000), "America/New_York");
    await server.services.agenda.update(SLUG, { endsAt: soon });
    await waitFor(() => !state(audience).ended && state(panel).endsAt === soon, 5000, "the session to be open again");
    // The new end passes while everyone watches: 'ended' follows the clock, not only facts.
    await waitFor(() => state(audience).ended && state(panel).ended, 10_000, "the end to pass");
    await server.services.agenda.update(SLUG, { endsAt: "2024-05-24T11:15:00-04:00" });
    await waitFor(() => !state(audience).ended, 5000, "the session to be open again");
  });
});
