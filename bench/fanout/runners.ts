/**
 * The two servers of a run: Plenary as deployed (`scripts/start.mjs --demo`, PGlite on disk in a
 * fresh DATA_DIR or a fresh Postgres database), then, once it has exited, the bare floor.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { entry, NOW } from "./common";
import { createDatabase, dropDatabase, startServer } from "./harness";
import { runPass, type Pass } from "./pass";

export interface RunOptions {
  n: number;
  runs: number;
  approvals: number;
  stormApprovals: number;
  postgres: boolean;
  /** The run's temporary folder: data folders, server logs, the captured approval payload. */
  tmp: string;
  log: (line: string) => void;
}

/** Run r against Plenary; the server is stopped (and its database dropped) however the pass ends. */
export async function runProduct(r: number, o: RunOptions): Promise<Pass> {
  const { n, runs, approvals, stormApprovals, postgres, tmp, log } = o;
  const dataDir = path.join(tmp, `data-${r}`);
  fs.mkdirSync(dataDir);
  const dbName = `plenary_bench_${process.pid}_${r}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PLENARY_NOW: NOW,
    LOG_LEVEL: "warn",
    LIVEKIT_BIN: "off",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.PUBLIC_URL;
  if (postgres) env.DATABASE_URL = await createDatabase(dbName);
  log(`run ${r + 1}/${runs}: plenary (load ${os.loadavg()[0].toFixed(2)})`);
  const app = await startServer(["scripts/start.mjs", "--demo"], env, path.join(tmp, `plenary-${r}.log`));
  try {
    return await runPass(app, { n, approvals, stormApprovals, workers: 2 }, log);
  } finally {
    await app.stop();
    if (postgres) await dropDatabase(dbName).catch((e: unknown) => log(`  could not drop ${dbName}: ${String(e)}`));
  }
}

/** Run r against the bare floor, broadcasting the approval payload Plenary sent in this run (same size). */
export async function runBare(r: number, appPass: Pass, o: RunOptions): Promise<Pass> {
  const { n, runs, approvals, stormApprovals, tmp, log } = o;
  // The product has exited (stop() waited for its process to be gone) before the floor starts.
  const sampleFile = path.join(tmp, "sample.json");
  if (!appPass.sample) throw new Error("no approval payload was captured from Plenary");
  fs.writeFileSync(sampleFile, JSON.stringify(appPass.sample));
  log(`run ${r + 1}/${runs}: bare (load ${os.loadavg()[0].toFixed(2)})`);
  const bare = await startServer(
    ["--import", "tsx", entry, "--serve-bare", sampleFile],
    { ...process.env, NODE_ENV: "production" },
    path.join(tmp, `bare-${r}.log`),
  );
  try {
    return await runPass(bare, { n, approvals, stormApprovals, workers: 2 }, log);
  } finally {
    await bare.stop();
  }
}
