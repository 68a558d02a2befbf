import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * vitest and Playwright global setup: the tests that serve pages use the production build, so build
 * it when the sources changed (a no-op otherwise; scripts/start.mjs compares a hash of the sources).
 */
export default function ensureBuild(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  execFileSync(process.execPath, [path.join(root, "scripts", "start.mjs"), "--build-only"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}
