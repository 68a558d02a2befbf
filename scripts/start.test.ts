import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../server/app";

/**
 * The real production start path: `node scripts/start.mjs`, exactly what `npm start` runs (the
 * build is already there: vitest's global setup made it), with PLENARY_DEMO=1 in its environment
 * as a careless shell or .env file might have it. Each child gets its own process group, so the
 * server start.mjs spawns is stopped with it.
 */
let child: ChildProcess | undefined;
let dataDir: string | undefined;

function start(args: string[]): Promise<string> {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-start-"));
  const env: NodeJS.ProcessEnv = { ...process.env, PLENARY_DEMO: "1", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LIVEKIT_BIN: "off", LOG_LEVEL: "warn" };
  for (const name of ["PUBLIC_URL", "DATABASE_URL", "REDIS_URL", "NODE_ENV", "PLENARY_REBUILD"]) delete env[name];
  child = spawn(process.execPath, [path.join(projectRoot, "scripts", "start.mjs"), ...args], {
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
  if (c?.pid && c.exitCode === null) {
    const exited = new Promise((resolve) => c.once("exit", resolve));
    process.kill(-c.pid, "SIGTERM");
    const forced = setTimeout(() => c.pid && process.kill(-c.pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(forced);
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
  it("`npm start` is never demo mode, even with PLENARY_DEMO=1 in the environment", async () => {
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
  }, 60_000);

  it("`npm run demo` (--demo) is demo mode: the banner, one-click sign-in and the mailbox", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node scripts/start.mjs");
    expect(pkg.scripts.demo).toBe("node scripts/start.mjs --demo");
    const url = await start(["--demo"]);
    expect((await demoSignIn(url)).status).toBe(200);
    expect((await fetch(`${url}/dev/mailbox`)).status).toBe(200);
    expect(await (await fetch(`${url}/`)).text()).toContain("Demo mode.");
  }, 60_000);
});
