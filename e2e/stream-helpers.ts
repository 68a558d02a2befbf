import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import type { TestServer } from "../server/testing/test-server";
import { createPerson, type PersonSpec, type TestPerson } from "../server/testing/people";
import { expect } from "./fixtures";

/**
 * A signed-in browser context of its own (one per person in a journey). Like the `context` fixture,
 * it fails the test on uncaught page errors and hydration mismatches: call `assertClean()` at the end.
 */
export async function personContext(
  browser: Browser,
  plenary: TestServer,
  spec: PersonSpec,
): Promise<{ person: TestPerson; context: BrowserContext; page: Page; assertClean(): void }> {
  const person = await createPerson(plenary.services, spec);
  const context = await browser.newContext({ baseURL: plenary.url });
  await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  const problems: string[] = [];
  context.on("page", (p) => watch(p, problems));
  const page = await context.newPage();
  return { person, context, page, assertClean: () => expect(problems, `errors in ${spec.name}'s pages`).toEqual([]) };
}

function watch(page: Page, problems: string[]) {
  page.on("pageerror", (err) => problems.push(`${page.url()}: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && /hydrat/i.test(msg.text())) problems.push(`${page.url()}: ${msg.text()}`);
  });
}

/** The video element is showing frames: it has a size and its time advances. */
export async function expectVideoPlaying(page: Page, selector: string) {
  const video = page.locator(selector).first();
  await expect(video).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);
  expect(await video.evaluate((v: HTMLVideoElement) => v.getBoundingClientRect().width)).toBeGreaterThan(0);
  const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 }).toBeGreaterThan(t0 + 0.5);
}

/** Frames keep arriving in a video element (its decoded frame count grows). */
export async function expectFramesArriving(page: Page, selector: string) {
  const video = page.locator(selector).first();
  const frames = () => video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
  const f0 = await frames();
  await expect.poll(frames, { timeout: 15_000 }).toBeGreaterThan(f0 + 10);
}

/**
 * Watches the microphones a page captures: every audio track getUserMedia hands it is noted (the call
 * itself goes to the browser unchanged). The returned function lists the device ids of those still
 * live, i.e. the microphones in use now.
 */
export async function recordAudioCaptures(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const tracks: MediaStreamTrack[] = [];
    (window as unknown as { __plenaryAudioTracks: MediaStreamTrack[] }).__plenaryAudioTracks = tracks;
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      const stream = await original(constraints);
      tracks.push(...stream.getAudioTracks());
      return stream;
    };
  });
  return () =>
    page.evaluate(() =>
      (window as unknown as { __plenaryAudioTracks: MediaStreamTrack[] }).__plenaryAudioTracks
        .filter((t) => t.readyState === "live")
        .map((t) => t.getSettings().deviceId ?? ""),
    );
}

/**
 * Sound is arriving in an <audio> element: its time advances and the signal is not silence (Chromium's
 * fake microphone beeps), measured with Web Audio on the element's stream.
 */
export async function expectAudioArriving(page: Page, selector: string) {
  const audio = page.locator(selector).first();
  await expect(audio).toBeAttached({ timeout: 20_000 });
  const t0 = await audio.evaluate((a: HTMLAudioElement) => a.currentTime);
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 }).toBeGreaterThan(t0 + 0.5);
  const peak = await audio.evaluate(async (a: HTMLAudioElement) => {
    const ctx = new AudioContext();
    await ctx.resume();
    const analyser = ctx.createAnalyser();
    ctx.createMediaStreamSource(a.srcObject as MediaStream).connect(analyser);
    const data = new Float32Array(analyser.fftSize);
    let max = 0;
    const until = performance.now() + 6000;
    while (performance.now() < until && max < 0.05) {
      await new Promise((r) => setTimeout(r, 50));
      analyser.getFloatTimeDomainData(data);
      for (const x of data) max = Math.max(max, Math.abs(x));
    }
    await ctx.close();
    return max;
  });
  expect(peak, "peak amplitude of the received audio").toBeGreaterThan(0.05);
}

/** livekit-client's browser bundle, to try things the page itself never offers (e.g. publishing as a viewer). */
export const livekitUmd = path.resolve("node_modules/livekit-client/dist/livekit-client.umd.js");

/**
 * livekit-client in the page as `window.LivekitClient`, for probes a test runs itself. Evaluated
 * through DevTools, not a <script> tag: the content security policy (rightly) refuses an inline script.
 */
export async function loadLivekitClient(page: Page): Promise<void> {
  await page.evaluate(`${fs.readFileSync(livekitUmd, "utf8")}\n;void 0`);
  expect(await page.evaluate(() => typeof (window as unknown as { LivekitClient?: unknown }).LivekitClient)).toBe("object");
}

/**
 * A WAV file of a steady tone for Chromium's fake microphone (`--use-file-for-fake-audio-capture`,
 * looped). The default fake microphone only beeps briefly once a second, which LiveKit's
 * active-speaker detection rightly ignores; a steady voice-level tone is detected.
 */
export function toneWav(seconds = 3, hz = 440): string {
  const file = path.join(os.tmpdir(), `plenary-e2e-tone-${hz}.wav`);
  if (fs.existsSync(file)) return file;
  const rate = 48_000;
  const samples = rate * seconds;
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 0.5 * 32767), 44 + i * 2);
  fs.writeFileSync(`${file}.tmp`, buf);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * Waits until the moderator's backstage counts someone on stage. The count comes from LiveKit's
 * `participant_joined` webhook, which can reach Plenary after the panelist's page already says "You
 * are backstage"; clicking Go live before it rightly asks "Nobody is on stage" first. The wait is
 * long because the whole suite loads the machine; this checks that the count arrives, not how fast.
 */
export async function expectSomeoneOnStage(moderator: Page): Promise<void> {
  await expect(moderator.getByText(/Remote viewers now: \d+ · On stage: [1-9]/)).toBeVisible({ timeout: 30_000 });
}
