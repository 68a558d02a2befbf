import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../server/app";
import { startsInTest } from "../server/testing/timeouts";

/**
 * The real production start path: `node scripts/start.mjs`, exactly what `npm start` runs (the
 * build is already there: vitest's global setup made it), with PLENARY_DEMO=1 in its environment
 * as a careless shell or .env file might have it. Each child gets its own process group, so the
 * server start.mjs spawns is stopped with it.
 */
let child: ChildProcess | undefined;
let dataDir: string | undefined;

/** `via` "shell": start.mjs under a shell that stays its parent, as `npm start` runs it under npm. */
function start(args: string[], opts: { dataDir?: string; port?: number; via?: "shell" } = {}): Promise<string> {
  dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "plenary-start-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PLENARY_DEMO: "1",
    PORT: String(opts.port ?? 0),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LIVEKIT_BIN: "off",
    LOG_LEVEL: "warn",
  };
  for (const name of ["PUBLIC_URL", "DATABASE_URL", "REDIS_URL", "NODE_ENV", "PLENARY_REBUILD"]) delete env[name];
  const launcher = [path.join(projectRoot, "scripts", "start.mjs"), ...args];
  // `; exit $?` keeps the shell from exec-ing node in its place: it stays the parent, like npm.
  const [command, argv] =
    opts.via === "shell" ? ["/bin/sh", ["-c", `"${process.execPath}" ${launcher.map((a) => `"${a}"`).join(" ")}; exit $?`]] : [process.execPath, launcher];
  child = spawn(command, argv, {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      const m = /Plenary is ready on http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        clearInterval(check);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    }, 50);
    child!.once("exit", (code) => {
      clearInterval(check);
      reject(new Error(`start.mjs exited (${code}) before it was ready: ${err}`));
    });
  });
}

