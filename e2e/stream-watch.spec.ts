import { TrackType } from "livekit-server-sdk";
/**
 * Day 2 streaming in Chromium with its fake camera and microphone, against the real embedded
 * LiveKit: a panelist publishes from backstage, the moderator goes live, a remote stakeholder
 * watches the video play and cannot publish, the moderator mutes the panelist and sees attendance.
 */
import type { WebSocketRoute } from "@playwright/test";
import { signWebhook } from "../server/testing/livekit";
import { roomNameFor } from "../server/streaming/grants";
import { createPerson } from "../server/testing/people";
import config from "../playwright.config";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import {
  expectAudioArriving,
  expectFramesArriving,
  expectSomeoneOnStage,
  expectVideoPlaying,
  loadLivekitClient,
  personContext,
  recordAudioCaptures,
} from "./stream-helpers";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024, streamed, recording allowed
const launch = config.use!.launchOptions!;
const logLines: string[] = [];
const removals = () => logLines.filter((l) => l.includes("removed a viewer who joined while the stream was not live")).length;
test.use({
  plenaryOptions: { now: "2024-05-24T09:50:00-04:00", livekit: true, logSink: (line: string) => logLines.push(line) },
  // Chromium's fake devices: three microphones always, and here two cameras (one by default), so the
  // backstage's camera choice can be switched. (Chromium's second fake camera previews but LiveKit
  // never receives its video, so the panelist goes on stage with the first one.)
  launchOptions: {
    ...launch,
    args: (launch.args ?? []).map((a) => (a === "--use-fake-device-for-media-stream" ? "--use-fake-device-for-media-stream=device-count=2" : a)),
  },
});

