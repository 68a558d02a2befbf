/**
 * The embedded default: Plenary starts `livekit-server --dev` itself, every port of it on 127.0.0.1,
 * each Plenary its own, and stops it on shutdown.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { livekitBinForTests } from "../testing/livekit";
import { startTestServer } from "../testing/test-server";
import { embeddedConfigYaml } from "./embedded";
import { startsInTest } from "../testing/timeouts";

const hasLivekit = Boolean(livekitBinForTests());

/** Listening TCP and bound UDP sockets of one process, as "address:port" (Linux `ss`). */
function socketsOf(pid: number): string[] {
  const out = execFileSync("ss", ["-H", "-ltnup"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => l.trim().split(/\s+/)[4]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the embedded LiveKit configuration", () => {
  it("binds signalling and media to loopback, opens no TCP media port, sends webhooks to Plenary and lets only Plenary create rooms", () => {
    const yaml = embeddedConfigYaml({ port: 17000, udpPort: 17001, webhookUrl: "http://127.0.0.1:3000/api/livekit/webhook" });
    expect(yaml).toContain('bind_addresses: ["127.0.0.1"]');
    expect(yaml).toMatch(/rtc:\n {2}udp_port: 17001\n {2}tcp_port: 0\n {2}node_ip: 127.0.0.1\n {2}use_external_ip: false/);
    expect(yaml).toContain('includes: ["127.0.0.1/32"]');
    expect(yaml).toContain("auto_create: false");
    expect(yaml).toContain('urls: ["http://127.0.0.1:3000/api/livekit/webhook"]');
  });
});

describe.skipIf(!hasLivekit)("the embedded LiveKit process", () => {
  it(
    "runs on 127.0.0.1 only, one per Plenary server, and stops when Plenary stops",
    async () => {
      const a = await startTestServer({ livekit: true });
      const b = await startTestServer({ livekit: true });
      const pidA = a.services.streaming.livekit().embedded!.pid;
      const pidB = b.services.streaming.livekit().embedded!.pid;
      try {
        expect(pidA).not.toBe(pidB);
        expect(a.services.streaming.livekit().url).not.toBe(b.services.streaming.livekit().url);
        for (const pid of [pidA, pidB]) {
          const sockets = socketsOf(pid);
          expect(sockets.length, `sockets of livekit-server ${pid}`).toBeGreaterThanOrEqual(2); // signalling (TCP) and media (UDP)
          for (const s of sockets) expect(s).toMatch(/^127\.0\.0\.1:\d+$/);
        }
      } finally {
        await a.close();
        await b.close();
      }
      expect(alive(pidA)).toBe(false);
      expect(alive(pidB)).toBe(false);
    },
    startsInTest(2, 60_000),
  );

  it(
    "leaves Plenary working without streaming when the binary is missing",
    async () => {
      // No Go either (media-server.test.ts has the first-run build): nothing is built, nothing is created.
      const server = await startTestServer({
        config: { livekit: { mode: "embedded", bin: "/nonexistent/livekit-server" } },
        livekitBuild: { command: "false", args: [], needs: "plenary-no-such-go" },
      });
      try {
        expect(server.services.streaming.available).toBe(false);
        expect(server.services.streaming.media).toMatchObject({ status: "unavailable", reason: "needs_livekit" });
        expect(fs.existsSync("/nonexistent")).toBe(false);
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      } finally {
        await server.close();
      }
    },
    startsInTest(1),
  );
});
