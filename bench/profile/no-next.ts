/**
 * The server as server/main.ts starts it but without Next (`withNext: false`), to weigh Next's share
 * of the idle memory against `node scripts/start.mjs`. Same environment variables as the server;
 * WITH_NEXT=1 starts Next too. A profiling aid, not a way to run Plenary.
 *
 *   NODE_ENV=production DATA_DIR=… PORT=… npx tsx bench/profile/no-next.ts
 */
import { loadConfig } from "../../server/config";
import { startPlenary } from "../../server/app";
import { createLogger } from "../../server/log";

const config = loadConfig();
const running = await startPlenary({ config, log: createLogger(config.logLevel), withNext: process.env.WITH_NEXT === "1" });
process.stdout.write(`ready on ${running.url}\n`);
process.on("SIGTERM", () => void running.close().then(() => process.exit(0)));