test("a panelist publishes, a remote viewer watches it play and cannot publish, the moderator mutes and counts viewers", async ({ browser, plenary }) => {
  // Three browsers with live media; starting the server and LiveKit alone can take a minute on a busy machine.
  test.setTimeout(240_000);
  const panelist = await personContext(browser, plenary, { name: "Dana Panelist", email: "dana@example.org", roles: [{ slug: SLUG, role: "panelist" }] });
  const moderator = await personContext(browser, plenary, {
    name: "Morgan Moderator",
    email: "morgan@example.org",
    roles: [{ slug: SLUG, role: "moderator" }],
  });
  const viewer = await personContext(browser, plenary, { name: "Remy Remote", email: "remy@example.org", affiliation: "Partner Nation MoD" });

  // Backstage: preview, choose devices, join. Not live yet.
  const p = panelist.page;
  const microphonesInUse = await recordAudioCaptures(p);
  await p.goto(`/sessions/${SLUG}/backstage`);
  await expect(p.getByRole("heading", { level: 1, name: /^Backstage: Defense Industry Perspectives/ })).toBeVisible();
  await p.getByRole("button", { name: "Preview camera and microphone" }).click();
  const preview = 'video[aria-label="Preview of your camera"]';
  await expectVideoPlaying(p, preview);

  // Choosing another camera re-acquires the preview from that camera.
  const camera = p.getByRole("combobox", { name: "Camera" });
  const microphone = p.getByRole("combobox", { name: "Microphone" });
  const optionsOf = (select: typeof camera) =>
    select.locator("option").evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? "" })));
  const cameras = await optionsOf(camera);
  expect(cameras.map((c) => c.label)).toEqual(["fake_device_0", "fake_device_1"]);
  const previewCamera = () =>
    p.locator(preview).evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId ?? null);
  const firstCamera = await camera.inputValue();
  expect(await previewCamera()).toBe(firstCamera);
  const secondCamera = cameras.find((c) => c.value !== firstCamera)!.value;
  await camera.selectOption(secondCamera);
  await expect.poll(previewCamera).toBe(secondCamera);
  await expect(camera).toHaveValue(secondCamera);
  await expectFramesArriving(p, preview);
  await camera.selectOption(firstCamera);
  await expect.poll(previewCamera).toBe(firstCamera);
  await expectFramesArriving(p, preview);

  // Choosing another microphone stops the one in use and captures the chosen one.
  const microphones = (await optionsOf(microphone)).map((m) => m.value);
  expect(microphones).toHaveLength(3);
  await expect.poll(microphonesInUse).toHaveLength(1);
  const [firstMic] = await microphonesInUse();
  const [secondMic, thirdMic] = microphones.filter((m) => m !== firstMic && m !== "default");
  await microphone.selectOption(secondMic);
  await expect(microphone).toHaveValue(secondMic);
  await expect.poll(microphonesInUse).toEqual([secondMic]);
  await p.getByRole("button", { name: "Join backstage" }).click();
  await expect(p.getByText("You are backstage.")).toBeVisible({ timeout: 20_000 });
  await expect(p.getByRole("status").filter({ hasText: "Not live yet" })).toBeVisible();
  await expectNoAxeViolations(p, "backstage (panelist)");

  // The viewer waits: no Watch before the moderator goes live, and no token either.
  const v = viewer.page;
  await v.goto(`/sessions/${SLUG}`);
  await expect(v.getByText("Waiting for the moderators to start the stream.")).toBeVisible();
  await expect(v.getByRole("button", { name: "Watch" })).toHaveCount(0);
  const early = await v.request.post(`/api/sessions/${SLUG}/stream-token`, { data: {}, headers: { origin: plenary.url } });
  expect(early.status()).toBe(409);

  // The moderator goes live once the count shows the panelist on stage; the viewer's page follows without a reload.
  const m = moderator.page;
  await m.goto(`/sessions/${SLUG}/backstage`);
  await expectSomeoneOnStage(m);
  await m.getByRole("button", { name: "Go live" }).click();
  await expect(m.getByRole("status").filter({ hasText: "Live: viewers can see and hear everyone on stage." })).toBeVisible();
  await expect(p.getByRole("status").filter({ hasText: "Live: viewers can see" })).toBeVisible();

  await v.getByRole("button", { name: "Watch" }).click();
  await expect(v.locator('[data-state="live"]')).toHaveText("Live", { timeout: 20_000 });
  await expectVideoPlaying(v, 'video[aria-label="Dana Panelist (camera)"]');
  await expect(v.getByRole("list", { name: "On stage" })).toContainText("Dana Panelist");
  await expectNoAxeViolations(v, "session page, watching");

  // Another microphone while on stage: the published track follows it, and viewers still hear it.
  await expectAudioArriving(v, 'audio[data-speaker="Dana Panelist"]');
  await microphone.selectOption(thirdMic);
  await expect.poll(microphonesInUse).toEqual([thirdMic]);
  await expectAudioArriving(v, 'audio[data-speaker="Dana Panelist"]');
  await expectFramesArriving(v, 'video[aria-label="Dana Panelist (camera)"]');

  // The viewer's grants on LiveKit: hidden, subscribe only.
  const lk = plenary.services.streaming.livekit();
  const session = (await plenary.services.agenda.findRow(SLUG))!;
  const participants = await lk.rooms.listParticipants(roomNameFor(session.id));
  const viewers = participants.filter((x) => x.attributes["plenary.role"] === "viewer");
  expect(viewers).toHaveLength(1);
  expect(viewers[0].permission).toMatchObject({ canPublish: false, canPublishSources: [], canPublishData: false, hidden: true });
  expect(viewers[0].name).toBe("");

  // And trying anyway, with livekit-client and a fresh viewer token, is refused.
  await loadLivekitClient(v);
  const attempt = await v.evaluate(async (slug) => {
    const res = await fetch(`/api/sessions/${slug}/stream-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tab: "probe-tab" }),
    });
    const t = (await res.json()) as { url: string; token: string; role: string };
    const { Room } = (window as unknown as { LivekitClient: typeof import("livekit-client") }).LivekitClient;
    const room = new Room();
    await room.connect(t.url, t.token);
    try {
      await room.localParticipant.setCameraEnabled(true);
      return { role: t.role, published: room.localParticipant.trackPublications.size > 0 };
    } catch (err) {
      return { role: t.role, published: false, error: String(err) };
    } finally {
      await room.disconnect();
    }
  }, SLUG);
  expect(attempt).toMatchObject({ role: "viewer", published: false, error: expect.stringMatching(/permission/i) });

  // Attendance reaches the moderator from LiveKit's own webhooks.
  await expect(m.getByText(/Remote viewers now: 1 · On stage: [12]/)).toBeVisible({ timeout: 15_000 });

  // The moderator joins the room and mutes the panelist through LiveKit's room service.
  await m.getByRole("button", { name: "Preview camera and microphone" }).click();
  await m.getByRole("button", { name: "Join backstage" }).click();
  await expect(m.getByRole("heading", { name: "On stage" })).toBeVisible({ timeout: 20_000 });
  await m.getByRole("button", { name: "Mute Dana Panelist" }).click();
  await expect(m.getByText("Dana Panelist is muted.")).toBeVisible();
  await expect(p.getByRole("button", { name: "Unmute my microphone" })).toBeVisible({ timeout: 10_000 });
  await expect(v.getByRole("list", { name: "On stage" }).getByText(/Dana Panelist.*microphone off/)).toBeVisible({ timeout: 10_000 });
  const dana = (await lk.rooms.listParticipants(roomNameFor(session.id))).find((x) => x.name === "Dana Panelist")!;
  expect(dana.tracks.filter((t) => t.type === TrackType.AUDIO).every((t) => t.muted)).toBe(true);
  await expectNoAxeViolations(m, "backstage (moderator)");

  // The captioner's line (typed backstage here; CART software sends the same socket command) reaches viewers.
  await m.getByRole("textbox", { name: /Caption line/ }).fill("Good morning, and welcome to the industry panel.");
  await m.getByRole("button", { name: "Send caption" }).click();
  await expect(v.getByRole("log", { name: "Captions" })).toContainText("Good morning, and welcome to the industry panel.");

  // A recording that starts (here: LiveKit's signed egress_started webhook) shows REC to viewers and backstage.
  const hook = await signWebhook(lk.apiKey, lk.apiSecret, {
    event: "egress_started",
    id: `EV_rec_${Date.now()}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    egressInfo: { egressId: "EG_e2e_rec", roomName: roomNameFor(session.id), status: "EGRESS_ACTIVE" },
  });
  const delivered = await fetch(`${plenary.url}/api/livekit/webhook`, { method: "POST", body: hook.body, headers: { authorization: hook.authorization } });
  expect(delivered.status).toBe(200);
  await expect(v.getByRole("status", { name: "Recording: this session is being recorded" })).toBeVisible();
  await expect(p.getByRole("status", { name: "Recording: this session is being recorded" })).toBeVisible();

  // A token the viewer got while live (they last 5 minutes)…
  const stale = await v.evaluate(async (slug) => {
    const res = await fetch(`/api/sessions/${slug}/stream-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tab: "stale-tab" }),
    });
    return (await res.json()) as { url: string; token: string; role: string };
  }, SLUG);
  expect(stale.role).toBe("viewer");

  // Ending the stream lets the viewer go (and tries to stop that recording: LiveKit's answer is shown).
  await m.getByRole("button", { name: "End the stream" }).click();
  await expect(m.getByRole("region", { name: "Stream" }).getByRole("alert")).toHaveText(
    /^The stream has ended, but the recording is still running\. LiveKit could not stop the recording: /,
    { timeout: 15_000 },
  );
  await expect(v.locator('[data-state="ended"]')).toBeVisible({ timeout: 15_000 });
  await expect(v.getByText("The stream of this session has ended.")).toBeVisible();

  // …gets them into the room again as far as LiveKit goes, but Plenary removes them as soon as
  // LiveKit reports the join: they cannot listen to the panelists backstage.
  const removedBefore = removals();
  const comeback = await v.evaluate(async (t) => {
    const { Room, RoomEvent, DisconnectReason } = (window as unknown as { LivekitClient: typeof import("livekit-client") }).LivekitClient;
    const room = new Room();
    const gone = new Promise<string>((resolve) =>
      room.once(RoomEvent.Disconnected, (reason?: number) => resolve(DisconnectReason[reason ?? 0] ?? String(reason))),
    );
    try {
      await room.connect(t.url, t.token);
    } catch (err) {
      return `refused: ${String(err)}`;
    }
    return Promise.race([gone, new Promise<string>((r) => setTimeout(() => r("still connected after 20 s"), 20_000))]).finally(() => room.disconnect());
  }, stale);
  // The removal can land before the client's media connection is up (connecting then fails) or
  // after it (the client is told PARTICIPANT_REMOVED); either way Plenary removed them.
  expect(comeback).toMatch(/^(PARTICIPANT_REMOVED|refused: ConnectionError: could not establish pc connection)$/);
  await expect.poll(removals, { timeout: 10_000 }).toBeGreaterThan(removedBefore);

  // When LiveKit reports the egress over, REC goes away everywhere.
  const ended = await signWebhook(lk.apiKey, lk.apiSecret, {
    event: "egress_ended",
    id: `EV_rec_end_${Date.now()}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    egressInfo: { egressId: "EG_e2e_rec", roomName: roomNameFor(session.id), status: "EGRESS_COMPLETE" },
  });
  expect(
    (await fetch(`${plenary.url}/api/livekit/webhook`, { method: "POST", body: ended.body, headers: { authorization: ended.authorization } })).status,
  ).toBe(200);
  await expect(v.getByRole("status", { name: "Recording: this session is being recorded" })).toHaveCount(0);
  await expect(p.getByRole("status", { name: "Recording: this session is being recorded" })).toHaveCount(0);

  for (const c of [panelist, moderator, viewer]) {
    c.assertClean();
    await c.context.close();
  }
});

