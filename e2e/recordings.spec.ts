/**
 * A session's recordings on its page: the organizer sees the finished recording with its caption
 * track, downloads both and publishes it; an attendee sees nothing before that, and afterwards watches
 * it with the captions sent while it ran. The WebM is a real file made by ffmpeg in the server's
 * recordings folder (the recorder that makes them is shown by server/streaming/recording.test.ts).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { recordingConfigFor } from "../server/config";
import { insertRecordingFile, updateRecordingFile } from "../server/streaming/queries";
import { Captioner } from "../server/testing/captioner";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { personContext } from "./stream-helpers";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024: streamed, may be recorded
const at = (t: string) => new Date(`2024-05-24T${t}-04:00`);
test.use({ plenaryOptions: { now: at("10:00:00") } });

test("the organizer downloads and publishes a recording with its captions; attendees then watch it", async ({ browser, plenary }) => {
  test.setTimeout(120_000);
  const app = plenary.services;
  const session = (await app.agenda.findRow(SLUG))!;
  const organizer = await personContext(browser, plenary, { name: "Olive Organizer", email: "olive@example.org", organizer: true });
  const attendee = await personContext(browser, plenary, { name: "Remy Remote", email: "remy@example.org" });
  const o = organizer.page;
  const a = attendee.page;

  // A 4-second recording from 10:00:00, with one caption sent while it ran and one after.
  // Where the server keeps recordings (as server/app.ts passes it to the recording service).
  const recording = app.config.recording ?? recordingConfigFor(app.config.dataDir);
  fs.mkdirSync(recording.dir, { recursive: true });
  const id = `rec_e2e_${Date.now()}`;
  const file = path.join(recording.dir, `${id}.webm`);
  execFileSync(recording.ffmpeg, ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15:duration=4", "-c:v", "libvpx", "-b:v", "200k", file]);
  await insertRecordingFile(app.db, { id, sessionId: session.id, backend: "recorder", identity: null, startedBy: null, at: at("10:00:00") });
  const { url } = await app.captions.ingestUrl((await app.auth.resolveToken(organizer.person.token)).actor, session);
  const captioner = new Captioner({ url });
  plenary.clock.set!(at("10:00:01"));
  expect((await captioner.send("Welcome to the recorded panel.")).status).toBe(200);
  await updateRecordingFile(app.db, id, {
    status: "ready",
    path: path.basename(file),
    bytes: fs.statSync(file).size,
    durationMs: 4000,
    endedAt: at("10:00:04"),
  });
  plenary.clock.set!(at("10:00:30"));
  expect((await captioner.send("Said after the recording.")).status).toBe(200);

  // Before it is published, the attendee's page has no recordings.
  await a.goto(`/sessions/${SLUG}`);
  await expect(a.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(a.getByRole("heading", { name: "Recordings" })).toHaveCount(0);

  // The organizer sees it, with the video and caption downloads.
  await o.goto(`/sessions/${SLUG}`);
  const section = o.getByRole("region", { name: "Recordings" });
  const item = section.getByTestId("recording");
  await expect(item).toHaveCount(1);
  await expect(item.getByRole("heading", { name: /^Recording from 10:00/ })).toBeVisible();
  await expect(item).toContainText("Not published");
  const video = await o.request.get(`${await item.getByRole("link", { name: "Download the video" }).getAttribute("href")}`);
  expect(video.status()).toBe(200);
  expect(video.headers()["content-type"]).toBe("video/webm");
  expect(video.headers()["content-disposition"]).toMatch(/^attachment;/);
  expect((await video.body()).length).toBe(fs.statSync(file).size);
  const vtt = await o.request.get(`${await item.getByRole("link", { name: /^Captions, .*\(en-US\) \(WebVTT\)$/ }).getAttribute("href")}`);
  expect(vtt.status()).toBe(200);
  const text = await vtt.text();
  expect(text).toMatch(/^WEBVTT\n/);
  expect(text).toMatch(/00:00:01\.\d{3} --> [^\n]+\nWelcome to the recorded panel\./);
  expect(text).not.toContain("Said after the recording.");
  await expectNoAxeViolations(o, "session page with the organizer's recordings");

  await item.getByRole("button", { name: "Publish to attendees" }).click();
  await expect(item).toContainText("Published to the session's attendees");
  await expect(item.getByRole("button", { name: "Withdraw from attendees" })).toBeEnabled();

  // Now the attendee watches it, captions on.
  await a.reload();
  const player = a.getByRole("region", { name: "Recordings" }).locator("video");
  await expect(player).toHaveCount(1);
  await expect(a.getByRole("region", { name: "Recordings" }).getByRole("button", { name: /Publish|Withdraw/ })).toHaveCount(0);
  const cues = await player.evaluate(
    (v: HTMLVideoElement) =>
      new Promise<string[]>((resolve, reject) => {
        const track = v.querySelector("track")!;
        const done = () => resolve([...(track.track.cues ?? [])].map((c) => (c as VTTCue).text));
        if (track.readyState === 2) return done();
        track.addEventListener("load", done, { once: true });
        track.addEventListener("error", () => reject(new Error("the caption track did not load")), { once: true });
        setTimeout(() => reject(new Error("the caption track did not load in 15 s")), 15_000);
      }),
  );
  expect(cues).toEqual(["Welcome to the recorded panel."]);
  expect(
    await player.evaluate(
      (v: HTMLVideoElement) =>
        new Promise<number>((resolve) => (v.readyState >= 1 ? resolve(v.duration) : v.addEventListener("loadedmetadata", () => resolve(v.duration)))),
    ),
  ).toBeGreaterThan(3);
  await expectNoAxeViolations(a, "session page with a published recording");
  organizer.assertClean();
  attendee.assertClean();
});
