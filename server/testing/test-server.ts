import { startPlenary, type RunningPlenary } from "../app";
import { SimulatedClock, systemClock, type Clock } from "../clock";
import type { Config } from "../config";
import type { PollServiceOptions } from "../polls/service";
import type { CaptionServiceOptions } from "../captions/service";
import type { AuthServiceOptions } from "../auth/service";
import { createLogger } from "../log";
import type { LivekitBuild } from "../streaming/media-server";
import type { PresenceOptions } from "../reports/presence";
import { createPostgresDatabase } from "./databases";
import { livekitBinForTests } from "./livekit";

export interface TestServerOptions {
  /** Simulated "now" (ISO with offset, or a Date); omitted means the real clock. */
  now?: string | Date;
  /** "pglite" (in memory, default), "postgres" (a fresh database on TEST_DATABASE_URL), or a data folder. */
  database?: "pglite" | "postgres" | { dataDir: string } | { databaseUrl: string };
  withNext?: boolean;
  demo?: boolean;
  /** Start the embedded `livekit-server --dev` (server/testing/livekit.ts finds the binary). Off by default. */
  livekit?: boolean;
  config?: Partial<Config>;
  /** Receives every log line (JSON), e.g. to scan logs for personal data. */
  logSink?: (line: string) => void;
  /** Poll timings (results tick, sweeps). */
  polls?: PollServiceOptions;
  /** Sign-in rate limits (room codes, sign-in links). */
  auth?: AuthServiceOptions;
  /** How a missing embedded LiveKit binary is built (server/streaming/media-server.ts). */
  livekitBuild?: LivekitBuild;
  /** Attendance sampling (server/reports/presence.ts). */
  presence?: PresenceOptions;
  /** Caption feed health timings (server/captions). */
  captions?: CaptionServiceOptions;
}

export interface TestServer extends RunningPlenary {
  clock: Clock & { set?(d: Date): void };
}

/**
 * The same composition root as server/main.ts, on an ephemeral loopback port with test settings.
 * This is also the documented way to run the live days in tests: pass `now`, and move the clock with
 * `server.clock.set(...)`.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  let dataDir = "memory://";
  let databaseUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  const db = opts.database ?? "pglite";
  if (db === "postgres") {
    const created = await createPostgresDatabase();
    databaseUrl = created.url;
    drop = created.drop;
  } else if (typeof db === "object" && "dataDir" in db) {
    dataDir = db.dataDir;
  } else if (typeof db === "object") {
    databaseUrl = db.databaseUrl;
  }
  const clock = opts.now ? new SimulatedClock(new Date(opts.now)) : systemClock;
  const config: Config = {
    dev: false,
    port: 0,
    host: "127.0.0.1",
    dataDir,
    databaseUrl,
    demo: opts.demo ?? false,
    logLevel: "info",
    mailFrom: "Plenary <no-reply@plenary.test>",
    organizers: [],
    trustedProxies: [],
    livekit: livekitFor(opts.livekit),
    ...opts.config,
  };
  const log = createLogger(opts.logSink ? "debug" : "warn", opts.logSink ?? ((line) => process.stderr.write(line + "\n")));
  const running = await startPlenary({
    config,
    clock,
    log,
    withNext: opts.withNext ?? false,
    polls: opts.polls,
    captions: opts.captions,
    auth: opts.auth,
    livekitBuild: opts.livekitBuild,
    presence: opts.presence,
    publicUrlFor: (port) => `http://127.0.0.1:${port}`,
  });
  return {
    ...running,
    clock,
    close: async () => {
      await running.close();
      await drop?.();
    },
  };
}

function livekitFor(wanted: boolean | undefined): Config["livekit"] {
  if (!wanted) return { mode: "off" };
  const bin = livekitBinForTests();
  if (!bin) throw new Error("this test needs a LiveKit server binary (scripts/install-livekit.sh)");
  return { mode: "embedded", bin };
}