test("Go live asks first when nobody is on stage; Start recording runs the track recorder, REC follows LiveKit", async ({ browser, plenary }) => {
  test.setTimeout(120_000);
  const moderator = await personContext(browser, plenary, { name: "Mo Moderator", email: "mo@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const m = moderator.page;
  await m.goto(`/sessions/${SLUG}/backstage`);
  // The server asks too: a start without the moderator's "anyway" is refused and changes nothing.
  const direct = await m.request.post(`/api/sessions/${SLUG}/stream`, { data: { action: "start" }, headers: { origin: plenary.url } });
  expect(direct.status()).toBe(409);
  expect(((await direct.json()) as { error: { code: string } }).error.code).toBe("stage_empty");
  // Nobody is on stage: Go live asks first, and the first choice is to wait.
  await m.getByRole("button", { name: "Go live" }).click();
  const confirm = m.getByRole("dialog", { name: "Nobody is on stage" });
  await expect(confirm.getByRole("button", { name: "Wait" })).toBeFocused();
  await expectNoAxeViolations(m, "go-live confirmation");
  await m.keyboard.press("Enter");
  await expect(confirm).toHaveCount(0);
  // Still not live (this file's first test went live and ended: the stream stays "ended").
  await expect(m.getByRole("status").filter({ hasText: "The stream has ended" })).toBeVisible();
  expect((await plenary.services.streaming.snapshot((await plenary.services.agenda.findRow(SLUG))!)).state).toBe("ended");
  await m.getByRole("button", { name: "Go live" }).click();
  await confirm.getByRole("button", { name: "Go live anyway" }).click();
  await expect(m.getByRole("status").filter({ hasText: "Live: viewers" })).toBeVisible();
  // The embedded default records with Plenary's track recorder (tools/recorder): REC comes on when
  // LiveKit's webhook says the recorder joined, and goes off when it says the recorder left.
  const rec = m.getByRole("status", { name: "Recording: this session is being recorded" });
  await m.getByRole("button", { name: "Start recording" }).click();
  await expect(rec).toBeVisible({ timeout: 20_000 });
  await expect(m.getByRole("region", { name: "Stream" }).getByRole("alert")).toHaveCount(0);
  await m.getByRole("button", { name: "Stop recording" }).click();
  await expect(rec).toHaveCount(0, { timeout: 20_000 });
  await expect(m.getByRole("button", { name: "Start recording" })).toBeEnabled();
  moderator.assertClean();
  await moderator.context.close();
});

test("the LiveKit client is downloaded only on streamed sessions", async ({ browser, plenary }) => {
  const viewer = await personContext(browser, plenary, { name: "Sam Scripts", email: "sam@example.org" });
  const staff = await createPerson(plenary.services, { name: "Max Moderator", roles: [{ slug: SLUG, role: "moderator" }] });
  const moderator = (await plenary.services.auth.resolveToken(staff.token)).actor;
  await plenary.services.streaming.setState(moderator, (await plenary.services.agenda.findRow(SLUG))!, "start", { emptyStage: true });

  const scripts = new Map<string, string>();
  viewer.page.on("response", async (res) => {
    if (res.request().resourceType() === "script" && res.ok()) scripts.set(res.url(), await res.text().catch(() => ""));
  });
  const hasLivekit = () => [...scripts.values()].some((body) => body.includes("livekit") && body.includes("RTCPeerConnection"));

  await viewer.page.goto("/sessions/fms-planning");
  await expect(viewer.page.getByText(/Chatham House Rule, in the room only, and is never streamed or recorded/)).toBeVisible();
  await viewer.page.waitForLoadState("networkidle");
  expect(hasLivekit(), "LiveKit code on a Day 1 page").toBe(false);

  scripts.clear();
  await viewer.page.goto(`/sessions/${SLUG}`);
  await viewer.page.getByRole("button", { name: "Watch" }).click();
  await expect(viewer.page.locator('[data-state="live"]')).toBeVisible({ timeout: 20_000 });
  expect(hasLivekit(), "LiveKit code on a streamed session").toBe(true);
  viewer.assertClean();
  await viewer.context.close();
});

test("a dropped connection shows Reconnecting… and comes back to Live by itself", async ({ browser, plenary }) => {
  test.setTimeout(90_000);
  const staff = await createPerson(plenary.services, { name: "Rita Moderator", roles: [{ slug: SLUG, role: "moderator" }] });
  await plenary.services.streaming.setState(
    (await plenary.services.auth.resolveToken(staff.token)).actor,
    (await plenary.services.agenda.findRow(SLUG))!,
    "start",
    { emptyStage: true },
  );
  const panelist = await personContext(browser, plenary, { name: "Pat Panelist", roles: [{ slug: SLUG, role: "panelist" }] });
  await panelist.page.goto(`/sessions/${SLUG}/backstage`);
  await panelist.page.getByRole("button", { name: "Preview camera and microphone" }).click();
  await panelist.page.getByRole("button", { name: "Join backstage" }).click();
  await expect(panelist.page.getByText("You are backstage.")).toBeVisible({ timeout: 20_000 });

  // LiveKit's signalling WebSocket goes through Playwright, so the test can cut it and hold new ones.
  const viewer = await personContext(browser, plenary, { name: "Val Viewer" });
  let cut = false;
  const open: WebSocketRoute[] = [];
  const held: WebSocketRoute[] = [];
  await viewer.page.routeWebSocket(/\/rtc/, (ws) => {
    if (cut) return void held.push(ws);
    ws.connectToServer();
    open.push(ws);
  });
  const v = viewer.page;
  await v.goto(`/sessions/${SLUG}`);
  await v.getByRole("button", { name: "Watch" }).click();
  await expectVideoPlaying(v, 'video[aria-label="Pat Panelist (camera)"]');

  cut = true;
  for (const ws of open) await ws.close();
  await expect(v.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeVisible({ timeout: 20_000 });
  cut = false;
  for (const ws of held) await ws.close();
  await expect(v.locator('[data-state="live"]')).toHaveText("Live", { timeout: 30_000 });
  await expectVideoPlaying(v, 'video[aria-label="Pat Panelist (camera)"]');
  for (const c of [panelist, viewer]) {
    c.assertClean();
    await c.context.close();
  }
});
