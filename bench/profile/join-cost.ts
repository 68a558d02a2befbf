/**
 * What joining costs the server, in CPU time and memory, phase by phase — figures that hold on a
 * loaded machine because they are the server process's own CPU time (/proc/<pid>/stat, every thread)
 * and its memory after a full GC, not wall-clock latencies. Not a benchmark of speed; for that see
 * bench/qa-fanout.ts.
 *
 * It starts the server as deployed (`node scripts/start.mjs --demo`, PGlite in a fresh DATA_DIR or
 * `--postgres` on TEST_DATABASE_URL) with bench/profile/probe.mjs preloaded, reads the room code as
 * staff do, then, from this one process: N room-code joins (`POST /api/join`), N socket connects with
 * those cookies, `session:join` + `qa:sync` + `poll:sync` on each (what the session page sends). For each phase it prints the server's CPU ms
 * per person and the database statements per person (from /metrics); after each phase the heap and
 * RSS after a full GC, so the growth per socket.
 *
 *   npx tsx bench/profile/join-cost.ts [--people 500] [--port 41610] [--postgres] [--cpu-profile out.cpuprofile]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { arg, cookiesOf, emitAck, MODERATOR, NOW, openSocket, pool, root, sleep, SLUG } from "../fanout/common";
import { createDatabase, dropDatabase } from "../fanout/harness";
import type { Socket } from "socket.io-client";

const people = Number(arg("people", "500"));
const port = Number(arg("port", "41610"));
const postgres = arg("postgres") === "true";
const cpuProfile = arg("cpu-profile");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-join-cost-"));
const probeOut = path.join(tmp, "probe.jsonl");
const url = `http://127.0.0.1:${port}`;

const ticks = 100; // USER_HZ on Linux
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks; // utime + stime
}

/** A memory sample from the probe (after a full GC). */
async function memory(pid: number): Promise<{ rss: number; heapUsed: number; external: number; arrayBuffers: number; wasm: number }> {
  const count = () => (fs.existsSync(probeOut) ? fs.readFileSync(probeOut, "utf8").trim().split("\n").filter(Boolean).length : 0);
  const before = count();
  process.kill(pid, "SIGWINCH");
  for (let i = 0; i < 300 && count() <= before; i++) await sleep(100);
  const lines = fs.readFileSync(probeOut, "utf8").trim().split("\n");
  const s = JSON.parse(lines.at(-1)!) as {
    afterGc: { heapUsed: number; external: number; arrayBuffers: number };
    proc: { VmRSS: number };
    wasm: Array<{ mib: number }>;
  };
  return { ...s.afterGc, rss: s.proc.VmRSS, wasm: s.wasm.reduce((n, w) => n + w.mib, 0) };
}

/** Database statements so far, by operation, from /metrics. */
async function statements(): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^plenary_db_operation_duration_seconds_count\{operation="([^"]*)"\} (\d+)/gm)) out.set(m[1], Number(m[2]));
  return out;
}
function diff(a: Map<string, number>, b: Map<string, number>): Array<[string, number]> {
  return [...b.entries()]
    .map(([k, v]) => [k, v - (a.get(k) ?? 0)] as [string, number])
    .filter(([, v]) => v > 0)
    .sort((x, y) => y[1] - x[1]);
}

