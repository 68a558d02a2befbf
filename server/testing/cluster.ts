/**
 * The cluster of `npm run cluster` (scripts/cluster.mjs) as a test fixture: started in a child process
 * on free ports with its own data folder, stopped with SIGTERM. Its parts' pids are in `ready`, so a
 * test can kill one of them (SIGKILL) as a crash would.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface ClusterReady {
  web: string;
  stats: string;
  livekit: string;
  livekitKey: string;
  livekitSecret: string;
  databaseUrl: string;
  redisUrl: string;
  logs: string;
  pids: Record<string, number>;
  instances: Array<{ name: string; url: string; pid: number }>;
  livekitNodes: Array<{ name: string; url: string; udpPort: number; pid: number }>;
}

export interface RunningCluster {
  ready: ClusterReady;
  /** What the cluster script printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** HAProxy is part of the test suite's machine (scripts/ensure-deps.sh installs it): its absence fails. */
export function haproxyPresent(): boolean {
  return spawnSync("sh", ["-c", "command -v haproxy || test -x /usr/sbin/haproxy"]).status === 0;
}

export function startCluster(opts: { env?: Record<string, string>; maxSeconds: number; timeoutMs?: number }): Promise<RunningCluster> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-cluster-"));
  // Postgres (run as its own user when this is root) must be able to enter the folder.
  fs.chmodSync(data, 0o755);
  const child = spawn(
    process.execPath,
    [path.join(root, "scripts", "cluster.mjs"), "--ports", "auto", "--data", data, "--quiet", "--max-seconds", String(opts.maxSeconds)],
    {
      cwd: root,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 60_000);
    await exited;
    clearTimeout(force);
    // KEEP_CLUSTER_DATA=1 keeps the logs and the database of a run for a look afterwards.
    if (process.env.KEEP_CLUSTER_DATA === "1") process.stderr.write(`cluster data kept in ${data}\n`);
    else fs.rmSync(data, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the cluster was not ready within ${(opts.timeoutMs ?? 240_000) / 1000} s:\n${out.slice(-4000)}`));
    }, opts.timeoutMs ?? 240_000);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the cluster script exited before it was ready:\n${out.slice(-4000)}`));
    });
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = /^cluster: ready (\{.*\})$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ ready: JSON.parse(m[1]) as ClusterReady, output: () => out, stop });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
}

/** The log lines (pino JSON) of one part of the cluster. */
export function clusterLog(ready: ClusterReady, name: string): Array<Record<string, unknown>> {
  const file = path.join(ready.logs, `${name}.log`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

/** HAProxy's view of its servers (its statistics page as CSV). */
export async function balancerStates(ready: ClusterReady): Promise<Array<{ backend: string; server: string; status: string }>> {
  const csv = await (await fetch(`${ready.stats};csv`)).text();
  const [header, ...rows] = csv.trim().split("\n");
  const cols = header.replace(/^# /, "").split(",");
  return rows.map((r) => {
    const v = r.split(",");
    return { backend: v[cols.indexOf("pxname")], server: v[cols.indexOf("svname")], status: v[cols.indexOf("status")] };
  });
}
