/**
 * What a newcomer waits for on Day 2 (issue 16): from `npm run demo` on a fresh clone to the first
 * video frame a remote viewer sees. Not a test; it prints figures.
 *
 *   npx tsx bench/fresh-clone-first-frame.ts [--livekit prebuilt|warm|cold] [--keep]   (default: prebuilt)
 *
 * Each run clones this repository's HEAD into a new folder, runs `npm install` there (timed, but not
 * part of the figure), then starts the clock and runs `npm run demo` with the simulated clock inside a
 * streamed Day 2 session. The LiveKit server is:
 * - `prebuilt`: the binary this checkout has, copied to where install-livekit.sh puts it;
 * - `warm`: built by the demo's first-run build with this machine's Go caches as they are;
 * - `cold`: built with empty Go module and build caches, as on a machine that never built it
 *   (everything comes from the Go module proxy).
 * When the log says the media server is ready, Chromium (fake camera) signs in the session's demo
 * panelist, joins backstage and publishes; the demo moderator goes live; a demo remote attendee opens
 * the session page and presses Watch. The figure is the time from starting `npm run demo` to that
 * viewer's first `playing` video frame. Everything runs on 127.0.0.1 and stops by itself (30 min limit).
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import type { Browser, Page } from "@playwright/test";
import { launchMediaChromium } from "../server/testing/media-browser";

const root = path.resolve(import.meta.dirname, "..");
const SLUG = "defense-industry-perspectives"; // Fri 24 May 2024, 09:45–11:15, streamed
const NOW = "2024-05-24T09:50:00-04:00";
const PANELIST = `panelist.${SLUG}@example.org`;
const MODERATOR = "moderator.friday@example.org";
const VIEWER = "sam.okafor@example.org";
const LIMIT_MS = 30 * 60_000;

const args = process.argv.slice(2);
const mode = (args.includes("--livekit") ? args[args.indexOf("--livekit") + 1] : "prebuilt") as "prebuilt" | "warm" | "cold";
if (!["prebuilt", "warm", "cold"].includes(mode)) {
  console.error("usage: npx tsx bench/fresh-clone-first-frame.ts --livekit prebuilt|warm|cold [--keep]");
  process.exit(2);
}
const keep = args.includes("--keep");
const watchdog = setTimeout(() => {
  console.error(`fresh-clone-first-frame: no first frame within ${LIMIT_MS / 60_000} min`);
  process.exit(1);
}, LIMIT_MS);
watchdog.unref();

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  const r = spawnSync(cmd, argv, { cwd, env, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} exited ${r.status}`);
  return performance.now() - started;
}

async function signedInPage(browser: Browser, url: string, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  const res = await page.request.post("/api/demo/sign-in", { data: { email }, headers: { origin: url } });
  if (!res.ok()) throw new Error(`demo sign-in as ${email}: HTTP ${res.status()} ${await res.text()}`);
  return page;
}

type Marks = { ready?: number; building?: number; media: number; live: number; frame: number };

/** Starts `npm run demo` in `clone` and times it until a remote viewer's first video frame; stops it again. */
async function demoToFirstFrame(clone: string, env: NodeJS.ProcessEnv): Promise<Marks> {
  const url = `http://127.0.0.1:${env.PORT}`;
  let browser: Browser | undefined;
  const t0 = performance.now();
  const marks: Partial<Marks> = {};
  const demo = spawn("npm", ["run", "demo"], { cwd: clone, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  try {
    await new Promise<void>((resolve, reject) => {
      for (const stream of [demo.stdout, demo.stderr]) {
        readline.createInterface({ input: stream }).on("line", (line) => {
          if (process.env.BENCH_DEBUG) console.log(`  | ${line}`);
          if (!marks.ready && line.includes("Plenary is ready")) marks.ready = performance.now() - t0;
          if (!marks.building && line.includes("media server: building")) marks.building = performance.now() - t0;
          if (line.includes("media server: ready")) {
            marks.media = performance.now() - t0;
            resolve();
          }
          if (/media server: .*(failed|could not)/.test(line)) reject(new Error(line));
        });
      }
      demo.on("exit", (code) => reject(new Error(`npm run demo exited ${code}`)));
    });
    browser = await launchMediaChromium();
    const panelist = await signedInPage(browser, url, PANELIST);
    await panelist.goto(`/sessions/${SLUG}/backstage`);
    await panelist.getByRole("button", { name: "Preview camera and microphone" }).click();
    await panelist.getByRole("button", { name: "Join backstage" }).click();
    await panelist.getByText("You are backstage.").waitFor({ timeout: 60_000 });
    const moderator = await signedInPage(browser, url, MODERATOR);
    const live = await moderator.request.post(`/api/sessions/${SLUG}/stream`, { data: { action: "start" }, headers: { origin: url } });
    if (!live.ok()) throw new Error(`Go live: HTTP ${live.status()} ${await live.text()}`);
    marks.live = performance.now() - t0;
    const viewer = await signedInPage(browser, url, VIEWER);
    await viewer.goto(`/sessions/${SLUG}`);
    await viewer.getByRole("button", { name: "Watch" }).click();
    await viewer.locator("video").first().waitFor({ timeout: 60_000 });
    await viewer.evaluate(async () => {
      for (let t = 0; t < 1200 && performance.getEntriesByName("plenary:stream-first-frame").length === 0; t++) await new Promise((r) => setTimeout(r, 50));
      if (performance.getEntriesByName("plenary:stream-first-frame").length === 0) throw new Error("no video frame within 60 s of Watch");
    });
    marks.frame = performance.now() - t0;
    return marks as Marks;
  } finally {
    await browser?.close().catch(() => undefined);
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      try {
        process.kill(-demo.pid!, signal);
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plenary-fresh-${mode}-`));
  const clone = path.join(dir, "plenary");
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
  try {
    run("git", ["clone", "--quiet", root, clone], dir);
    const installMs = run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], clone);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()), PLENARY_NOW: NOW, LOG_LEVEL: "info", NEXT_TELEMETRY_DISABLED: "1" };
    delete env.LIVEKIT_BIN;
    delete env.DATA_DIR;
    delete env.DATABASE_URL;
    if (mode === "prebuilt") {
      const lk = path.join(clone, "tools", "livekit");
      fs.mkdirSync(lk, { recursive: true });
      fs.copyFileSync(path.join(root, "tools", "livekit", "livekit-server"), path.join(lk, "livekit-server"));
      fs.chmodSync(path.join(lk, "livekit-server"), 0o755);
      fs.copyFileSync(path.join(root, "tools", "livekit", "VERSION"), path.join(lk, "VERSION"));
    } else if (mode === "cold") {
      for (const v of ["GOMODCACHE", "GOCACHE", "GOPATH"]) env[v] = path.join(dir, v.toLowerCase());
    }

    const first = await demoToFirstFrame(clone, env);
    // The same-run baseline: the same clone started again, with everything it built and its data there.
    const again = await demoToFirstFrame(clone, env);

    console.log(
      `# fresh clone → first Day 2 video frame — ${new Date().toISOString()} — commit ${commit} — LiveKit ${mode} — ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    console.log(`npm install (before the clock)                 ${seconds(installMs)}`);
    console.log(`                                               first run   second run (baseline)   ratio`);
    const row = (label: string, key: keyof Marks) =>
      console.log(
        `${label.padEnd(47)}${seconds(first[key] ?? NaN).padEnd(12)}${seconds(again[key] ?? NaN).padEnd(24)}${((first[key] ?? NaN) / (again[key] ?? NaN)).toFixed(1)}×`,
      );
    row(`npm run demo → "Plenary is ready"`, "ready");
    if (first.building) console.log(`npm run demo → LiveKit build begins            ${seconds(first.building)}`);
    row(`npm run demo → "media server: ready"`, "media");
    row(`npm run demo → panelist on stage, live`, "live");
    row(`npm run demo → viewer's first video frame`, "frame");
  } finally {
    if (!keep) {
      // Go's module cache is read-only on disk; make it writable before removing it.
      spawnSync("chmod", ["-R", "u+w", dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
