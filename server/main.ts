/**
 * The one entry point: `npm start`, `npm run demo`, `npm run dev` and Playwright all boot this file.
 * One Node process, one port, Next (App Router) and socket.io together.
 */
import v8 from "node:v8";
import { ConfigError, loadConfig } from "./config";
import { DatabaseStartError } from "../db/client";
import { startPlenary, type RunningPlenary } from "./app";
import { createLogger } from "./log";
import { RedisStartError } from "./realtime/redis-adapter";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  // npm run dev: readable lines (pino-pretty), redacted the same way.
  const log = createLogger(config.logLevel, undefined, { pretty: config.dev });
  // Signals are handled from the first moment: one that arrives during start-up waits for start-up
  // to finish (or fail), then closes everything, so the data folder is never left locked.
  // Assigned once start-up begins; the signal handler, registered before that, reads it.
  // eslint-disable-next-line prefer-const
  let starting: Promise<RunningPlenary> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal (Ctrl-C twice) does not wait any longer.
      log.warn("second signal while shutting down; exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("shutting down", { signal });
    const running = await starting?.catch(() => null);
    // The limit is for the shutdown itself, not for a start-up it had to wait for.
    const force = setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, 10_000);
    force.unref();
    await running?.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  starting = startPlenary({ config, log });
  let running: RunningPlenary;
  try {
    running = await starting;
  } catch (err) {
    if (stopping) return; // stop() exits once start-up has unwound
    if (err instanceof DatabaseStartError || err instanceof ConfigError || err instanceof RedisStartError) fail(err.message);
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") fail(`PORT: ${config.port} is already in use; set PORT to a free port.`);
    throw err;
  }
  // Once started, the old generation may grow to 2.5× what survived the last full collection (V8
  // picks about 1.5× here). In 5,000-vote storms full collections then came half as often or less,
  // and each one had held up the approval it met by 70–200 ms (docs/benchmarks.md). Set after
  // start-up, so the idle server keeps the memory it had.
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!stopping) process.stdout.write(`Plenary is ready on ${running.services.config.publicUrl}${config.demo ? " (demo mode)" : ""}\n`);
}

/** How far the old generation may grow past what survived the last full collection, in percent. */
const HEAP_GROWING_PERCENT = 150;

function fail(message: string): never {
  process.stderr.write(`plenary: ${message}\n`);
  process.exit(1);
}

void main();
