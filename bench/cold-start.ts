/**
 * Cold start: how long `npm start` takes from launch to serving the agenda (`GET /` → 200), on a fresh
 * data folder (migrations and the programme seed run), with the production build already present and,
 * with --with-build, building first as a fresh clone does. Baseline in the same run: a bare Node HTTP
 * server answering its first request.
 *
 *   npx tsx bench/cold-start.ts [--with-build] [--runs 3]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../server/app";
import ensureBuild from "../scripts/ensure-build";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function timeToFirst200(cmd: string, args: string[], env: Record<string, string>, url: string, limitMs = 300_000): Promise<number> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: process.env.BENCH_DEBUG ? "inherit" : "ignore", detached: true });
  try {
    for (;;) {
      if (performance.now() - started > limitMs) throw new Error(`no answer from ${url} within ${limitMs} ms`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        if (res.status === 200) return performance.now() - started;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const args = process.argv.slice(2);
const withBuild = args.includes("--with-build");
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;

export async function coldStart(opts: { withBuild: boolean; runs: number }) {
  ensureBuild();
  const bare: number[] = [];
  const plenary: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const p1 = await freePort();
    bare.push(
      await timeToFirst200(
        process.execPath,
        ["-e", `require("http").createServer((q,s)=>s.end("ok")).listen(${p1},"127.0.0.1")`],
        {},
        `http://127.0.0.1:${p1}/`,
      ),
    );
    const p2 = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-cold-"));
    plenary.push(
      await timeToFirst200(
        process.execPath,
        [path.join(projectRoot, "scripts", "start.mjs")],
        { PORT: String(p2), DATA_DIR: dataDir, LOG_LEVEL: "warn", ...(opts.withBuild && i === 0 ? { PLENARY_REBUILD: "1" } : {}) },
        `http://127.0.0.1:${p2}/`,
      ),
    );
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { bare, plenary };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bare, plenary } = await coldStart({ withBuild, runs });
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`cold start to first 200 on GET / (${runs} runs, fresh data folder each${withBuild ? "; first run rebuilds" : ""})`);
  console.log(`  baseline: bare node http server   median ${med(bare).toFixed(0)} ms   runs ${bare.map((x) => x.toFixed(0)).join(", ")}`);
  console.log(`  plenary: npm start                median ${med(plenary).toFixed(0)} ms   runs ${plenary.map((x) => x.toFixed(0)).join(", ")}`);
  console.log(`  ratio ${(med(plenary) / med(bare)).toFixed(1)}×`);
}
