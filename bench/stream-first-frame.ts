/**
 * Streaming benchmark (not a test): on loopback, against the embedded LiveKit and Chromium's fake
 * camera, measures
 *   1. the time from pressing "Watch" to the first video frame playing on the viewer page, with the
 *      local camera preview's first frame (no network, no SFU) as the same-run baseline;
 *   2. the JavaScript the stream adds to a session page: a Day 2 page after Watch versus a Day 1 page.
 *
 *   npx tsx bench/stream-first-frame.ts [runs=7]
 *
 * Bounded (a fixed number of runs), 127.0.0.1 only, stops by itself. Prints figures and ratios.
 */
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { launchMediaChromium } from "../server/testing/media-browser";
import { createPerson } from "../server/testing/people";
import { startTestServer } from "../server/testing/test-server";

const RUNS = Number(process.argv[2] ?? 7);
const SLUG = "defense-industry-perspectives";
const root = path.resolve(import.meta.dirname, "..");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

async function main() {
  execFileSync(process.execPath, [path.join(root, "scripts", "start.mjs"), "--build-only"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const server = await startTestServer({ withNext: true, livekit: true, now: "2024-05-24T09:50:00-04:00" });
  const browser = await launchMediaChromium();
  try {
    const app = server.services;
    const session = (await app.agenda.findRow(SLUG))!;
    const panelist = await createPerson(app, { name: "Dana Panelist", roles: [{ slug: SLUG, role: "panelist" }] });
    const moderator = await createPerson(app, { name: "Morgan Moderator", roles: [{ slug: SLUG, role: "moderator" }] });
    const viewer = await createPerson(app, { name: "Remy Remote" });
    await app.streaming.setState((await app.auth.resolveToken(moderator.token)).actor, session, "start", { emptyStage: true });

    const pp = await signedInPage(browser, server.url, panelist.token);
    await pp.goto(`/sessions/${SLUG}/backstage`);
    const previewMs = await pp.evaluate(() => performance.now());
    await pp.getByRole("button", { name: "Preview camera and microphone" }).click();
    await pp
      .locator('video[aria-label="Preview of your camera"]')
      .evaluate(
        (v: HTMLVideoElement) =>
          new Promise<void>((resolve) => (v.readyState >= 2 && !v.paused ? resolve() : v.addEventListener("playing", () => resolve(), { once: true }))),
      );
    const previewFrame = (await pp.evaluate(() => performance.now())) - previewMs;
    await pp.getByRole("button", { name: "Join backstage" }).click();
    await pp.getByText("You are backstage.").waitFor({ timeout: 20_000 });

    // 1. Watch → first frame, each run in a new browser context (empty cache); the first run also pays for LiveKit's and Next's first use.
    const times: number[] = [];
    let cold = 0;
    for (let i = 0; i < RUNS; i++) {
      const vp = await signedInPage(browser, server.url, viewer.token);
      await vp.goto(`/sessions/${SLUG}`);
      await vp.getByRole("button", { name: "Watch" }).click();
      await vp.locator('video[aria-label="Dana Panelist (camera)"]').waitFor({ timeout: 20_000 });
      const ms = await vp.evaluate(async () => {
        for (let t = 0; t < 200 && performance.getEntriesByName("plenary:stream-first-frame").length === 0; t++) await new Promise((r) => setTimeout(r, 50));
        return performance.measure("watch-to-frame", "plenary:stream-watch", "plenary:stream-first-frame").duration;
      });
      if (i === 0) cold = ms;
      else times.push(ms);
      await vp.context().close();
    }

    // 2. JavaScript: a Day 1 page (no stream) against a Day 2 page after Watch.
    const day1 = await scriptBytes(browser, server.url, viewer.token, "/sessions/fms-planning", false);
    const day2 = await scriptBytes(browser, server.url, viewer.token, `/sessions/${SLUG}`, true);

    const rest = median(times);
    console.log(
      `# Streaming benchmark — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}, ${os.platform()} ${os.release()}, Node ${process.version}`,
    );
    console.log(`baseline: local camera preview, first frame          ${fmt(previewFrame)}`);
    console.log(`Watch → first video frame, first run                 ${fmt(cold)}`);
    console.log(
      `Watch → first video frame, median of next ${times.length}          ${fmt(rest)}  (min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))})`,
    );
    console.log(`ratio median / baseline                              ${(rest / previewFrame).toFixed(2)}×`);
    console.log(`JS on a Day 1 session page (no stream)               ${kib(day1.transfer)} transferred, ${kib(day1.decoded)} decoded, ${day1.count} files`);
    console.log(`JS on a Day 2 session page after Watch               ${kib(day2.transfer)} transferred, ${kib(day2.decoded)} decoded, ${day2.count} files`);
    console.log(
      `JS the stream adds                                   ${kib(day2.transfer - day1.transfer)} transferred, ${kib(day2.decoded - day1.decoded)} decoded (${(day2.decoded / day1.decoded).toFixed(2)}× the Day 1 page)`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

async function signedInPage(browser: Browser, url: string, token: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: url });
  await context.addCookies([{ name: "next-auth.session-token", value: token, url }]);
  return context.newPage();
}

async function scriptBytes(browser: Browser, url: string, token: string, path: string, watch: boolean) {
  const page = await signedInPage(browser, url, token);
  const sizes: Array<Promise<{ transfer: number; decoded: number }>> = [];
  page.on("requestfinished", (req) => {
    if (req.resourceType() !== "script") return;
    sizes.push(
      (async () => {
        const s = await req.sizes();
        const res = await req.response();
        const body = res ? await res.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
        return { transfer: s.responseBodySize, decoded: body.length };
      })(),
    );
  });
  await page.goto(path);
  if (watch) {
    await page.getByRole("button", { name: "Watch" }).click();
    await page.locator("video").first().waitFor({ timeout: 20_000 });
  }
  await page.waitForLoadState("networkidle");
  const all = await Promise.all(sizes);
  await page.context().close();
  return { count: all.length, transfer: all.reduce((a, b) => a + b.transfer, 0), decoded: all.reduce((a, b) => a + b.decoded, 0) };
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
