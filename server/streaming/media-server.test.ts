/**
 * Integration: streaming on a first run. The LiveKit binary is missing; Plenary serves at once, builds
 * it in the background and switches streaming on without a restart. The build command is injected: a
 * real script that speaks install-livekit.sh's protocol and copies the real livekit-server (a `go
 * install` takes minutes on a cold cache); the last test runs the real install-livekit.sh where Go is
 * installed. What starts afterwards is always the real LiveKit, reached by real socket.io clients.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { livekitWebhookEvents } from "../../db/schema";
import type { MediaState, StreamSnapshot } from "../../lib/streaming";
import { AppError } from "../errors";
import { collect, connectClient, type TestSocket } from "../testing/clients";
import { livekitBinForTests, signalJoin } from "../testing/livekit";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer, type TestServerOptions } from "../testing/test-server";
import { startsInTest } from "../testing/timeouts";
import { defaultLivekitBuild, type LivekitBuild } from "./media-server";

const DAY2 = "conversation-with-asd-acquisition"; // 08:45–09:30 Fri 24 May 2024
const NOW = "2024-05-24T08:50:00-04:00";
const copyScript = fileURLToPath(new URL("../testing/livekit-build-copy.mjs", import.meta.url));
const hasLivekit = Boolean(livekitBinForTests());
const hasGo = (() => {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function copyBuild(env: Record<string, string> = {}): LivekitBuild {
  return { command: process.execPath, args: [copyScript], env: { LIVEKIT_SOURCE: livekitBinForTests() ?? "", ...env } };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempBin(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-media-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "tools", "livekit", "livekit-server");
}

async function serverWith(bin: string, build: LivekitBuild, extra: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer({ now: NOW, config: { livekit: { mode: "embedded", bin } }, livekitBuild: build, ...extra });
  cleanups.push(() => server.close());
  return server;
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function viewerSocket(server: TestServer): Promise<TestSocket> {
  const viewer = await createPerson(server.services, { name: "Remy Remote", email: `remy-${Date.now()}@example.org` });
  const socket = await connectClient(server.url, { cookie: viewer.cookie });
  cleanups.push(() => void socket.close());
  expect((await socket.emitWithAck("session:join", { slug: DAY2 })).ok).toBe(true);
  return socket;
}

async function streamOf(socket: TestSocket): Promise<StreamSnapshot> {
  const ack = await socket.emitWithAck("stream:state", { slug: DAY2 });
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data.stream;
}

describe.skipIf(!hasLivekit)("the first-run build of the media server", () => {
  it(
    "serves at once while preparing, then switches streaming on without a restart: the state change reaches sockets, tokens are minted and LiveKit's webhooks arrive",
    async () => {
      const bin = tempBin();
      const lines: string[] = [];
      const server = await serverWith(bin, copyBuild({ BUILD_HOLD_MS: "1500" }), { logSink: (l) => lines.push(l) });
      const app = server.services;

      // Serving already: the binary is not there yet and the pages' facts say "preparing".
      expect(fs.existsSync(bin)).toBe(false);
      expect(app.streaming.media.status).toBe("preparing");
      expect(app.streaming.available).toBe(false);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // Pages served meanwhile may reach the embedded LiveKit on whatever loopback port it gets.
      expect((await fetch(`${server.url}/healthz`)).headers.get("content-security-policy")).toContain("ws://127.0.0.1:*");
      const socket = await viewerSocket(server);
      const changes = collect<StreamSnapshot>(socket, "stream:changed");
      const before = await streamOf(socket);
      expect(before.media.status).toBe("preparing");
      expect(before.available).toBe(false);
      const panelist = await createPerson(app, { name: "Dana Panelist", email: "dana@example.org", roles: [{ slug: DAY2, role: "panelist" }] });
      const panelistActor = (await app.auth.resolveToken(panelist.token)).actor;
      const refusal = await app.streaming.mintToken(panelistActor, (await app.agenda.findRow(DAY2))!, {}).catch((e: unknown) => e);
      expect(AppError.is(refusal) && refusal.code).toBe("unavailable");
      expect((refusal as AppError).message).toMatch(/being prepared \(first run\)/);

      // The build finishes; the socket hears "ready" with no reconnect and no restart.
      const ready = await until("stream:changed with the media server ready", () => changes.find((c) => c.slug === DAY2 && c.media.status === "ready"), 30_000);
      expect(ready.available).toBe(true);
      const seen = changes.filter((c) => c.slug === DAY2).map((c) => c.media.status);
      expect(seen.slice(0, seen.indexOf("ready"))).toEqual(seen.slice(0, seen.indexOf("ready")).map(() => "preparing"));
      expect(app.streaming.available).toBe(true);
      expect(fs.existsSync(bin)).toBe(true);
      expect(fs.existsSync(`${bin}.build.lock`)).toBe(false);
      const livekit = app.streaming.livekit();
      expect(livekit.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/healthz`)).headers.get("content-security-policy")).toContain(livekit.url);

      // The build's progress went to the log as it ran.
      const logged = lines.map((l) => JSON.parse(l) as { msg: string });
      expect(logged.some((l) => l.msg.startsWith("media server: building (first run)… step 1 of 2"))).toBe(true);
      expect(logged.some((l) => l.msg === "media server: ready; streaming is on")).toBe(true);

      // Streaming works: a token is minted (its room created), LiveKit accepts it, and LiveKit's own
      // webhook (room_started; participant_joined needs media, e2e/stream-watch.spec.ts) reaches Plenary.
      const day2 = (await app.agenda.findRow(DAY2))!;
      const token = await app.streaming.mintToken(panelistActor, day2, { tab: "tab-first-run" });
      expect(token.role).toBe("publisher");
      expect(token.url).toBe(livekit.url);
      const joined = await signalJoin(token.url, token.token);
      cleanups.push(() => joined.close());
      const delivered = await until(
        "LiveKit's room_started webhook",
        async () => {
          const rows = await app.db.select().from(livekitWebhookEvents).where(eq(livekitWebhookEvents.event, "room_started"));
          return rows.find((r) => r.status === "done");
        },
        20_000,
      );
      expect(delivered.event).toBe("room_started");
    },
    startsInTest(1, 90_000),
  );

  it(
    "builds once when two instances start together: the second waits for the first one's build",
    async () => {
      const bin = tempBin();
      const counter = path.join(path.dirname(path.dirname(bin)), "builds.txt");
      const build = copyBuild({ BUILD_HOLD_MS: "1500", BUILD_COUNT_FILE: counter });
      const [a, b] = await Promise.all([serverWith(bin, build), serverWith(bin, build)]);
      await until("both instances ready", () => (a.services.streaming.available && b.services.streaming.available ? true : undefined), 30_000);
      expect(fs.readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1);
      expect(a.services.streaming.livekit().url).not.toBe(b.services.streaming.livekit().url);
    },
    startsInTest(2, 90_000),
  );
});

describe("when the media server cannot be built", () => {
  it(
    "says plainly that streaming needs the LiveKit server, and how to get it, where Go is absent",
    async () => {
      const bin = tempBin();
      const lines: string[] = [];
      const server = await serverWith(bin, { ...copyBuild(), needs: "plenary-no-such-go" }, { logSink: (l) => lines.push(l) });
      const media: MediaState = server.services.streaming.media;
      expect(media).toMatchObject({ status: "unavailable", reason: "needs_livekit" });
      expect(media.status === "unavailable" && media.message).toMatch(/install Go 1\.23 or later and restart Plenary.*LIVEKIT_URL/);
      const stream = await streamOf(await viewerSocket(server));
      expect(stream.media).toEqual(media);
      expect(stream.available).toBe(false);
      expect(lines.filter((l) => l.includes("no Go to build it"))).toHaveLength(1);
      expect(fs.existsSync(path.dirname(bin))).toBe(false); // nothing was attempted
    },
    startsInTest(1),
  );

  it(
    "reports a failed build as unavailable, with the reason on the socket, and releases the lock",
    async () => {
      const bin = tempBin();
      const server = await serverWith(bin, copyBuild({ BUILD_HOLD_MS: "300", BUILD_FAIL: "compiler exploded" }));
      const socket = await viewerSocket(server);
      const changes = collect<StreamSnapshot>(socket, "stream:changed");
      // On a busy machine the build may have failed before this socket joined: then its state says so.
      const failed = (m: MediaState) => m.status === "unavailable" && m.reason === "build_failed";
      await until(
        "the failure on the socket",
        async () => changes.find((c) => c.slug === DAY2 && failed(c.media)) ?? (failed((await streamOf(socket)).media) || undefined),
        20_000,
      );
      expect(server.services.streaming.media).toMatchObject({ status: "unavailable", reason: "build_failed" });
      expect(fs.existsSync(`${bin}.build.lock`)).toBe(false);
      expect(fs.existsSync(bin)).toBe(false);
    },
    startsInTest(1),
  );
});

describe.skipIf(!hasGo)("the real first-run build (scripts/install-livekit.sh with Go)", () => {
  it(
    "builds livekit-server into an empty folder and switches streaming on (seconds with Go's cache warm; bounded at 5 minutes)",
    async () => {
      const bin = tempBin();
      const server = await serverWith(bin, defaultLivekitBuild);
      expect(server.services.streaming.media.status).toBe("preparing");
      await until("the media server ready", () => (server.services.streaming.available ? true : undefined), 280_000);
      expect(fs.readFileSync(path.join(path.dirname(bin), "VERSION"), "utf8").trim()).toBe("v1.13.5");
      expect(server.services.streaming.livekit().url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    },
    startsInTest(1, 300_000),
  );
});
