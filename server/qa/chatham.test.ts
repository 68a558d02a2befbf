/**
 * The Chatham House Rule, proven end to end: named people with distinctive names, e-mails and
 * affiliations ask and vote in a Day 1 session while every role performs every action; then every
 * socket payload (facts and acks), every page and HTTP response any role fetched, and every log line
 * are scanned for them. Nothing may be found — for any role, moderators and organizers included.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { questions, sessions } from "../../db/schema";
import type { AckResult } from "../../lib/realtime/contract";
import type { ModerationResult, QaSnapshot, SubmitResult } from "../../lib/qa";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { key, sleep, waitFor } from "./testing";

const SLUG = "fms-planning"; // Chatham House, 09:45–11:15 Thursday 23 May 2024

interface Identity {
  label: string;
  needles: string[];
}

describe("Chatham House: no asker or voter is identifiable anywhere", () => {
  let server: TestServer;
  const logs: string[] = [];
  /** Everything each client received: socket frames and acks, HTTP bodies. */
  const seen = new Map<string, string[]>();
  const note = (who: string, what: unknown) => {
    if (!seen.has(who)) seen.set(who, []);
    seen.get(who)!.push(typeof what === "string" ? what : JSON.stringify(what));
  };
  const audience: Record<string, TestPerson> = {};
  const identities = new Map<string, Identity>();
  const staff: Record<string, TestPerson> = {};
  const sockets: Record<string, TestSocket> = {};
  let deviceCookie = "";

  beforeAll(async () => {
    server = await startTestServer({ withNext: true, now: "2024-05-23T10:00:00-04:00", logSink: (l) => logs.push(l) });
  });
  afterAll(async () => {
    for (const s of Object.values(sockets)) s.close();
    await server?.close();
  });

  /** Every command goes through here, so acks are recorded like facts. */
  const send = <T>(who: string, event: string, payload: unknown): Promise<AckResult<T>> =>
    new Promise((resolve) =>
      (sockets[who] as unknown as { emit(e: string, p: unknown, a: (r: AckResult<T>) => void): void }).emit(event, payload, (r) => {
        note(who, { ack: event, r });
        resolve(r);
      }),
    );
  const must = async <T>(who: string, event: string, payload: unknown): Promise<T> => {
    const r = await send<T>(who, event, payload);
    if (!r.ok) throw new Error(`${who} ${event}: ${r.error.code} ${r.error.message}`);
    return r.data;
  };
  const fetchAs = async (who: string, cookie: string | undefined, path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
    const body = await res.text();
    note(who, `${path} ${res.status} ${JSON.stringify([...res.headers])} ${body}`);
    return { status: res.status, body };
  };

  it("runs a Day 1 session through every role and action", async () => {
    const app = server.services;
    const people: Array<[string, { name: string; email: string; affiliation: string; attendanceMode: "in_person" | "remote" }]> = [
      [
        "zeb",
        {
          name: "Zebulon Quixote-Farnsworth",
          email: "zq.farnsworth@quixotic-ministry.example",
          affiliation: "Quixotic Ministry of Obscure Affairs",
          attendanceMode: "remote",
        },
      ],
      [
        "wil",
        {
          name: "Wilhelmina Brobdingnag",
          email: "w.brobdingnag@lilliput-defence.example",
          affiliation: "Lilliput Defence Procurement Agency",
          attendanceMode: "in_person",
        },
      ],
      [
        "xav",
        {
          name: "Xaverius Thundercloud",
          email: "xaverius@thunder-armaments.example",
          affiliation: "Thundercloud Armaments Consortium",
          attendanceMode: "remote",
        },
      ],
    ];
    for (const [id, spec] of people) {
      audience[id] = await createPerson(app, spec);
      identities.set(id, { label: spec.name, needles: [spec.name, spec.email, spec.affiliation, audience[id].userId, spec.name.split(" ")[1]] });
    }
    // An in-room phone joins with the code and a distinctive display name, like a real guest.
    const [row] = await app.db.select().from(sessions).where(eq(sessions.slug, SLUG));
    const joined = await fetch(`${server.url}/api/join`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ code: row.accessCode, displayName: "Yggdrasil Pemberton-Okonkwo" }),
    });
    expect(joined.status).toBe(200);
    deviceCookie = joined.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const device = (await app.auth.resolveToken(/next-auth\.session-token=([^;]+)/.exec(deviceCookie)![1])).actor!;
    identities.set("dev", { label: "device guest", needles: ["Yggdrasil Pemberton-Okonkwo", "Pemberton-Okonkwo", device.userId] });

    staff.mod1 = await createPerson(app, { name: "Moderator Alpha", email: "alpha@dscu.example", roles: [{ slug: SLUG, role: "moderator" }] });
    staff.mod2 = await createPerson(app, { name: "Moderator Beta", email: "beta@dscu.example", roles: [{ slug: SLUG, role: "moderator" }] });
    staff.pan = await createPerson(app, { name: "Panelist Gamma", email: "gamma@dscu.example", roles: [{ slug: SLUG, role: "panelist" }] });
    staff.org = await createPerson(app, { name: "Organizer Delta", email: "delta@dscu.example", organizer: true });

    for (const [who, p] of Object.entries({ ...audience, ...staff })) sockets[who] = await connectClient(server.url, { cookie: p.cookie });
    sockets.dev = await connectClient(server.url, { cookie: deviceCookie });
    sockets.screen = await connectClient(server.url, { cookie: staff.mod2.cookie });
    for (const [who, s] of Object.entries(sockets))
      (s as unknown as { onAny(f: (e: string, p: unknown) => void): void }).onAny((event, payload) => note(who, { event, payload }));

    for (const who of ["zeb", "wil", "xav", "dev", "mod1", "mod2", "pan", "org"]) await must(who, "session:join", { slug: SLUG });
    for (const who of ["zeb", "wil", "xav", "dev", "mod1", "mod2", "pan", "org"]) await must(who, "qa:sync", { slug: SLUG });
    await must("screen", "qa:sync", { slug: SLUG, view: "audience" });

    // Asking: the named choice is refused by the Rule, silently and completely.
    const asked: Record<string, SubmitResult> = {};
    for (const [who, text] of [
      ["zeb", "What is the realistic timeline for case development reform?"],
      ["wil", "How do partners plan sustainment before signing an LOA?"],
      ["xav", "What is the timeline for reforming case development?"],
      ["dev", "Which planning tools help smaller partner nations?"],
    ] as const) {
      asked[who] = await must<SubmitResult>(who, "question:submit", { slug: SLUG, key: key(), text, anonymous: false });
      expect(asked[who].question.anonymous).toBe(true);
    }
    await must("wil", "question:similar", { slug: SLUG, text: "timeline case development reform" });
    const v = (id: string) =>
      server.services.db
        .select({ v: questions.version })
        .from(questions)
        .where(eq(questions.id, id))
        .then((r) => r[0].v);
    const mod = async (who: string, id: string, action: object) =>
      must<ModerationResult>(who, "question:moderate", { slug: SLUG, key: key(), questionId: id, expectedVersion: await v(id), action });
    const panelists = (await must<QaSnapshot>("mod1", "qa:sync", { slug: SLUG })).panelists;

    await mod("mod1", asked.zeb.question.id, { type: "approve" });
    await mod("mod2", asked.wil.question.id, { type: "approve" });
    await mod("mod1", asked.xav.question.id, { type: "approve" });
    await mod("mod1", asked.dev.question.id, { type: "dismiss", reason: "Off topic for this session" });
    await mod("mod1", asked.dev.question.id, { type: "restore" });
    await mod("mod2", asked.dev.question.id, { type: "approve" });
    for (const who of ["wil", "xav", "dev", "zeb"]) await must(who, "question:vote", { slug: SLUG, key: key(), questionId: asked.zeb.question.id, up: true });
    await must("xav", "question:vote", { slug: SLUG, key: key(), questionId: asked.zeb.question.id, up: false });
    await must("zeb", "question:vote", { slug: SLUG, key: key(), questionId: asked.wil.question.id, up: true });
    await mod("mod1", asked.zeb.question.id, { type: "edit", text: "What is a realistic timeline for case development reform?" });
    await mod("mod1", asked.zeb.question.id, { type: "star", starred: true });
    await mod("mod2", asked.zeb.question.id, { type: "tags", tags: ["timelines"] });
    await mod("mod1", asked.zeb.question.id, { type: "route", panelistId: panelists[0].id });
    await mod("mod2", asked.xav.question.id, { type: "merge", intoId: asked.zeb.question.id });
    await mod("mod1", asked.wil.question.id, { type: "move", direction: "up" });
    await must("mod2", "qa:interleave", { slug: SLUG, key: key() });
    await mod("mod1", asked.zeb.question.id, { type: "stage" });
    await must("pan", "question:answer", { slug: SLUG, key: key(), questionId: asked.zeb.question.id, expectedVersion: await v(asked.zeb.question.id) });
    await mod("mod1", asked.zeb.question.id, { type: "reopen" });
    await must("mod1", "qa:undo", { slug: SLUG, key: key() });
    await mod("org", asked.wil.question.id, { type: "stage" });
    await mod("org", asked.wil.question.id, { type: "unstage" });
    await must("mod2", "qa:pause", { slug: SLUG, key: key(), paused: true });
    await must("mod2", "qa:pause", { slug: SLUG, key: key(), paused: false });
    await must("org", "qa:configure", { slug: SLUG, key: key(), qaMode: "open" });
    await must<SubmitResult>("wil", "question:submit", { slug: SLUG, key: key(), text: "In open mode: does this publish at once?" });
    await must("org", "qa:configure", { slug: SLUG, key: key(), qaMode: "pre_moderated" });
    // Refusals are audited, and still name nobody.
    for (const who of ["zeb", "dev"])
      expect(
        (await send(who, "question:moderate", { slug: SLUG, key: key(), questionId: asked.wil.question.id, expectedVersion: 1, action: { type: "approve" } }))
          .ok,
      ).toBe(false);
    expect((await send("zeb", "qa:pause", { slug: SLUG, key: key(), paused: true })).ok).toBe(false);
    // A version conflict carries the fresh state.
    expect(
      (
        await send("mod2", "question:moderate", {
          slug: SLUG,
          key: key(),
          questionId: asked.wil.question.id,
          expectedVersion: 1,
          action: { type: "star", starred: true },
        })
      ).ok,
    ).toBe(false);
    // Resync after a disconnect.
    sockets.wil.disconnect();
    await mod("mod1", asked.wil.question.id, { type: "star", starred: true });
    sockets.wil.connect();
    await waitFor(() => sockets.wil.connected);
    await must("wil", "qa:sync", { slug: SLUG, since: 1 });
    await sleep(500); // the last vote tick and facts

    // Pages and HTTP responses, as each role sees them.
    const pages = [
      `/sessions/${SLUG}`,
      `/sessions/${SLUG}/moderate`,
      `/sessions/${SLUG}/panel`,
      `/sessions/${SLUG}/screen`,
      `/sessions/${SLUG}/join-qr.svg`,
      "/api/agenda",
      "/",
    ];
    const cookies: Record<string, string> = {
      ...Object.fromEntries(Object.entries({ ...audience, ...staff }).map(([k, p]) => [k, p.cookie])),
      dev: deviceCookie,
    };
    for (const [who, cookie] of Object.entries(cookies)) for (const path of pages) await fetchAs(who, cookie, path);
    for (const path of pages) await fetchAs("anonymous", undefined, path);
    // The staff pages are guarded by the one policy: the audience gets 403, a visitor the sign-in page.
    expect((await fetchAs("zeb", cookies.zeb, `/sessions/${SLUG}/moderate`)).status).toBe(403);
    expect((await fetchAs("dev", cookies.dev, `/sessions/${SLUG}/panel`)).status).toBe(403);
    expect((await fetchAs("wil", cookies.wil, `/sessions/${SLUG}/screen`)).status).toBe(403);
    expect((await fetchAs("pan", cookies.pan, `/sessions/${SLUG}/moderate`)).status).toBe(403);
    expect((await fetchAs("pan", cookies.pan, `/sessions/${SLUG}/panel`)).status).toBe(200);
    expect((await fetchAs("mod2", cookies.mod2, `/sessions/${SLUG}/screen`)).status).toBe(200);
    const visitor = await fetchAs("anonymous", undefined, `/sessions/${SLUG}/moderate`);
    expect([303, 307, 308]).toContain(visitor.status);
    expect((await fetchAs("org", cookies.org, `/api/admin/audit?session=${SLUG}&limit=500`)).status).toBe(200);
    expect((await fetchAs("org", cookies.org, "/admin/audit")).status).toBe(200);
    expect((await fetchAs("mod1", cookies.mod1, `/sessions/${SLUG}/moderate`)).body).toContain("Moderate: FMS Planning");

    // The session ends: the links are erased, and the askers no longer follow their questions.
    (server.clock as { set(d: Date): void }).set(new Date("2024-05-23T11:16:00-04:00"));
    await server.services.qa.eraseEndedAuthorLinks();
    const after = await must<QaSnapshot>("zeb", "qa:sync", { slug: SLUG });
    expect(after.mine).toEqual([]);
    expect(after.myVotes).toEqual([]);
    const rows = await server.services.db.select().from(questions).where(eq(questions.sessionId, row.id));
    expect(rows.every((r) => r.authorId === null && r.authorName === null && r.authorAffiliation === null && r.anonymous)).toBe(true);
  }, 120_000);

  it("finds no asker's or voter's name, e-mail, affiliation or user id in any payload, page, HTTP response or log line", () => {
    expect(seen.size).toBe(10); // four askers and voters, two moderators, a panelist, an organizer, the screen, a visitor
    expect(logs.length).toBeGreaterThan(0);
    const total = [...seen.values()].reduce((n, xs) => n + xs.length, 0);
    expect(total).toBeGreaterThan(200);
    const leaks: string[] = [];
    for (const [who, items] of seen) {
      for (const [id, identity] of identities) {
        // A person's own pages greet them by name (the header): their own identity on their own
        // pages is not a leak. Socket payloads are scanned strictly, their own included.
        const own = who === id;
        for (const item of items) {
          if (own && item.startsWith("/")) continue;
          for (const needle of identity.needles) {
            if (item.includes(needle))
              leaks.push(`${who} saw ${identity.label} (${needle}) in: ${item.slice(Math.max(0, item.indexOf(needle) - 120), item.indexOf(needle) + 80)}`);
          }
        }
      }
    }
    for (const line of logs)
      for (const identity of identities.values())
        for (const needle of identity.needles) if (line.includes(needle)) leaks.push(`log line names ${identity.label}: ${line.slice(0, 300)}`);
    expect(leaks).toEqual([]);
  });
});
