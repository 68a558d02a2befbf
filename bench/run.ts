/**
 * `npm run bench`: runs each benchmark in turn, passing its arguments through
 * (e.g. `npm run bench -- --sockets 5000`). Benchmarks print figures and ratios; they are not tests.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const benchmarks = ["qa-fanout.ts"];
let failed = 0;
for (const name of benchmarks) {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", file, ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
