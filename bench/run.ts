/**
 * `npm run bench`: every benchmark in turn, with its defaults. `npm run bench -- <name> [args]` runs
 * one with its own arguments (e.g. `npm run bench -- qa-fanout --sockets 5000`). Benchmarks print
 * figures and a ratio against a baseline measured in the same run; they are not tests.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const benchmarks = ["qa-fanout", "poll-storm", "stream-first-frame", "page-weight", "cold-start", "fresh-clone-first-frame"];
const [only, ...args] = process.argv.slice(2);
if (only && !benchmarks.includes(only)) {
  console.error(`unknown benchmark "${only}"; one of: ${benchmarks.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const name of only ? [only] : benchmarks) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", file, ...(only ? args : [])], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
