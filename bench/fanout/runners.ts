/**
 * The two servers of a run: Plenary as deployed (`scripts/start.mjs --demo`, PGlite on disk in a
 * fresh DATA_DIR or a fresh Postgres database), then, once it has exited, the bare floor; and the
 * runs one after another. Which scenario runs against them is the `pass` given.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { entry, NOW } from "./common";
import { createDatabase, dropDatabase, startServer, type Server } from "./harness";

export interface RunOptions {
  runs: number;
  postgres: boolean;
  /** The run's temporary folder: data folders, server logs, the captured payload sample. */
  tmp: string;
  log: (line: string) => void;
}

/** Run r against Plenary; the server is stopped (and its database dropped) however the pass ends. */
export async function runProduct<P>(r: number, o: RunOptions, pass: (server: Server) => Promise<P>): Promise<P> {
  const { runs, postgres, tmp, log } = o;
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
    return await pass(app);
  } finally {
    await app.stop();
    if (postgres) await dropDatabase(dbName).catch((e: unknown) => log(`  could not drop ${dbName}: ${String(e)}`));
  }
}

/** Run r against the bare floor, given a payload Plenary sent in this run to send the same size (null: none needed). */
export async function runBare<P>(r: number, sample: unknown, o: RunOptions, pass: (server: Server) => Promise<P>): Promise<P> {
  const { runs, tmp, log } = o;
  // The product has exited (stop() waited for its process to be gone) before the floor starts.
  const sampleFile = path.join(tmp, "sample.json");
  fs.writeFileSync(sampleFile, JSON.stringify(sample ?? null));
  log(`run ${r + 1}/${runs}: bare (load ${os.loadavg()[0].toFixed(2)})`);
  const bare = await startServer(
    ["--import", "tsx", entry, "--serve-bare", sampleFile],
    { ...process.env, NODE_ENV: "production" },
    path.join(tmp, `bare-${r}.log`),
  );
  try {
    return await pass(bare);
  } finally {
    await bare.stop();
  }
}

/**
 * Every run: Plenary, then (unless skipped) the bare floor with `sampleOf` the Plenary pass, each
 * run printed as it ends. The temporary folder is removed however the runs end.
 */
export async function runAll<P>(
  o: { name: string; runs: number; postgres: boolean; skipBare: boolean; log: (line: string) => void },
  pass: (server: Server) => Promise<P>,
  sampleOf: (app: P) => unknown,
  printRun: (r: number, app: P, bare?: P) => void,
): Promise<Array<{ app: P; bare?: P }>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `plenary-${o.name}-`));
  const options: RunOptions = { runs: o.runs, postgres: o.postgres, tmp, log: o.log };
  const results: Array<{ app: P; bare?: P }> = [];
  try {
    for (let r = 0; r < o.runs; r++) {
      const app = await runProduct(r, options, pass);
      const bare = o.skipBare ? undefined : await runBare(r, sampleOf(app), options, pass);
      results.push({ app, bare });
      printRun(r, app, bare);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}
