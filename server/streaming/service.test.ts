/**
 * Integration: a real `livekit-server --dev` (started by Plenary itself, on loopback), the real
 * database and real socket.io clients. Media is exercised in Chromium by e2e/stream-*.spec.ts.
 */
import { RoomServiceClient, TokenVerifier, TrackSource } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionRow } from "../../db/schema";
import { connectClient, nextEvent, type TestSocket } from "../testing/clients";
import { SERVER_START_MS } from "../testing/timeouts";
import { testDatabaseKinds } from "../testing/databases";
import { deliverParticipantJoined, livekitBinForTests, livekitFaultProxy, signalJoin } from "../testing/livekit";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { roomNameFor } from "./grants";
import { rejection } from "../testing/refusal";

const DAY2 = "conversation-with-asd-acquisition"; // 08:45–09:30 Fri 24 May 2024
const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thu 23 May 2024
const NOW = "2024-05-24T08:50:00-04:00";

const hasLivekit = Boolean(livekitBinForTests());

describe.skipIf(!hasLivekit).each(testDatabaseKinds())("streaming against a real LiveKit server (%s)", (database) => {
  let server: TestServer;
  let day2: SessionRow;
  let day1: SessionRow;
  let panelist: TestPerson;
  let moderator: TestPerson;
  let viewer: TestPerson;
  let other: TestPerson;
  const sockets: TestSocket[] = [];
  const app = () => server.services;
  const actorOf = async (p: TestPerson) => (await app().auth.resolveToken(p.token)).actor;
  const socketOf = async (p: TestPerson) => {
    const s = await connectClient(server.url, { cookie: p.cookie });
    sockets.push(s);
    const joined = await s.emitWithAck("session:join", { slug: DAY2 });
    expect(joined.ok).toBe(true);
    return s;
  };

  beforeAll(async () => {
    server = await startTestServer({ now: NOW, database, livekit: true });
    day2 = (await app().agenda.findRow(DAY2))!;
    day1 = (await app().agenda.findRow(DAY1))!;
    panelist = await createPerson(app(), { name: "Dana Panelist", email: "dana@example.org", roles: [{ slug: DAY2, role: "panelist" }] });
    moderator = await createPerson(app(), { name: "Morgan Moderator", email: "morgan@example.org", roles: [{ slug: DAY2, role: "moderator" }] });
    viewer = await createPerson(app(), { name: "Remy Remote", email: "remy@example.org", affiliation: "Partner Nation MoD" });
    other = await createPerson(app(), { name: "Otto Other", email: "otto@example.org" });
  }, SERVER_START_MS);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it("starts its own LiveKit on 127.0.0.1 only", () => {
    expect(app().streaming.available).toBe(true);
    expect(app().streaming.livekit().url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it("creates the session's room with its policy in the metadata, and LiveKit accepts the panelist's token", async () => {
    const token = await app().streaming.mintToken(await actorOf(panelist), day2, { tab: "tab-panel-1" });
    expect(token.role).toBe("publisher");
    expect(token.identity).not.toContain(panelist.userId);
    const lk = app().streaming.livekit();
    // Short-lived, bound to this session's room.
    const claims = await new TokenVerifier(lk.apiKey, lk.apiSecret).verify(token.token);
    expect(claims.exp! - claims.nbf!).toBe(300);
    expect(claims.video).toMatchObject({ room: roomNameFor(day2.id), roomJoin: true, roomAdmin: false, roomRecord: false });
    const [room] = await lk.rooms.listRooms([roomNameFor(day2.id)]);
    expect(JSON.parse(room.metadata)).toMatchObject({ slug: DAY2, rule: "on_record", streamed: true, recordingAllowed: true });

    const join = await signalJoin(token.url, token.token);
    try {
      const [p] = (await lk.rooms.listParticipants(roomNameFor(day2.id))).filter((x) => x.identity === token.identity);
      expect(p.name).toBe("Dana Panelist");
      expect(p.permission).toMatchObject({ canPublish: true, canSubscribe: true, canPublishData: false, hidden: false });
      expect(p.permission!.canPublishSources).toEqual([TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO]);

      // The same person in a second tab is a second participant, not a replacement.
      const second = await app().streaming.mintToken(await actorOf(panelist), day2, { tab: "tab-panel-2" });
      const join2 = await signalJoin(second.url, second.token);
      const mine = (await lk.rooms.listParticipants(roomNameFor(day2.id))).filter((x) => x.identity === token.identity || x.identity === second.identity);
      expect(mine).toHaveLength(2);
      join2.close();
    } finally {
      join.close();
    }
  });

  it("lets viewers in only while the stream is live, subscribing only and hidden", async () => {
    const remy = await actorOf(viewer);
    expect((await rejection(app().streaming.mintToken(remy, day2, {}))).code).toBe("not_live");
    expect((await rejection(app().streaming.setState(remy, day2, "start"))).code).toBe("forbidden");

    // Nobody publishes yet: going live takes the moderator's explicit "anyway", and changes nothing without it.
    const refused = await rejection(app().streaming.setState(await actorOf(moderator), day2, "start"));
    expect(refused).toMatchObject({ code: "stage_empty", message: expect.stringMatching(/^Nobody is on stage yet/) });
    expect((await app().streaming.snapshot(day2)).state).toBe("idle");

    const staff = await socketOf(moderator);
    const changed = nextEvent<{ state: string }>(staff, "stream:changed");
    const snapshot = await app().streaming.setState(await actorOf(moderator), day2, "start", { emptyStage: true });
    expect(snapshot.state).toBe("live");
    expect((await changed).state).toBe("live");

    const token = await app().streaming.mintToken(remy, day2, { tab: "tab-remy-1" });
    expect(token.role).toBe("viewer");
    const join = await signalJoin(token.url, token.token);
    try {
      const [p] = (await app().streaming.livekit().rooms.listParticipants(roomNameFor(day2.id))).filter((x) => x.identity === token.identity);
      expect(p.name).toBe("");
      expect(p.permission).toMatchObject({ canPublish: false, canPublishSources: [], canPublishData: false, canSubscribe: true, hidden: true });
    } finally {
      join.close();
    }
  });

  it("refuses tokens for Day 1 sessions and outside the window, with an audit entry each", async () => {
    const remy = await actorOf(viewer);
    const day1Refusal = await rejection(app().streaming.mintToken(remy, day1, {}));
    expect(day1Refusal.code).toBe("forbidden");
    expect(day1Refusal.message).toMatch(/Chatham House Rule/);
    expect((await rejection(app().streaming.mintToken(null, day2, {}))).code).toBe("unauthenticated");

    const outside = await rejection(
      app().streaming.mintToken(
        await actorOf(panelist),
        { ...day2, startsAt: new Date("2024-05-24T10:00:00-04:00"), endsAt: new Date("2024-05-24T11:00:00-04:00") },
        {},
      ),
    );
    expect(outside.code).toBe("outside_window");
    expect(outside.message).toMatch(/opens at 09:30 EDT/);

    const audit = await app().audit.list({ limit: 20 });
    expect(audit.some((e) => e.action === "stream:view" && e.outcome === "refused" && e.code === "forbidden" && e.sessionId === day1.id)).toBe(true);
    expect(audit.some((e) => e.action === "stream:publish" && e.outcome === "refused" && e.code === "outside_window" && e.sessionId === day2.id)).toBe(true);
  });

  it("promotes a raised hand to the microphone through LiveKit and demotes it, telling the person each time", async () => {
    const lk = app().streaming.livekit();
    const room = roomNameFor(day2.id);
    const staff = await socketOf(moderator);
    const remySocket = await socketOf(viewer);
    const token = await app().streaming.mintToken(await actorOf(viewer), day2, { tab: "tab-remy-2" });
    const join = await signalJoin(token.url, token.token);
    try {
      const queued = nextEvent<{ requests: Array<{ id: string; name: string; status: string }> }>(staff, "hand:queue-changed");
      const raised = await remySocket.emitWithAck("hand:raise", { slug: DAY2 });
      expect(raised).toMatchObject({ ok: true, data: { status: "waiting" } });
      const queue = await queued;
      expect(queue.requests.map((r) => [r.name, r.status])).toEqual([["Remy Remote", "waiting"]]);
      // Raising again (another tab, a resend) is the same request.
      expect(await remySocket.emitWithAck("hand:raise", { slug: DAY2 })).toMatchObject({ ok: true, data: { status: "waiting" } });

      // A viewer cannot promote anyone.
      const refused = await remySocket.emitWithAck("hand:promote", { slug: DAY2, handId: queue.requests[0].id });
      expect(refused).toMatchObject({ ok: false, error: { code: "forbidden" } });

      const told = nextEvent<{ status: string; reason: string }>(remySocket, "hand:changed");
      const promoted = await staff.emitWithAck("hand:promote", { slug: DAY2, handId: queue.requests[0].id, camera: false });
      expect(promoted).toMatchObject({ ok: true, data: { requests: [{ status: "promoted" }] } });
      expect(await told).toMatchObject({ status: "promoted", reason: "promoted" });
      let [p] = (await lk.rooms.listParticipants(room)).filter((x) => x.identity === token.identity);
      expect(p.permission).toMatchObject({ canPublish: true, canPublishSources: [TrackSource.MICROPHONE], hidden: false, canPublishData: false });
      expect(p.name).toBe("Remy Remote");

      const toldAgain = nextEvent<{ status: string; reason: string }>(remySocket, "hand:changed");
      const demoted = await staff.emitWithAck("hand:demote", { slug: DAY2, handId: queue.requests[0].id });
      expect(demoted).toMatchObject({ ok: true, data: { requests: [] } });
      expect(await toldAgain).toMatchObject({ status: "none", reason: "demoted" });
      [p] = (await lk.rooms.listParticipants(room)).filter((x) => x.identity === token.identity);
      expect(p.permission).toMatchObject({ canPublish: false, canPublishSources: [], hidden: true });

      // Demoting twice changes nothing.
      expect(await staff.emitWithAck("hand:demote", { slug: DAY2, handId: queue.requests[0].id })).toMatchObject({ ok: false, error: { code: "conflict" } });
    } finally {
      join.close();
    }
  });

  it("promotes outside any transaction and, when LiveKit fails half-way, puts the request back and every tab back to a viewer", async () => {
    const lk = app().streaming.livekit();
    const room = roomNameFor(day2.id);
    await app().streaming.setState(await actorOf(moderator), day2, "start", { emptyStage: true });
    const tess = await createPerson(app(), { name: "Tess Twotabs", email: "tess@example.org" });
    const staff = await socketOf(moderator);
    const tessSocket = await socketOf(tess);
    const tabs: Array<{ identity: string; join: { close(): void } }> = [];
    for (const tab of ["tab-tess-1", "tab-tess-2"]) {
      const t = await app().streaming.mintToken(await actorOf(tess), day2, { tab });
      tabs.push({ identity: t.identity, join: await signalJoin(t.url, t.token) });
    }
    // The network to LiveKit: the first permission change waits until released, the second is
    // carried out by LiveKit but its answer is lost; everything else passes.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let reached = () => {};
    const reachedLivekit = new Promise<void>((r) => (reached = r));
    const proxy = await livekitFaultProxy(lk.url, (method, i) => {
      if (method !== "UpdateParticipant") return "pass";
      if (i === 0) {
        reached();
        return { holdUntil: held };
      }
      return i === 1 ? "lose-answer" : "pass";
    });
    const direct = lk.rooms;
    let handId = "";
    lk.rooms = new RoomServiceClient(proxy.url, lk.apiKey, lk.apiSecret, { requestTimeout: 10 });
    try {
      expect((await tessSocket.emitWithAck("hand:raise", { slug: DAY2 })).ok).toBe(true);
      const queue = await staff.emitWithAck("hand:queue", { slug: DAY2 });
      if (!queue.ok) throw new Error(queue.error.message);
      handId = queue.data.requests.find((r) => r.name === "Tess Twotabs")!.id;
      const promoting = staff.emitWithAck("hand:promote", { slug: DAY2, handId });
      await reachedLivekit;
      // While LiveKit has not answered, the database answers others (one PGlite connection used to be
      // held by the promotion's transaction) and already says "promoted".
      const during = await Promise.race([
        app().streaming.hands.queue(await actorOf(moderator), day2),
        new Promise<"blocked">((r) => setTimeout(() => r("blocked"), 15_000)),
      ]);
      release();
      expect(during, "the database answered while LiveKit was still busy").not.toBe("blocked");
      if (during === "blocked") return;
      expect(during.requests.find((r) => r.id === handId)?.status).toBe("promoted");
      expect(await promoting).toMatchObject({ ok: false, error: { code: "livekit_error" } });
    } finally {
      release();
      lk.rooms = direct;
      await proxy.close();
    }
    try {
      // The request waits again, and both tabs are viewers again, including the one whose change
      // LiveKit made although its answer never came back.
      const after = await staff.emitWithAck("hand:queue", { slug: DAY2 });
      expect(after).toMatchObject({
        ok: true,
        data: { requests: expect.arrayContaining([expect.objectContaining({ name: "Tess Twotabs", status: "waiting", camera: false })]) },
      });
      expect(proxy.seen.filter((m) => m === "UpdateParticipant")).toHaveLength(4); // two to promote, two to undo
      const mine = (await lk.rooms.listParticipants(room)).filter((p) => tabs.some((t) => t.identity === p.identity));
      expect(mine).toHaveLength(2);
      for (const p of mine) {
        expect(p.permission).toMatchObject({ canPublish: false, canPublishSources: [], hidden: true });
        expect(p.attributes["plenary.role"]).toBe("viewer");
      }
      expect((await app().streaming.mintToken(await actorOf(tess), day2, { tab: "tab-tess-3" })).role).toBe("viewer");
      // With LiveKit answering, the same request can be promoted after all.
      const promoted = await staff.emitWithAck("hand:promote", { slug: DAY2, handId });
      expect(promoted).toMatchObject({ ok: true });
      expect((await tessSocket.emitWithAck("hand:lower", { slug: DAY2 })).ok).toBe(true);
    } finally {
      for (const t of tabs) t.join.close();
    }
  }, 60_000);

  it("a turn ended while the promotion waits for LiveKit stays ended", async () => {
    await app().streaming.setState(await actorOf(moderator), day2, "start", { emptyStage: true });
    const lk = app().streaming.livekit();
    const room = roomNameFor(day2.id);
    const uma = await createPerson(app(), { name: "Uma Undone", email: "uma@example.org" });
    const staff = await socketOf(moderator);
    const umaSocket = await socketOf(uma);
    const t = await app().streaming.mintToken(await actorOf(uma), day2, { tab: "tab-uma-1" });
    const join = await signalJoin(t.url, t.token);
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let reached = () => {};
    const reachedLivekit = new Promise<void>((r) => (reached = r));
    // The promotion's change waits; everything after it (the demote's, the promotion's undo) passes.
    const proxy = await livekitFaultProxy(lk.url, (method, i) => {
      if (method !== "UpdateParticipant" || i !== 0) return "pass";
      reached();
      return { holdUntil: held };
    });
    const direct = lk.rooms;
    lk.rooms = new RoomServiceClient(proxy.url, lk.apiKey, lk.apiSecret, { requestTimeout: 10 });
    try {
      expect((await umaSocket.emitWithAck("hand:raise", { slug: DAY2 })).ok).toBe(true);
      const queue = await staff.emitWithAck("hand:queue", { slug: DAY2 });
      if (!queue.ok) throw new Error(queue.error.message);
      const handId = queue.data.requests.find((r) => r.name === "Uma Undone")!.id;
      const promoting = staff.emitWithAck("hand:promote", { slug: DAY2, handId });
      await reachedLivekit;
      expect(await staff.emitWithAck("hand:demote", { slug: DAY2, handId })).toMatchObject({ ok: true });
      release();
      expect(await promoting).toMatchObject({ ok: false, error: { code: "conflict", message: expect.stringMatching(/turn was ended/) } });
    } finally {
      release();
      lk.rooms = direct;
      await proxy.close();
    }
    try {
      const [p] = (await lk.rooms.listParticipants(room)).filter((x) => x.identity === t.identity);
      expect(p.permission).toMatchObject({ canPublish: false, canPublishSources: [], hidden: true });
      expect((await app().streaming.mintToken(await actorOf(uma), day2, { tab: "tab-uma-2" })).role).toBe("viewer");
    } finally {
      join.close();
    }
  }, 60_000);

  it("a demote LiveKit does not carry out leaves the turn on, so the moderator can end it again", async () => {
    await app().streaming.setState(await actorOf(moderator), day2, "start", { emptyStage: true });
    const lk = app().streaming.livekit();
    const room = roomNameFor(day2.id);
    const vic = await createPerson(app(), { name: "Vic Voice", email: "vic@example.org" });
    const staff = await socketOf(moderator);
    const vicSocket = await socketOf(vic);
    const t = await app().streaming.mintToken(await actorOf(vic), day2, { tab: "tab-vic-1" });
    const join = await signalJoin(t.url, t.token);
    try {
      expect((await vicSocket.emitWithAck("hand:raise", { slug: DAY2 })).ok).toBe(true);
      const queue = await staff.emitWithAck("hand:queue", { slug: DAY2 });
      if (!queue.ok) throw new Error(queue.error.message);
      const handId = queue.data.requests.find((r) => r.name === "Vic Voice")!.id;
      expect(await staff.emitWithAck("hand:promote", { slug: DAY2, handId })).toMatchObject({ ok: true });

      const proxy = await livekitFaultProxy(lk.url, (method) => (method === "UpdateParticipant" ? "drop" : "pass"));
      const direct = lk.rooms;
      lk.rooms = new RoomServiceClient(proxy.url, lk.apiKey, lk.apiSecret, { requestTimeout: 10 });
      try {
        expect(await staff.emitWithAck("hand:demote", { slug: DAY2, handId })).toMatchObject({ ok: false, error: { code: "livekit_error" } });
      } finally {
        lk.rooms = direct;
        await proxy.close();
      }
      expect(await staff.emitWithAck("hand:queue", { slug: DAY2 })).toMatchObject({
        ok: true,
        data: { requests: expect.arrayContaining([expect.objectContaining({ name: "Vic Voice", status: "promoted" })]) },
      });
      expect((await lk.rooms.listParticipants(room)).find((x) => x.identity === t.identity)?.permission).toMatchObject({ canPublish: true, hidden: false });

      expect(await staff.emitWithAck("hand:demote", { slug: DAY2, handId })).toMatchObject({ ok: true });
      expect((await lk.rooms.listParticipants(room)).find((x) => x.identity === t.identity)?.permission).toMatchObject({ canPublish: false, hidden: true });
    } finally {
      join.close();
    }
  }, 60_000);

  it("gives a promoted speaker a speaker's token on reload or a new Watch, and a viewer's again once demoted", async () => {
    const lk = app().streaming.livekit();
    const room = roomNameFor(day2.id);
    await app().streaming.setState(await actorOf(moderator), day2, "start", { emptyStage: true });
    const sol = await createPerson(app(), { name: "Sol Speaker", email: "sol@example.org" });
    const staff = await socketOf(moderator);
    const solSocket = await socketOf(sol);
    const participant = async (identity: string) => (await lk.rooms.listParticipants(room)).find((p) => p.identity === identity);
    const first = await app().streaming.mintToken(await actorOf(sol), day2, { tab: "tab-sol-1" });
    const joins = [await signalJoin(first.url, first.token)];
    try {
      expect((await solSocket.emitWithAck("hand:raise", { slug: DAY2 })).ok).toBe(true);
      const queue = await staff.emitWithAck("hand:queue", { slug: DAY2 });
      if (!queue.ok) throw new Error(queue.error.message);
      const handId = queue.data.requests.find((r) => r.name === "Sol Speaker")!.id;
      expect(await staff.emitWithAck("hand:promote", { slug: DAY2, handId, camera: true })).toMatchObject({ ok: true });

      // The page is reloaded: the new token carries the floor, as LiveKit sees it.
      const reloaded = await app().streaming.mintToken(await actorOf(sol), day2, { tab: "tab-sol-2" });
      expect(reloaded.role).toBe("speaker");
      joins.push(await signalJoin(reloaded.url, reloaded.token));
      const p = await participant(reloaded.identity);
      expect(p?.name).toBe("Sol Speaker");
      expect(p?.permission).toMatchObject({
        canPublish: true,
        canPublishSources: [TrackSource.MICROPHONE, TrackSource.CAMERA],
        hidden: false,
        canPublishData: false,
        canSubscribe: true,
      });
      expect(p?.attributes["plenary.role"]).toBe("speaker");
      // A third tab, minted now but connecting only after the turn has ended…
      const late = await app().streaming.mintToken(await actorOf(sol), day2, { tab: "tab-sol-3" });
      expect(late.role).toBe("speaker");

      expect(await staff.emitWithAck("hand:demote", { slug: DAY2, handId })).toMatchObject({ ok: true });
      const demoted = await app().streaming.mintToken(await actorOf(sol), day2, { tab: "tab-sol-4" });
      expect(demoted.role).toBe("viewer");
      joins.push(await signalJoin(demoted.url, demoted.token));
      expect((await participant(demoted.identity))?.permission).toMatchObject({ canPublish: false, canPublishSources: [], hidden: true });
      expect((await participant(reloaded.identity))?.permission).toMatchObject({ canPublish: false, hidden: true });

      // …is let in by its token, then made a viewer when LiveKit reports the join.
      joins.push(await signalJoin(late.url, late.token));
      expect((await participant(late.identity))?.permission).toMatchObject({ canPublish: true, hidden: false });
      expect(await deliverParticipantJoined(server.url, lk, room, late.identity)).toBe(200);
      expect((await participant(late.identity))?.permission).toMatchObject({ canPublish: false, canPublishSources: [], hidden: true });
      expect((await participant(late.identity))?.attributes["plenary.role"]).toBe("viewer");
    } finally {
      for (const j of joins) j.close();
    }
  }, 60_000);

  it("refuses to promote someone who is not watching, and keeps their request waiting", async () => {
    const staff = await socketOf(moderator);
    const ottoSocket = await socketOf(other);
    const raised = await ottoSocket.emitWithAck("hand:raise", { slug: DAY2 });
    expect(raised.ok).toBe(true);
    const queue = await staff.emitWithAck("hand:queue", { slug: DAY2 });
    if (!queue.ok) throw new Error(queue.error.message);
    // First come, first served: a later request queues behind.
    const late = await createPerson(app(), { name: "Lena Late", email: "lena@example.org" });
    const lateSocket = await socketOf(late);
    expect((await lateSocket.emitWithAck("hand:raise", { slug: DAY2 })).ok).toBe(true);
    const ordered = await staff.emitWithAck("hand:queue", { slug: DAY2 });
    expect(ordered).toMatchObject({ ok: true, data: { requests: [{ name: "Otto Other" }, { name: "Lena Late" }] } });
    expect((await lateSocket.emitWithAck("hand:lower", { slug: DAY2 })).ok).toBe(true);
    const otto = queue.data.requests.find((r) => r.name === "Otto Other")!;
    const refused = await staff.emitWithAck("hand:promote", { slug: DAY2, handId: otto.id });
    expect(refused).toMatchObject({ ok: false, error: { code: "conflict", message: expect.stringMatching(/not watching the stream/) } });
    const after = await staff.emitWithAck("hand:queue", { slug: DAY2 });
    expect(after).toMatchObject({ ok: true, data: { requests: [{ name: "Otto Other", status: "waiting" }] } });
    // The person lowers it themselves.
    expect(await ottoSocket.emitWithAck("hand:lower", { slug: DAY2 })).toMatchObject({ ok: true, data: { status: "none" } });
  });

  it("checks every payload: bad input gets a clear code and changes nothing", async () => {
    const staff = await socketOf(moderator);
    expect(await staff.emitWithAck("hand:promote", { slug: DAY2, handId: "not-a-uuid" })).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    expect(await staff.emitWithAck("hand:promote", { slug: DAY2, handId: "00000000-0000-4000-8000-000000000000" })).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    expect(await staff.emitWithAck("caption:push", { slug: DAY2, text: "  " })).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    expect(await staff.emitWithAck("stream:mute", { slug: DAY2, identity: "nobody.here" })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("sends the captioner's lines to everyone in the session; only staff may caption", async () => {
    const staff = await socketOf(moderator);
    const remySocket = await socketOf(viewer);
    const heard = nextEvent<{ text: string; final: boolean }>(remySocket, "caption:added");
    expect(await staff.emitWithAck("caption:push", { slug: DAY2, text: "Welcome to the conversation.", final: true })).toMatchObject({ ok: true });
    expect(await heard).toMatchObject({ text: "Welcome to the conversation.", final: true });
    expect(await remySocket.emitWithAck("caption:push", { slug: DAY2, text: "I am not the captioner" })).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
  });

  it("refuses recording on a Chatham House session (403 + audit)", async () => {
    // Recording itself (the track recorder, and LiveKit's egress failing here) is in recording.test.ts.
    const mod = await actorOf(moderator);
    const refused = await rejection(app().streaming.recordings.start(mod, day1));
    expect(refused.code).toBe("forbidden");
    expect(refused.status).toBe(403);
    const audit = await app().audit.list({ limit: 50 });
    expect(audit.some((e) => e.action === "recording:control" && e.outcome === "refused" && e.sessionId === day1.id)).toBe(true);
    expect((await app().streaming.snapshot(day1)).recording).toBe(false);
  });

  it("ends the stream: viewers are let go and new viewer tokens refused", async () => {
    const token = await app().streaming.mintToken(await actorOf(other), day2, { tab: "tab-otto" });
    const join = await signalJoin(token.url, token.token);
    try {
      const snapshot = await app().streaming.setState(await actorOf(moderator), day2, "end");
      expect(snapshot.state).toBe("ended");
      const left = (await app().streaming.livekit().rooms.listParticipants(roomNameFor(day2.id))).filter((x) => x.identity === token.identity);
      expect(left).toEqual([]);
      expect((await rejection(app().streaming.mintToken(await actorOf(other), day2, {}))).code).toBe("not_live");
      // Panelists stay backstage.
      expect((await app().streaming.mintToken(await actorOf(panelist), day2, {})).role).toBe("publisher");
    } finally {
      join.close();
    }
  });

  it("removes a viewer who comes back with a token minted before the stream ended", async () => {
    const lk = app().streaming.livekit();
    const room = roomNameFor(day2.id);
    const mod = await actorOf(moderator);
    await app().streaming.setState(mod, day2, "start", { emptyStage: true });
    const token = await app().streaming.mintToken(await actorOf(other), day2, { tab: "tab-otto-late" });
    await app().streaming.setState(mod, day2, "end");
    expect((await rejection(app().streaming.mintToken(await actorOf(other), day2, {}))).code).toBe("not_live");

    // The token is still valid for LiveKit, which lets the viewer in; Plenary removes them when
    // LiveKit's participant_joined webhook arrives (e2e/stream-watch.spec.ts does it with media).
    const join = await signalJoin(token.url, token.token);
    try {
      expect((await lk.rooms.listParticipants(room)).map((p) => p.identity)).toContain(token.identity);
      expect(await deliverParticipantJoined(server.url, lk, room, token.identity)).toBe(200);
      expect((await lk.rooms.listParticipants(room)).map((p) => p.identity)).not.toContain(token.identity);
    } finally {
      join.close();
    }
  }, 30_000);
});

describe("stream tokens without LiveKit", () => {
  // The server is this test's setup: it starts in the hook, so a slow start cannot time the test out.
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ now: NOW });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses out of the window with 403 and an audit entry before saying that LiveKit is missing", async () => {
    const app = server.services;
    expect(app.streaming.available).toBe(false);
    const day2 = (await app.agenda.findRow(DAY2))!;
    const panelist = await createPerson(app, { name: "Nia Panelist", roles: [{ slug: DAY2, role: "panelist" }] });
    const actor = (await app.auth.resolveToken(panelist.token)).actor;
    const later = { ...day2, startsAt: new Date("2024-05-24T10:00:00-04:00"), endsAt: new Date("2024-05-24T11:00:00-04:00") };
    const outside = await rejection(app.streaming.mintToken(actor, later, {}));
    expect(outside.code).toBe("outside_window");
    expect(outside.status).toBe(403);
    const audit = await app.audit.list({ limit: 20 });
    expect(audit.some((e) => e.action === "stream:publish" && e.outcome === "refused" && e.code === "outside_window" && e.sessionId === day2.id)).toBe(true);
    // A Day 1 session is refused by policy, with its audit entry, too.
    const day1 = (await app.agenda.findRow(DAY1))!;
    expect((await rejection(app.streaming.mintToken(actor, day1, {}))).code).toBe("forbidden");
    // Inside the window the answer is that there is no video server.
    const inside = await rejection(app.streaming.mintToken(actor, day2, {}));
    expect(inside.code).toBe("unavailable");
    expect(inside.status).toBe(503);
  });
});
