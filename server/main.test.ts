import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "./app";
import { startsInTest } from "./testing/timeouts";

/** server/main.ts as its own process, the way `npm start` runs it. */
function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "server/main.ts")], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (stdout.includes("Plenary is ready")) {
        clearInterval(t);
        resolve();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(t);
      reject(new Error(`exited early: ${stderr}`));
    });
  });
  ready.catch(() => {}); // awaited only by the tests that expect a start
  return { child, exited, ready, out: () => stdout, err: () => stderr };
}

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill("SIGKILL")));

describe("server/main.ts", () => {
  it(
    "stops with one clear line naming DATABASE_URL when Postgres is unreachable",
    async () => {
      const r = runMain({ DATABASE_URL: "postgres://nobody@127.0.0.1:1/plenary", PORT: "0" });
      expect(await r.exited).toBe(1);
      expect(r.err().trim().split("\n")).toHaveLength(1);
      expect(r.err()).toMatch(/^plenary: DATABASE_URL: cannot connect to Postgres at 127\.0\.0\.1:1\/plenary/);
      expect(r.err()).not.toMatch(/at .*\.ts:\d+/);
    },
    startsInTest(1),
  );

  it(
    "refuses a malformed PLENARY_NOW at boot",
    async () => {
      const r = runMain({ PLENARY_NOW: "next friday", PORT: "0", DATA_DIR: "memory://" });
      expect(await r.exited).toBe(1);
      expect(r.err()).toMatch(/^plenary: PLENARY_NOW must be an ISO 8601 date-time with an offset/);
    },
    startsInTest(1),
  );

  it(
    "refuses a second process on the same data folder, and shuts down cleanly on SIGTERM",
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-main-"));
      const first = runMain({ DATA_DIR: dataDir, PORT: "0" });
      children.push(first.child);
      await first.ready;
      const second = runMain({ DATA_DIR: dataDir, PORT: "0" });
      children.push(second.child);
      expect(await second.exited).toBe(1);
      expect(second.err()).toMatch(/already open in another Plenary process \(pid \d+\)/);

      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(fs.existsSync(path.join(dataDir, "plenary.lock"))).toBe(false);

      // The folder is usable again, with the programme still there.
      const third = runMain({ DATA_DIR: dataDir, PORT: "0" });
      children.push(third.child);
      await third.ready;
      third.child.kill("SIGTERM");
      expect(await third.exited).toBe(0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    startsInTest(3),
  );

  it(
    "after a crash (SIGKILL), the next start takes the folder over and keeps the data",
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-main-"));
      const first = runMain({ DATA_DIR: dataDir, PORT: "0" });
      children.push(first.child);
      await first.ready;
      first.child.kill("SIGKILL");
      await first.exited;
      expect(fs.existsSync(path.join(dataDir, "plenary.lock"))).toBe(true);

      const second = runMain({ DATA_DIR: dataDir, PORT: "0" });
      children.push(second.child);
      await second.ready;
      expect(second.out()).toMatch(/Plenary is ready/);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    startsInTest(2),
  );

  it(
    "a second signal while shutting down exits at once",
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-main-"));
      const r = runMain({ DATA_DIR: dataDir, PORT: "0" });
      children.push(r.child);
      for (let i = 0; i < 200 && !fs.existsSync(path.join(dataDir, "plenary.lock")); i++) await new Promise((res) => setTimeout(res, 25));
      r.child.kill("SIGTERM");
      await new Promise((res) => setTimeout(res, 100));
      r.child.kill("SIGINT");
      expect(await r.exited).toBe(1);
      expect(r.out() + r.err()).toMatch(/second signal while shutting down/);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    startsInTest(1),
  );

  // Next installs handlers that log an unhandled rejection or uncaught exception and go on: its
  // renders leave rejections nobody awaits by design. A stray fault must not take the room down
  // (5,000 reconnections), and its message (query parameters, names) must not reach the log.
  for (const kind of ["rejection", "exception"] as const) {
    it(
      `a stray unhandled ${kind} is logged by kind, without its message, and the server goes on serving`,
      async () => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-main-"));
        const r = runMain({
          DATA_DIR: dataDir,
          PORT: "0",
          STRAY_FAULT: kind,
          NODE_OPTIONS: `--import ${path.join(projectRoot, "server/testing/stray-fault.mjs")}`,
        });
        children.push(r.child);
        await r.ready;
        const url = /Plenary is ready on (\S+)/.exec(r.out())![1];
        r.child.kill("SIGUSR2");
        const type = kind === "rejection" ? "RangeError" : "TypeError";
        const logged = () =>
          r
            .out()
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as { level: number | string; msg: string; errs?: Array<{ type: string }> })
            .find((l) => l.errs?.some((e) => e.type === type));
        for (let i = 0; i < 100 && !logged(); i++) await new Promise((res) => setTimeout(res, 50));
        expect(logged()?.msg).toBe("console output");
        // Its message carried an address: neither the log nor Node's own report may show it.
        expect(r.out() + r.err()).not.toContain("alice@example.org");
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        r.child.kill("SIGTERM");
        expect(await r.exited).toBe(0);
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
      startsInTest(1),
    );
  }

  it(
    "a SIGTERM while starting up still shuts down cleanly and frees the folder",
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-main-"));
      const r = runMain({ DATA_DIR: dataDir, PORT: "0" });
      children.push(r.child);
      // As soon as the folder is locked, start-up is under way (migrations, seed, services).
      for (let i = 0; i < 200 && !fs.existsSync(path.join(dataDir, "plenary.lock")); i++) await new Promise((res) => setTimeout(res, 25));
      r.child.kill("SIGTERM");
      expect(await r.exited).toBe(0);
      expect(fs.existsSync(path.join(dataDir, "plenary.lock"))).toBe(false);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    startsInTest(1),
  );
});
