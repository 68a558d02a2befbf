#!/usr/bin/env node
// `npm start` / `npm run demo`: build the production bundles when the sources changed since the last
// build (Next's, then the server's: scripts/build-server.mjs), then run the one server entry point
// (server/main.ts, compiled) in this same process.
// `--demo` (only `npm run demo` passes it) turns demo mode on; without it PLENARY_DEMO is removed from
// the environment, so a production start can never be a demo, whatever the shell or .env exports.
// `--build-only` stops after the build (scripts/test.sh uses it before the browser tests).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = path.join(root, ".next", "plenary-source-hash");
// Inside .next, which `next build` empties first: a new Next bundle never runs with an old server.
const serverBundle = path.join(root, ".next", "plenary-server", "main.mjs");
const inputs = ["app", "lib", "server", "db", "instrumentation.ts", "next.config.js", "package-lock.json", "tsconfig.json", "scripts/build-server.mjs"];

function hashSources() {
  // The server bundle holds absolute paths (scripts/build-server.mjs): a moved checkout rebuilds.
  const hash = createHash("sha256").update(root);
  const walk = (p) => {
    const full = path.join(root, p);
    if (!fs.existsSync(full)) return;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) if (!name.startsWith(".")) walk(path.join(p, name));
    } else if (!/\.test\.tsx?$/.test(p)) {
      hash.update(p).update(fs.readFileSync(full));
    }
  };
  inputs.forEach(walk);
  return hash.digest("hex");
}

/** The other live processes serving this build (server/build-in-use.ts writes a file for each); files of dead ones are removed. */
function serversOfThisBuild() {
  const dir = path.join(root, ".next", "plenary-in-use");
  if (!fs.existsSync(dir)) return [];
  const pids = new Set();
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(name.split("-")[0]);
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      pids.add(pid);
    } catch (err) {
      if (err.code === "EPERM")
        pids.add(pid); // alive, another user's
      else fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  return [...pids];
}

const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
delete env.PLENARY_DEMO;
if (process.argv.includes("--demo")) env.PLENARY_DEMO = "1";
const current = hashSources();
const built =
  fs.existsSync(path.join(root, ".next", "BUILD_ID")) &&
  fs.existsSync(serverBundle) &&
  fs.existsSync(stampFile) &&
  fs.readFileSync(stampFile, "utf8") === current;
if (!built || process.env.PLENARY_REBUILD === "1") {
  const users = serversOfThisBuild();
  if (users.length) {
    console.error(
      `plenary: ${built ? "a rebuild was asked for (PLENARY_REBUILD=1)" : "the sources changed since the last build"}, but a Plenary server started from this checkout is still serving that build (process ${users.join(", ")}). ` +
        "Stop it first (a test run, `npm start` or `npm run demo`): building now would replace the files under it.",
    );
    process.exit(1);
  }
  console.log("plenary: building the production bundle (next build)…");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const { buildServer } = await import("./build-server.mjs");
  await buildServer(root, serverBundle);
  fs.writeFileSync(stampFile, current);
}

if (process.argv.includes("--build-only")) process.exit(0);

// The server runs in this very process, not in a child: a launcher killed with SIGKILL cannot leave
// an orphaned server behind holding the port and the data folder's lock, and a supervisor's restart
// finds both free.
Object.assign(process.env, env);
for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
process.chdir(root);

// Launched through `npm start`, npm (or its shell) is the parent: when it is killed, even with
// SIGKILL, this process is handed to another parent. The server then shuts down as on SIGTERM
// instead of running on unsupervised.
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  // Whatever read our output may have died with the launcher: a write to a closed pipe (EPIPE) must
  // not crash the shutdown before it releases the data folder.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  process.stderr.write(`plenary: the launching process (pid ${parent}) is gone; shutting down\n`);
  process.kill(process.pid, "SIGTERM");
}, 500);
watch.unref();

await import(pathToFileURL(serverBundle).href);
