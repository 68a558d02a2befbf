/**
 * Processes the benchmark starts and always stops: client workers (forked, driven over IPC) and
 * servers (their own process group, waited for until gone), plus the Postgres databases it creates.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { entry, root, sleep, STEP_LIMIT_MS } from "./common";

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      c.kill("SIGKILL");
    }
  }
});

export interface Worker {
  call<T>(cmd: string, args?: unknown, ms?: number): Promise<T>;
  child: ChildProcess;
}

export function startWorker(kind: "audience" | "moderator"): Worker {
  const child = fork(entry, ["--worker", kind], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  live.add(child);
  child.on("exit", () => live.delete(child));
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  child.on("message", (m: { id: number; result?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(`${kind} worker: ${m.error}`));
    else w?.resolve(m.result as never);
  });
  child.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`${kind} worker exited (${code})`));
    waiting.clear();
  });
  return {
    child,
    call<T>(cmd: string, args?: unknown, ms = STEP_LIMIT_MS) {
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${kind} worker: ${cmd} took over ${ms} ms`)), ms);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(t);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(t);
            reject(e);
          },
        });
        child.send({ id, cmd, args });
      });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a server process (its own process group) and waits for its "ready" line. */
export async function startServer(cmd: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, cmd, { cwd: root, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  live.add(child);
  const log = fs.createWriteStream(logFile);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  void exited.then(() => live.delete(child));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Error(`the server did not start within 10 minutes (log: ${logFile})`)), 600_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      log.write(d);
      if (/ready on/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`the server exited before it was ready (log: ${logFile})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      process.kill(-child.pid!, "SIGTERM");
      const killed = await Promise.race([exited.then(() => false), sleep(20_000).then(() => true)]);
      if (killed) process.kill(-child.pid!, "SIGKILL");
      await exited;
      // Nothing of it may still run when the next server starts.
      for (let i = 0; i < 100 && fs.existsSync(`/proc/${child.pid}`); i++) await sleep(100);
    },
  };
}

export async function createDatabase(name: string): Promise<string> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("--postgres needs TEST_DATABASE_URL (a server this benchmark may create a database in)");
  const { Client } = (await import("pg")).default;
  const c = new Client({ connectionString: base });
  await c.connect();
  try {
    // Production syncs each commit; a server that does not would flatter Postgres against PGlite.
    const { rows } = await c.query<{ fsync: string; sc: string }>("select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sc");
    if (rows[0].fsync !== "on" || rows[0].sc === "off") {
      throw new Error(
        `--postgres measures production, but the server at TEST_DATABASE_URL runs with fsync=${rows[0].fsync}, synchronous_commit=${rows[0].sc}; start it with PLENARY_TEST_PG_FSYNC=on bash scripts/services.sh start`,
      );
    }
    await c.query(`create database ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  const { Client } = (await import("pg")).default;
  const c = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
}

/** The whole benchmark's time limit: past it, it stops (exit 2) and the exit handler above stops every process. */
export function startWatchdog(name: string, ms: number): void {
  const t = setTimeout(() => {
    console.error(`${name}: time limit reached, stopping`);
    process.exit(2);
  }, ms);
  t.unref();
}
