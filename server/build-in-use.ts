import fs from "node:fs";
import path from "node:path";

/**
 * While a server serves the production build, a file named after its process lies in this folder, so
 * that scripts/start.mjs (which reads the same folder) does not rebuild `.next` under it: a rebuild
 * replaces the chunks a running server loads lazily, and its pages then fail with "Could not find a
 * production build".
 */
const IN_USE_DIR = path.join(".next", "plenary-in-use");

let count = 0;

/** Marks the build under `root` as in use by this process; the returned function unmarks it. */
export function markBuildInUse(root: string): () => Promise<void> {
  const dir = path.join(root, IN_USE_DIR);
  const file = path.join(dir, `${process.pid}-${++count}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, "");
  return async () => fs.rmSync(file, { force: true });
}