async function main() {
  const dataDir = path.join(tmp, "data");
  const dbName = `plenary_joincost_${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    PLENARY_NOW: NOW,
    LOG_LEVEL: "warn",
    LIVEKIT_BIN: "off",
    NEXT_TELEMETRY_DISABLED: "1",
    PROBE_MATCH: "start.mjs",
    PROBE_OUT: probeOut,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${path.join(root, "bench/profile/probe.mjs")} --expose-gc`,
    ...(cpuProfile ? { PROBE_CPU_PROFILE: path.resolve(cpuProfile) } : {}),
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.PUBLIC_URL;
  if (postgres) env.DATABASE_URL = await createDatabase(dbName);
  const started = Date.now();
  const child = spawn(process.execPath, ["scripts/start.mjs", "--demo"], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"], detached: true });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const sockets: Socket[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (/ready on/.test(out)) resolve();
      });
      void exited.then(() => reject(new Error(`the server exited before it was ready: ${out}`)));
    });
    const pid = child.pid!;
    console.log(
      `join-cost: ${people} people, ${postgres ? "Postgres" : "PGlite on disk (fresh DATA_DIR)"}, server ready after ${((Date.now() - started) / 1000).toFixed(1)} s, pid ${pid}`,
    );
    await sleep(3000);
    const idle = await memory(pid);
    console.log(
      `idle (after GC): RSS ${idle.rss} MiB, heap used ${idle.heapUsed} MiB, external ${idle.external} MiB (WebAssembly memories ${idle.wasm} MiB), array buffers ${idle.arrayBuffers} MiB`,
    );

    const res = await fetch(`${url}/api/demo/sign-in`, {
      method: "POST",
      headers: { origin: url, "content-type": "application/json" },
      body: JSON.stringify({ email: MODERATOR }),
    });
    const staffCookie = cookiesOf(res);
    const html = (await (await fetch(`${url}/sessions/${SLUG}/screen`, { headers: { cookie: staffCookie } })).text()).replace(/<!-- -->/g, "");
    const code = /data-testid="screen-code"[^>]*>\s*([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(html)?.[1];
    if (!code) throw new Error("no room code on the screen page");

    const phase = async (name: string, fn: () => Promise<number>) => {
      const s0 = await statements();
      const t0 = Date.now() - started;
      const c0 = cpuMs(pid);
      const done = await fn();
      await sleep(500);
      const c1 = cpuMs(pid);
      const s1 = await statements();
      const per = diff(s0, s1).map(([k, v]) => `${k} ${(v / done).toFixed(2)}`);
      console.log(
        `${name}: ${done} done, server CPU ${(c1 - c0).toFixed(0)} ms = ${((c1 - c0) / done).toFixed(2)} ms each; statements each: ${per.join(", ") || "none"}`,
      );
      // The window in the CPU profile (which starts with the server): summarise.ts --from/--to.
      console.log(`  (${t0}–${Date.now() - started} ms after the server was started)`);
    };

    const cookies: string[] = [];
    const failures = new Map<string, number>();
    await phase("POST /api/join", async () => {
      const got = await pool(
        Array.from({ length: people }, (_, i) => i),
        16,
        async () => {
          try {
            const r = await fetch(`${url}/api/join`, {
              method: "POST",
              headers: { origin: url, "content-type": "application/json" },
              body: JSON.stringify({ code }),
            });
            await r.text();
            if (r.ok) return cookiesOf(r);
            failures.set(`HTTP ${r.status}`, (failures.get(`HTTP ${r.status}`) ?? 0) + 1);
          } catch (err) {
            // On a loaded machine a reused keep-alive connection is sometimes reset: counted, not fatal.
            const k = err instanceof Error ? err.message : String(err);
            failures.set(k, (failures.get(k) ?? 0) + 1);
          }
          return null;
        },
      );
      for (const c of got) if (c) cookies.push(c);
      if (failures.size) console.log(`  joins that failed: ${JSON.stringify(Object.fromEntries(failures))}`);
      return cookies.length;
    });
    await sleep(1000);
    const joined = await memory(pid);
    console.log(`after the joins (after GC): RSS ${joined.rss} MiB, heap used ${joined.heapUsed} MiB`);
    await phase("socket connect", async () => {
      await pool(cookies, 50, async (c) => {
        sockets.push(await openSocket(url, c));
      });
      return sockets.length;
    });
    await sleep(1000);
    const connected = await memory(pid);
    await phase("session:join + qa:sync + poll:sync", async () => {
      let ok = 0;
      await pool(sockets, 50, async (s) => {
        const a = await emitAck(s, "session:join", { slug: SLUG });
        const b = await emitAck(s, "qa:sync", { slug: SLUG });
        const c = await emitAck(s, "poll:sync", { slug: SLUG });
        if (a.ok && b.ok && c.ok) ok++;
      });
      return ok;
    });
    await sleep(1000);
    const entered = await memory(pid);
    const kb = (a: number, b: number) => (((b - a) * 1024) / sockets.length).toFixed(1);
    console.log(
      `connected: RSS ${connected.rss} MiB, heap used ${connected.heapUsed} MiB → per socket ${kb(joined.rss, connected.rss)} KiB RSS, ${kb(joined.heapUsed, connected.heapUsed)} KiB heap (since the joins)`,
    );
    console.log(
      `entered:   RSS ${entered.rss} MiB, heap used ${entered.heapUsed} MiB → per socket ${kb(joined.rss, entered.rss)} KiB RSS, ${kb(joined.heapUsed, entered.heapUsed)} KiB heap (since the joins)`,
    );
  } finally {
    for (const s of sockets) s.close();
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* already gone */
    }
    await Promise.race([exited, sleep(20_000)]);
    if (postgres) await dropDatabase(dbName).catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error("join-cost failed:", err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
