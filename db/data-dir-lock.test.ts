import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirLockedError, STALE_AFTER_MS, lockDataDir } from "./data-dir-lock";

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-lock-"));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const lockFile = (dir: string) => path.join(dir, "plenary.lock");
const bootId = () => fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
function writeLock(dir: string, holder: object, ageMs = 0) {
  fs.writeFileSync(lockFile(dir), JSON.stringify(holder));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(lockFile(dir), t, t);
}

describe("the data-folder lock", () => {
  it("refuses a second open in the same process and frees the folder on release", () => {
    const dir = tempDir();
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    expect(JSON.parse(fs.readFileSync(lockFile(dir), "utf8"))).toMatchObject({ pid: process.pid, host: os.hostname() });
    release();
    expect(fs.existsSync(lockFile(dir))).toBe(false);
    lockDataDir(dir)();
  });

  it("refuses a folder held by a live process on this machine", async () => {
    const dir = tempDir();
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const stat = fs.readFileSync(`/proc/${sleeper.pid}/stat`, "utf8");
      const started = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      writeLock(dir, { pid: sleeper.pid, started, host: os.hostname(), boot: bootId() }, 10 * STALE_AFTER_MS);
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`already open in another Plenary process \\(pid ${sleeper.pid}\\)`));
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("takes over a lock whose pid was reused by another process (a restarted container gets the same pid)", () => {
    const dir = tempDir();
    // This very pid, but with a start time it never had: the holder that wrote it is gone.
    writeLock(dir, { pid: process.pid, started: "1", host: os.hostname(), boot: bootId() });
    const release = lockDataDir(dir);
    expect(JSON.parse(fs.readFileSync(lockFile(dir), "utf8")).started).not.toBe("1");
    release();
  });

  it("takes over a lock whose process exited but was never reaped (a zombie holds no files)", async () => {
    const dir = tempDir();
    // The short sleep exits after its parent became `sleep 10`, which never reaps it: a zombie for 10 s.
    const parent = spawn("sh", ["-c", "sleep 0.2 & echo $!; exec sleep 10"]);
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()))));
      let stat = "";
      for (let i = 0; i < 100 && !/\) Z /.test(stat); i++) {
        await new Promise((r) => setTimeout(r, 20));
        stat = fs.readFileSync(`/proc/${zombie}/stat`, "utf8");
      }
      expect(stat).toMatch(/\) Z /);
      const started = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      writeLock(dir, { pid: zombie, started, host: os.hostname(), boot: bootId() });
      const release = lockDataDir(dir);
      expect(JSON.parse(fs.readFileSync(lockFile(dir), "utf8")).pid).toBe(process.pid);
      release();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("takes over a lock whose process is gone", () => {
    const dir = tempDir();
    writeLock(dir, { pid: 2 ** 22 + 12345, started: "5", host: os.hostname(), boot: bootId() });
    lockDataDir(dir)();
  });

  it("from another host, respects a fresh heartbeat and takes over a stale one", () => {
    const dir = tempDir();
    writeLock(dir, { pid: 1, started: "1", host: "other-container", boot: "x" }, 1000);
    expect(() => lockDataDir(dir)).toThrow(/already open in another Plenary process \(pid 1 on other-container\)/);
    writeLock(dir, { pid: 1, started: "1", host: "other-container", boot: "x" }, STALE_AFTER_MS + 5000);
    lockDataDir(dir)();
  });

  it("treats a fresh half-written lock as held and an old unreadable one as stale", () => {
    const dir = tempDir();
    fs.writeFileSync(lockFile(dir), "");
    expect(() => lockDataDir(dir)).toThrow(/a process that is starting/);
    const old = new Date(Date.now() - STALE_AFTER_MS - 5000);
    fs.utimesSync(lockFile(dir), old, old);
    lockDataDir(dir)();
  });
});
