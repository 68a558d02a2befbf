/**
 * Summarises a V8 CPU profile (.cpuprofile, from bench/profile/probe.mjs or `node --cpu-prof`):
 * where the samples' own time went (by package or part of Plenary), and what the busy time was
 * spent for (by the request or command at the bottom of each stack). CPU time, not wall time, so it
 * reads the same on a loaded machine.
 *
 *   npx tsx bench/profile/summarise.ts <file.cpuprofile> [--top 25] [--from <ms> --to <ms>]
 */
import fs from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** The owner of a frame: a package, a part of Plenary, Node itself or V8's own pseudo-frames. */
function owner(f: Node["callFrame"]): string {
  const u = f.url;
  if (!u) {
    if (f.functionName.startsWith("(")) return f.functionName; // (garbage collector), (program), (idle)
    // V8 names WebAssembly frames `wasm-function[n]` (or `$name`) and its trampolines `wasm-to-js…`,
    // `js-to-wasm…`; any other frame without a URL is native code (libuv's writev, fs bindings).
    return /^(wasm-|js-to-wasm|\$)/.test(f.functionName) ? "wasm (PGlite)" : "native";
  }
  if (u.startsWith("wasm://")) return "wasm (PGlite)";
  if (u.startsWith("node:")) return "node internals";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return nm[1];
  if (/\.next\/server\//.test(u)) return ".next server bundle";
  const own = /\/wt\/[^/]+\/((?:server|db|lib|app)\/[^/]+)/.exec(u) ?? /\/((?:server|db|lib|app)\/[^/]+)/.exec(u);
  if (own) return `plenary ${own[1].replace(/\.tsx?$/, "")}`;
  return u
    .replace(/^file:\/\//, "")
    .split("/")
    .slice(-2)
    .join("/");
}

/** What a stack was doing, read from its frames (root first). */
function purpose(stack: Node["callFrame"][]): string {
  const has = (re: RegExp) => stack.some((f) => re.test(f.url) || re.test(f.functionName));
  // The server as deployed is one bundle (.next/plenary-server/main.mjs): its frames are told apart by function name.
  const bundled = (re: RegExp) => stack.some((f) => /plenary-server\/main\.mjs/.test(f.url) && re.test(f.functionName));
  if (has(/server\/http\/join/) || bundled(/^(joinRoute|joinWithCode)$/)) return "POST /api/join";
  if (has(/api\/demo\/sign-in/)) return "POST /api/demo/sign-in";
  if (has(/server\/realtime\/handlers\//) || bundled(/^(dispatch|reply|writeVotes|act|afterChange)$/)) return "socket commands (handlers)";
  if (has(/resolveToken/) || (has(/socket\.io\/dist\/namespace/) && (has(/server\/realtime\/io/) || bundled(/^authenticate/))))
    return "socket handshake (sign-in lookup)";
  if (has(/engine\.io|socket\.io|\/ws\//)) return "socket.io / engine.io / ws";
  if (has(/next\/dist|\.next\/server/)) return "Next (other pages, routing)";
  if (has(/server\/(qa|polls|auth|people|agenda|streaming)\//) || bundled(/./)) return "services (timers, batches)";
  if (has(/pglite/)) return "PGlite (other)";
  const top = stack.at(-1);
  if (top && top.functionName.startsWith("(")) return top.functionName;
  return "other";
}

const file = process.argv[2];
if (!file) {
  console.error("usage: summarise.ts <file.cpuprofile> [--top 25] [--from ms --to ms]");
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const top = Number(arg("top") ?? 25);
const from = arg("from") ? Number(arg("from")) : -Infinity;
const to = arg("to") ? Number(arg("to")) : Infinity;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stackOf = new Map<number, Node["callFrame"][]>();
const stack = (id: number) => {
  let s = stackOf.get(id);
  if (s) return s;
  s = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) s.unshift(byId.get(cur)!.callFrame);
  stackOf.set(id, s);
  return s;
};

const selfByOwner = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const byPurpose = new Map<string, Map<string, number>>();
let t = 0;
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
  const at = t / 1000;
  if (at < from || at > to) continue;
  const frames = stack(profile.samples[i]);
  const leaf = frames.at(-1)!;
  if (leaf.functionName === "(idle)") {
    idle += ms;
    continue;
  }
  total += ms;
  const o = owner(leaf);
  selfByOwner.set(o, (selfByOwner.get(o) ?? 0) + ms);
  const fn = `${leaf.functionName || "(anonymous)"} ${o}${leaf.url ? `:${leaf.lineNumber + 1}` : ""}`;
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + ms);
  const p = purpose(frames);
  const m = byPurpose.get(p) ?? new Map<string, number>();
  m.set(o, (m.get(o) ?? 0) + ms);
  byPurpose.set(p, m);
}
const fmt = (ms: number) => `${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%`;
const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
console.log(`${file}: ${(total / 1000).toFixed(1)} s busy (CPU samples), ${(idle / 1000).toFixed(1)} s idle`);
console.log("\nbusy time by purpose (and its largest owners):");
for (const [p, m] of [...byPurpose.entries()].sort((a, b) => sum(b[1]) - sum(a[1]))) {
  console.log(`${fmt(sum(m))}  ${p}`);
  for (const [o, ms] of sorted(m).slice(0, 6)) console.log(`           ${fmt(ms)}    ${o}`);
}
console.log("\nself time by owner:");
for (const [o, ms] of sorted(selfByOwner).slice(0, top)) console.log(`${fmt(ms)}  ${o}`);
console.log("\nself time by function:");
for (const [f, ms] of sorted(selfByFunction).slice(0, top)) console.log(`${fmt(ms)}  ${f}`);

function sum(m: Map<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}
