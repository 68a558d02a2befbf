#!/usr/bin/env node
// `npm start` / `npm run demo`: build the production bundle when the sources changed since the last
// build, then run the one server entry point (server/main.ts) in this process's place.
// `--demo` (only `npm run demo` passes it) turns demo mode on; without it PLENARY_DEMO is removed from
// the environment, so a production start can never be a demo, whatever the shell or .env exports.
// `--build-only` stops after the build (scripts/test.sh uses it before the browser tests).
import { spawnSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = path.join(root, ".next", "plenary-source-hash");
const inputs = ["app", "lib", "server", "db", "instrumentation.ts", "next.config.js", "package-lock.json", "tsconfig.json"];

function hashSources() {
  const hash = createHash("sha256");
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

const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
delete env.PLENARY_DEMO;
if (process.argv.includes("--demo")) env.PLENARY_DEMO = "1";
const current = hashSources();
const built = fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === current;
if (!built || process.env.PLENARY_REBUILD === "1") {
  console.log("plenary: building the production bundle (next build)…");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  fs.writeFileSync(stampFile, current);
}

if (process.argv.includes("--build-only")) process.exit(0);

const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "server", "main.ts")], { cwd: root, env, stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
