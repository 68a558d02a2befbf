/**
 * The one entry point: `npm start`, `npm run demo`, `npm run dev` and Playwright all boot this file.
 * One Node process, one port, Next (App Router) and socket.io together.
 */
import { ConfigError, loadConfig } from "./config";
import { DatabaseStartError } from "../db/client";
import { startPlenary } from "./app";
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
  const log = createLogger(config.logLevel);
  let running;
  try {
    running = await startPlenary({ config, log });
  } catch (err) {
    if (err instanceof DatabaseStartError || err instanceof ConfigError || err instanceof RedisStartError) fail(err.message);
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") fail(`PORT: ${config.port} is already in use; set PORT to a free port.`);
    throw err;
  }
  process.stdout.write(`Plenary is ready on ${running.services.config.publicUrl}${config.demo ? " (demo mode)" : ""}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    const force = setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, 10_000);
    force.unref();
    await running.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

function fail(message: string): never {
  process.stderr.write(`plenary: ${message}\n`);
  process.exit(1);
}

void main();
