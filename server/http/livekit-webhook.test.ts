/**
 * The webhook endpoint and the recording guard, against the real embedded LiveKit: events are signed
 * the way LiveKit signs them (a JWT carrying the body's sha256), and the guard's stop call goes to
 * that LiveKit, whose own log shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamAttendance, type SessionRow } from "../../db/schema";
import { RoomServiceClient } from "livekit-server-sdk";
import { metrics } from "../metrics";
import { roomNameFor } from "../streaming/grants";
import { claimWebhookEvent, releaseWebhookClaim } from "../streaming/queries";
import { connectClient, nextEvent, type TestSocket } from "../testing/clients";
import { SERVER_START_MS } from "../testing/timeouts";
import { livekitBinForTests, livekitFaultProxy, signWebhook } from "../testing/livekit";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";

const DAY2 = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024
const DAY1 = "fms-planning";
const hasLivekit = Boolean(livekitBinForTests());

let seq = 0;
const eventId = () => `EV_test_${Date.now().toString(36)}_${seq++}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Webhook events in LiveKit's JSON form (protobuf JSON: int64 as strings, enums by name). */
type Event = Record<string, unknown>;

describe.skipIf(!hasLivekit)("POST /api/livekit/webhook", () => {
  let server: TestServer;
  let day1: SessionRow;
  let day2: SessionRow;
  let staff: TestSocket;
  let audience: TestSocket;
  const app = () => server.services;
  const keys = () => app().streaming.livekit();

  async function post(body: string, authorization?: string) {
    const res = await fetch(`${server.url}/api/livekit/webhook`, {
      method: "POST",
      headers: { "content-type": "application/webhook+json", ...(authorization ? { authorization } : {}) },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  async function deliver(event: Event) {
    const signed = await signWebhook(keys().apiKey, keys().apiSecret, event);
    return post(signed.body, signed.authorization);
  }
  const ROOM_SID = "RM_test_default";
  const participantEvent = (
    name: "participant_joined" | "participant_left",
    sid: string,
    role: string,
    id = eventId(),
    createdAt = nowSeconds(),
    roomSid = ROOM_SID,
  ): Event => ({
    event: name,
    id,
    createdAt: String(createdAt),
    room: { name: roomNameFor(day2.id), sid: roomSid },
    participant: { sid, identity: `p${sid}.tab`, attributes: { "plenary.role": role }, permission: { hidden: role === "viewer" } },
  });
  const egressEvent = (name: "egress_started" | "egress_ended", egressId: string, room: string, status: string): Event => ({
    event: name,
    id: eventId(),
    createdAt: String(nowSeconds()),
    egressInfo: { egressId, roomName: room, status },
  });

  beforeAll(async () => {
    server = await startTestServer({ now: "2024-05-24T09:50:00-04:00", livekit: true });
    day1 = (await app().agenda.findRow(DAY1))!;
    day2 = (await app().agenda.findRow(DAY2))!;
    const moderator = await createPerson(app(), { name: "Morgan Moderator", roles: [{ slug: DAY2, role: "moderator" }] });
    const attendee = await createPerson(app(), { name: "Ada Attendee" });
    staff = await connectClient(server.url, { cookie: moderator.cookie });
    audience = await connectClient(server.url, { cookie: attendee.cookie });
    for (const s of [staff, audience]) expect((await s.emitWithAck("session:join", { slug: DAY2 })).ok).toBe(true);
  }, SERVER_START_MS);

  afterAll(async () => {
    staff?.close();
    audience?.close();
    await server?.close();
  });

  it("stops an egress that starts in a Day 1 room at once, and writes an audit entry", async () => {
    // Day 1 rooms never exist legitimately: simulate "something else" making one and recording it.
    const room = roomNameFor(day1.id);
    await keys().rooms.createRoom({ name: room });
    const egressId = `EG_guard${Date.now().toString(36)}`;
    const res = await deliver(egressEvent("egress_started", egressId, room, "EGRESS_ACTIVE"));
    expect(res).toEqual({ status: 200, json: { handled: true, event: "egress_started" } });

    // The stop call reached LiveKit: its API log names the egress.
    const stopCalls = keys()
      .embedded!.recentOutput()
      .filter((l) => l.includes("Egress.StopEgress") && l.includes(egressId));
    expect(stopCalls.length).toBeGreaterThan(0);

    const [entry] = (await app().audit.list({ action: "recording:guard", limit: 10 })).filter((e) => e.objectId === egressId);
    expect(entry).toMatchObject({ outcome: "refused", actorLabel: "Recording guard (LiveKit webhook)", objectType: "egress", sessionId: day1.id });
    expect(entry.details).toMatchObject({
      reason: expect.stringMatching(/Chatham House Rule/),
      room,
      stop: expect.stringMatching(/stop requested; LiveKit answered: /),
    });
    // Nothing shows as recording.
    expect((await app().streaming.snapshot(day1)).recording).toBe(false);
    await keys().rooms.deleteRoom(room);
  });

  it("also stops an egress in a room that belongs to no session", async () => {
    const egressId = `EG_stray${Date.now().toString(36)}`;
    expect((await deliver(egressEvent("egress_started", egressId, "somebody-elses-room", "EGRESS_STARTING"))).status).toBe(200);
    const [entry] = (await app().audit.list({ action: "recording:guard", limit: 10 })).filter((e) => e.objectId === egressId);
    expect(entry.details).toMatchObject({ reason: expect.stringMatching(/belongs to no Plenary session/) });
  });

  it("refuses a badly signed or modified webhook with 401 and changes nothing", async () => {
    const auditBefore = (await app().audit.list({ limit: 500 })).length;
    const event = egressEvent("egress_started", `EG_forged${Date.now().toString(36)}`, roomNameFor(day1.id), "EGRESS_ACTIVE");
    const forged = await signWebhook(keys().apiKey, "not-the-secret", event);
    expect((await post(forged.body, forged.authorization)).status).toBe(401);

    const good = await signWebhook(keys().apiKey, keys().apiSecret, event);
    const modified = good.body.replace(roomNameFor(day1.id), roomNameFor(day2.id));
    expect(modified).not.toBe(good.body);
    const res = await post(modified, good.authorization);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: "unauthenticated" } });
    expect((await post(good.body)).status).toBe(401);
    expect((await post(good.body, "Bearer garbage")).status).toBe(401);

    expect((await app().audit.list({ limit: 500 })).length).toBe(auditBefore);
    // The event id was not remembered: the genuine delivery is still handled.
    expect(await post(good.body, good.authorization)).toMatchObject({ status: 200, json: { handled: true } });
  });

  it("feeds live attendance to moderators, ignoring duplicates and tolerating events out of order", async () => {
    const audienceFacts: unknown[] = [];
    audience.on("stream:attendance", (a) => audienceFacts.push(a));

    let fact = nextEvent<{ viewers: number; publishers: number }>(staff, "stream:attendance");
    const joined = participantEvent("participant_joined", "PA_viewer1", "viewer");
    expect((await deliver(joined)).status).toBe(200);
    expect(await fact).toMatchObject({ slug: DAY2, viewers: 1, publishers: 0 });

    // /metrics sees the delivery and the viewer.
    const viewers = async () => (await metrics().streamViewers.get()).values.find((v) => v.labels.session === day2.id)?.value;
    const deliveries = async (labels: Record<string, string>) =>
      (await metrics().webhooks.get()).values
        .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k as "event" | "outcome"] === l))
        .reduce((n, v) => n + v.value, 0);
    expect(await viewers()).toBe(1);
    expect(await deliveries({ event: "participant_joined", outcome: "handled" })).toBeGreaterThanOrEqual(1);
    const duplicatesBefore = await deliveries({ outcome: "duplicate" });

    // LiveKit retries a delivery: same id, handled once.
    expect(await deliver(joined)).toEqual({ status: 200, json: { handled: false, reason: "duplicate" } });
    expect(await deliveries({ outcome: "duplicate" })).toBe(duplicatesBefore + 1);

    fact = nextEvent(staff, "stream:attendance");
    await deliver(participantEvent("participant_joined", "PA_panel1", "publisher"));
    expect(await fact).toMatchObject({ viewers: 1, publishers: 1 });

    // A leave that overtakes its join: the late join does not count the viewer back in.
    fact = nextEvent(staff, "stream:attendance");
    await deliver(participantEvent("participant_left", "PA_viewer2", "viewer"));
    await fact;
    fact = nextEvent(staff, "stream:attendance");
    await deliver(participantEvent("participant_joined", "PA_viewer2", "viewer", eventId(), nowSeconds() - 5));
    expect(await fact).toMatchObject({ viewers: 1 });

    fact = nextEvent(staff, "stream:attendance");
    await deliver(participantEvent("participant_left", "PA_viewer1", "viewer"));
    expect(await fact).toMatchObject({ viewers: 0, publishers: 1 });
    expect(await viewers()).toBe(0);

    await new Promise((r) => setTimeout(r, 200));
    expect(audienceFacts).toEqual([]);
  });

  it("keeps attendance per room instance: a late finish of the last instance does not end the next one's connections", async () => {
    const attendance = async (event: Event) => {
      const fact = nextEvent<{ viewers: number; publishers: number }>(staff, "stream:attendance");
      expect(await deliver(event)).toMatchObject({ status: 200, json: { handled: true } });
      return fact;
    };
    const finished = (roomSid: string, createdAt: number): Event => ({
      event: "room_finished",
      id: eventId(),
      createdAt: String(createdAt),
      room: { name: roomNameFor(day2.id), sid: roomSid },
    });
    const t = nowSeconds();
    const u = Date.now().toString(36);
    const [a, b] = [`RM_a${u}`, `RM_b${u}`];
    // Whatever earlier cases left connected ends with their instance.
    expect(await attendance(finished(ROOM_SID, t))).toMatchObject({ viewers: 0, publishers: 0 });

    // The room emptied and was made again (instance b) before LiveKit's finish of instance a arrived.
    expect(await attendance(participantEvent("participant_joined", `PA_a1${u}`, "publisher", eventId(), t, a))).toMatchObject({ publishers: 1 });
    expect(await attendance(participantEvent("participant_joined", `PA_b1${u}`, "publisher", eventId(), t, b))).toMatchObject({ publishers: 2 });
    expect(await attendance(finished(a, t))).toMatchObject({ publishers: 1 });
    // A join of the finished instance that arrives late is not counted; a join of the new one in the
    // same second as that finish is.
    expect(await attendance(participantEvent("participant_joined", `PA_a2${u}`, "publisher", eventId(), t, a))).toMatchObject({ publishers: 1 });
    expect(await attendance(participantEvent("participant_joined", `PA_b2${u}`, "viewer", eventId(), t, b))).toMatchObject({
      viewers: 1,
      publishers: 1,
    });

    // An event that names no room instance is not one LiveKit sends: it is not counted.
    const noInstance = participantEvent("participant_joined", `PA_none${u}`, "publisher", eventId(), t);
    (noInstance.room as { sid?: string }).sid = undefined;
    expect(await attendance(noInstance)).toMatchObject({ viewers: 1, publishers: 1 });

    // A connection recorded before rooms were told apart (room sid '') ends with the session's next finish.
    await app()
      .db.insert(streamAttendance)
      .values({ participantSid: `PA_old${u}`, sessionId: day2.id, roomSid: "", identity: "old", role: "viewer", joinedAt: new Date() });
    expect(await attendance(finished(b, t + 1))).toMatchObject({ viewers: 0, publishers: 0 });
  });

  const guardEntries = async (egressId: string) => (await app().audit.list({ action: "recording:guard", limit: 200 })).filter((e) => e.objectId === egressId);

  it("handles an event once: a retry after success is a duplicate, and concurrent deliveries of it are handled once", async () => {
    const room = roomNameFor(day1.id);
    const retried = egressEvent("egress_started", `EG_retry${Date.now().toString(36)}`, room, "EGRESS_ACTIVE");
    const egressId = (retried.egressInfo as { egressId: string }).egressId;
    expect(await deliver(retried)).toEqual({ status: 200, json: { handled: true, event: "egress_started" } });
    expect(await deliver(retried)).toEqual({ status: 200, json: { handled: false, reason: "duplicate" } });
    expect(await guardEntries(egressId)).toHaveLength(1);

    // Two deliveries of one event at once (a retry overtaking a slow first attempt): one handles it;
    // the other is a duplicate, or a 503 that makes LiveKit retry later.
    const twice = egressEvent("egress_started", `EG_twice${Date.now().toString(36)}`, room, "EGRESS_ACTIVE");
    const twiceId = (twice.egressInfo as { egressId: string }).egressId;
    const signed = await signWebhook(keys().apiKey, keys().apiSecret, twice);
    const answers = await Promise.all([
      post(signed.body, signed.authorization),
      post(signed.body, signed.authorization),
      post(signed.body, signed.authorization),
    ]);
    expect(answers.filter((a) => a.status === 200 && a.json.handled === true)).toHaveLength(1);
    for (const a of answers.filter((x) => x.json.handled !== true)) {
      expect([JSON.stringify({ status: 200, json: { handled: false, reason: "duplicate" } }), `503:in_progress`]).toContain(
        a.status === 503 ? `503:${(a.json.error as { code: string }).code}` : JSON.stringify(a),
      );
    }
    expect(await deliver(twice)).toMatchObject({ status: 200, json: { reason: "duplicate" } });
    expect(await guardEntries(twiceId)).toHaveLength(1);
  });

  it("does not lose an event whose handling failed or was cut off: LiveKit's retry handles it", async () => {
    // Handling fails: the viewer joined while the stream is not live, and removing them does not
    // reach LiveKit (the connection drops). The 5xx makes LiveKit retry; the retry is handled.
    const joined = participantEvent("participant_joined", `PA_late${Date.now().toString(36)}`, "viewer");
    const lk = keys();
    const proxy = await livekitFaultProxy(lk.url, (method) => (method === "RemoveParticipant" ? "drop" : "pass"));
    const direct = lk.rooms;
    lk.rooms = new RoomServiceClient(proxy.url, lk.apiKey, lk.apiSecret, { requestTimeout: 10 });
    try {
      const failed = await deliver(joined);
      expect(failed.status).toBe(502);
      expect(failed.json).toMatchObject({ error: { code: "livekit_error" } });
      expect(proxy.seen).toContain("RemoveParticipant");
    } finally {
      lk.rooms = direct;
      await proxy.close();
    }
    expect(await deliver(joined)).toEqual({ status: 200, json: { handled: true, event: "participant_joined" } });
    expect(await deliver(joined)).toMatchObject({ status: 200, json: { reason: "duplicate" } });

    // Cut off: a process claimed the event and died before finishing (its claim's lease ran out).
    const orphan = egressEvent("egress_started", `EG_orphan${Date.now().toString(36)}`, roomNameFor(day1.id), "EGRESS_ACTIVE");
    const orphanId = (orphan.egressInfo as { egressId: string }).egressId;
    expect(await claimWebhookEvent(app().db, { id: orphan.id as string, event: "egress_started", token: "died-meanwhile", leaseMs: -1000 })).toBe("claimed");
    expect(await deliver(orphan)).toEqual({ status: 200, json: { handled: true, event: "egress_started" } });
    expect(await guardEntries(orphanId)).toHaveLength(1);

    // Still being handled elsewhere (its lease runs): a 503 that changes nothing; once that
    // handling gave up, the retry is handled.
    const busy = egressEvent("egress_started", `EG_busy${Date.now().toString(36)}`, roomNameFor(day1.id), "EGRESS_ACTIVE");
    const busyId = (busy.egressInfo as { egressId: string }).egressId;
    expect(await claimWebhookEvent(app().db, { id: busy.id as string, event: "egress_started", token: "other-instance", leaseMs: 60_000 })).toBe("claimed");
    const refused = await deliver(busy);
    expect(refused).toMatchObject({ status: 503, json: { error: { code: "in_progress" } } });
    expect(await guardEntries(busyId)).toHaveLength(0);
    await releaseWebhookClaim(app().db, busy.id as string, "other-instance");
    expect(await deliver(busy)).toEqual({ status: 200, json: { handled: true, event: "egress_started" } });
    expect(await guardEntries(busyId)).toHaveLength(1);
  });

  it("shows REC while an allowed recording runs, whoever started it, and not after it ended", async () => {
    const room = roomNameFor(day2.id);
    let changed = nextEvent<{ recording: boolean }>(audience, "stream:changed");
    await deliver(egressEvent("egress_started", "EG_allowed1", room, "EGRESS_ACTIVE"));
    expect(await changed).toMatchObject({ recording: true });
    expect((await app().streaming.snapshot(day2)).recording).toBe(true);

    changed = nextEvent(audience, "stream:changed");
    await deliver(egressEvent("egress_ended", "EG_allowed1", room, "EGRESS_COMPLETE"));
    expect(await changed).toMatchObject({ recording: false });

    // Out of order: the end arrives first; the late start must not turn REC on.
    await deliver(egressEvent("egress_ended", "EG_allowed2", room, "EGRESS_COMPLETE"));
    await deliver(egressEvent("egress_started", "EG_allowed2", room, "EGRESS_ACTIVE"));
    expect((await app().streaming.snapshot(day2)).recording).toBe(false);
  });
});

describe("POST /api/livekit/webhook without LiveKit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers 503 and the rest of Plenary works", async () => {
    expect(server.services.streaming.available).toBe(false);
    const res = await fetch(`${server.url}/api/livekit/webhook`, { method: "POST", body: "{}" });
    expect(res.status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const day2 = (await server.services.agenda.findRow(DAY2))!;
    expect(await server.services.streaming.snapshot(day2)).toMatchObject({ available: false, state: "idle", recording: false });
  });
});