afterEach(async () => {
  const c = child;
  child = undefined;
  if (c?.pid && c.exitCode === null && c.signalCode === null) {
    const exited = new Promise((resolve) => c.once("exit", resolve));
    process.kill(-c.pid, "SIGTERM");
    const forced = setTimeout(() => {
      try {
        if (c.pid) process.kill(-c.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(forced);
  }
  // Whatever is left in the group this test started (a server a killed launcher left behind).
  if (c?.pid) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // the group is empty: nothing outlived its launcher
    }
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 20_000);

async function demoSignIn(url: string) {
  return fetch(`${url}/api/demo/sign-in`, {
    method: "POST",
    headers: { origin: url, "content-type": "application/json" },
    body: JSON.stringify({ email: "organizer@example.org" }),
  });
}

describe("scripts/start.mjs", () => {
  it(
    "`npm start` is never demo mode, even with PLENARY_DEMO=1 in the environment",
    async () => {
      const url = await start([]);
      const signIn = await demoSignIn(url);
      expect(signIn.status).toBe(404);
      expect(signIn.headers.getSetCookie()).toEqual([]);
      expect((await fetch(`${url}/dev/mailbox`)).status).toBe(404);
      for (const page of ["/", "/signin"]) {
        const html = await (await fetch(`${url}${page}`)).text();
        expect(html).toContain("Plenary");
        expect(html).not.toContain("Demo mode.");
        expect(html).not.toContain("Demo: sign in as anyone");
      }
    },
    startsInTest(1),
  );

  it(
    "`npm run demo` (--demo) is demo mode: the banner, one-click sign-in and the mailbox",
    async () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
      expect(pkg.scripts.start).toBe("node scripts/start.mjs");
      expect(pkg.scripts.demo).toBe("node scripts/start.mjs --demo");
      const url = await start(["--demo"]);
      expect((await demoSignIn(url)).status).toBe(200);
      expect((await fetch(`${url}/dev/mailbox`)).status).toBe(200);
      expect(await (await fetch(`${url}/`)).text()).toContain("Demo mode.");
    },
    startsInTest(1),
  );

  /** Resolves once nothing listens on the port any more (a refused connection), or rejects after `ms`. */
  async function portFreed(url: string, ms: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      const open = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        () => true,
        () => false,
      );
      if (!open) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${url} still answers ${ms} ms after its launcher was killed`);
  }

  it(
    "a launcher killed with SIGKILL leaves no server behind: the port and the data folder are free for the restart",
    async () => {
      const url = await start([]);
      const folder = dataDir!;
      const port = Number(new URL(url).port);
      const launcher = child!;
      const exited = new Promise((resolve) => launcher.once("exit", resolve));
      process.kill(launcher.pid!, "SIGKILL"); // the launcher alone, as a supervisor's kill -9 would
      await exited;
      await portFreed(url, 5_000);
      // What a supervisor does next: start again on the same port and data folder.
      child = undefined;
      const again = await start([], { dataDir: folder, port });
      expect(again).toBe(url);
      expect((await fetch(`${again}/healthz`)).status).toBe(200);
    },
    startsInTest(2),
  );

  it(
    "when the process that launched it (npm, a shell) is killed with SIGKILL, the server shuts down instead of running on as an orphan",
    async () => {
      const url = await start([], { via: "shell" });
      const folder = dataDir!;
      const port = Number(new URL(url).port);
      // The server is a grandchild (shell → start.mjs, which runs it in-process): the lock names it.
      const serverPid = (JSON.parse(fs.readFileSync(path.join(folder, "plenary.lock"), "utf8")) as { pid: number }).pid;
      const shell = child!;
      const exited = new Promise((resolve) => shell.once("exit", resolve));
      process.kill(shell.pid!, "SIGKILL");
      await exited;
      await portFreed(url, 15_000);
      // It does not run on as an orphan: it is gone within its shutdown limit (10 s) and some slack.
      // A process that exited but was not yet reaped by its new parent (a zombie, state Z) is gone too.
      const alive = () => {
        try {
          return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${serverPid}/stat`, "utf8"));
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 250 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive()).toBe(false);
      // And what a supervisor does next works: the same port and data folder serve again.
      child = undefined;
      const again = await start([], { dataDir: folder, port });
      expect(again).toBe(url);
      expect((await fetch(`${again}/healthz`)).status).toBe(200);
    },
    startsInTest(2),
  );
  it(
    "a build a server is serving is not rebuilt under it: start.mjs refuses and says which process to stop",
    async () => {
      const url = await start([]);
      const server = child!;
      const inUse = path.join(projectRoot, ".next", "plenary-in-use");
      const marks = () => (fs.existsSync(inUse) ? fs.readdirSync(inUse).filter((n) => n.startsWith(`${server.pid}-`)) : []);
      expect(marks()).toHaveLength(1);
      const buildId = path.join(projectRoot, ".next", "BUILD_ID");
      const builtAt = fs.statSync(buildId).mtimeMs;
      const env: NodeJS.ProcessEnv = { ...process.env, PLENARY_REBUILD: "1" };
      const rebuild = spawn(process.execPath, [path.join(projectRoot, "scripts", "start.mjs"), "--build-only"], {
        cwd: projectRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      rebuild.stderr!.on("data", (d) => (err += d));
      const code = await new Promise((resolve) => rebuild.once("exit", resolve));
      expect(code).toBe(1);
      // Other test files may be serving the same build at that moment: their processes are named too.
      expect(err).toMatch(new RegExp(`still serving that build \\(process [0-9, ]*\\b${server.pid}\\b`));
      expect(fs.statSync(buildId).mtimeMs).toBe(builtAt);
      expect((await fetch(`${url}/`)).status).toBe(200);
      // Stopped, the server takes its mark away.
      const exited = new Promise((resolve) => server.once("exit", resolve));
      process.kill(-server.pid!, "SIGTERM");
      await exited;
      expect(marks()).toEqual([]);
    },
    startsInTest(1),
  );
});
