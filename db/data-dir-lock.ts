import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * PGlite is a single-process database: two processes on one folder corrupt it. A lock file in the
 * folder names its holder — pid, the process's start time (so a pid reused after a crash, as in a
 * restarted container, is not mistaken for the holder), host and boot — and the holder touches it
 * every few seconds. Another process may take the folder over only when the holder is provably gone:
 * on the same host and boot, when that pid no longer runs with that start time; from anywhere else
 * (a second container on a shared volume cannot see the holder's pid), when the heartbeat is stale.
 */
export class DataDirLockedError extends Error {}

interface Holder {
  pid: number;
  started: string | null;
  host: string;
  boot: string | null;
}

const HEARTBEAT_MS = 5_000;
/** A lock whose heartbeat is older than this, held from another host or boot, is stale. */
export const STALE_AFTER_MS = 20_000;

const heldHere: Set<string> = ((globalThis as { __plenaryDataDirLocks?: Set<string> }).__plenaryDataDirLocks ??= new Set());

function readProc(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22), where /proc exists. */
function startTimeOf(pid: number): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19] ?? null;
}

function me(): Holder {
  return { pid: process.pid, started: startTimeOf(process.pid), host: os.hostname(), boot: readProc("/proc/sys/kernel/random/boot_id")?.trim() ?? null };
}

function parse(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === "number" && typeof h.host === "string" ? { pid: h.pid, started: h.started ?? null, host: h.host, boot: h.boot ?? null } : null;
  } catch {
    return null;
  }
}

/**
 * Whether a process with this pid runs. A process that has exited but was not yet reaped by its
 * parent (a zombie, state Z: an orphaned server whose new parent does not reap) still answers
 * kill(pid, 0), but holds no files: it does not run.
 */
function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  const stat = readProc(`/proc/${pid}/stat`);
  return !stat || stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

/** Whether the lock's holder may still have the folder open. */
function holderAlive(holder: Holder | null, lockPath: string, self: Holder): boolean {
  let ageMs: number;
  try {
    ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return false;
  }
  // Unreadable or half-written: only a fresh file may still belong to a process starting up.
  if (!holder) return ageMs < STALE_AFTER_MS;
  const sameMachine = holder.host === self.host && holder.boot === self.boot;
  if (!sameMachine) return ageMs < STALE_AFTER_MS;
  if (!pidRuns(holder.pid)) return false;
  if (holder.started && self.started !== null) return startTimeOf(holder.pid) === holder.started;
  return true;
}

/** Locks `dir` for this process; returns the release function. */
export function lockDataDir(dir: string): () => void {
  const key = path.resolve(dir);
  if (heldHere.has(key)) throw new DataDirLockedError(`DATA_DIR: the embedded database in ${dir} is already open in this process.`);
  const lockPath = path.join(dir, "plenary.lock");
  const self = me();
  const text = JSON.stringify(self);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, text);
      fs.closeSync(fd);
      heldHere.add(key);
      const heartbeat = setInterval(() => {
        const now = new Date();
        fs.utimes(lockPath, now, now, () => {});
      }, HEARTBEAT_MS);
      heartbeat.unref();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        heldHere.delete(key);
        try {
          if (fs.readFileSync(lockPath, "utf8") === text) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const current = readProc(lockPath);
      if (current === null) continue; // removed meanwhile: try again
      const holder = parse(current);
      if (holderAlive(holder, lockPath, self)) {
        const who = holder ? `pid ${holder.pid}${holder.host === self.host ? "" : ` on ${holder.host}`}` : "a process that is starting";
        throw new DataDirLockedError(
          `DATA_DIR: the embedded database in ${dir} is already open in another Plenary process (${who}). ` +
            `Stop that process, or give this one its own DATA_DIR (or a DATABASE_URL).`,
        );
      }
      // Stale: remove it only if it is still the file we judged, then race for it again.
      if (readProc(lockPath) === current) fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirLockedError(`DATA_DIR: could not lock ${dir}; another process keeps taking it.`);
}
