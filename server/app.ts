import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { openDatabase, type DatabaseHandle, type Database } from "../db/client";
import { seedProgramme } from "../db/seed/seed";
import type { AgendaItem } from "../lib/agenda";
import { AgendaService } from "./agenda/service";
import { clockFor, type Clock } from "./clock";
import type { Config } from "./config";
import { setApp } from "./context";
import { healthz } from "./http/healthz";
import { createLogger, type Logger } from "./log";
import { createSocketServer, type PlenaryIo } from "./realtime/io";
import { rooms } from "./realtime/rooms";

export const projectRoot = path.resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Everything a page, route handler or socket handler may use. One instance per process. */
export interface PlenaryServices {
  config: Config;
  log: Logger;
  clock: Clock;
  database: DatabaseHandle;
  db: Database;
  io: PlenaryIo;
  realtime: { ready: boolean };
  agenda: AgendaService;
}

export interface StartOptions {
  config: Config;
  log?: Logger;
  clock?: Clock;
  /** Serve pages through Next (default). Socket- and service-level tests may leave it out. */
  withNext?: boolean;
}

export interface RunningPlenary {
  url: string;
  port: number;
  services: PlenaryServices;
  close(): Promise<void>;
}

/** The composition root: database, services, socket.io and Next on one HTTP server. */
export async function startPlenary(opts: StartOptions): Promise<RunningPlenary> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? clockFor(config.now);

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const closers: Array<() => Promise<void>> = [() => database.close()];
  try {
    const seeded = await seedProgramme(database.db);
    log.info("database ready", { kind: database.kind, location: database.location, sessionsInserted: seeded.inserted });

    const httpServer = http.createServer();
    const listenPort = await listen(httpServer, config.port, config.host);
    closers.unshift(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));

    const origins = new Set([new URL(config.publicUrl).origin, `http://localhost:${listenPort}`, `http://127.0.0.1:${listenPort}`]);
    const io = createSocketServer(httpServer, { allowedOrigins: [...origins], log });
    closers.unshift(async () => {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    });

    const realtime = { ready: true };
    const services: PlenaryServices = {
      config,
      log,
      clock,
      database,
      db: database.db,
      io,
      realtime,
      agenda: new AgendaService(database.db, {
        agendaChanged: (item: AgendaItem) => io.to(rooms.agenda()).emit("agenda:changed", { item }),
      }),
    };
    setApp(services);
    closers.push(async () => setApp(undefined));

    let nextHandler: ReturnType<ReturnType<typeof next>["getRequestHandler"]> | undefined;
    if (opts.withNext !== false) {
      const nextApp = next({ dev: config.dev, dir: projectRoot, hostname: config.host, port: listenPort, httpServer });
      await nextApp.prepare();
      nextHandler = nextApp.getRequestHandler();
      if (config.dev) {
        const upgrade = nextApp.getUpgradeHandler();
        httpServer.on("upgrade", (req, socket, head) => {
          if (!req.url?.startsWith("/socket.io")) void upgrade(req, socket, head);
        });
      }
      closers.splice(closers.length - 1, 0, () => nextApp.close());
    }

    httpServer.on("request", (req, res) => {
      const url = req.url ?? "/";
      if (url.startsWith("/socket.io")) return; // engine.io answers these itself
      if (req.method === "GET" && (url === "/healthz" || url.startsWith("/healthz?"))) {
        void healthz(services, res);
        return;
      }
      if (!nextHandler) {
        res.writeHead(404).end();
        return;
      }
      nextHandler(req, res).catch((err: unknown) => {
        log.error("request failed", { path: url.split("?")[0], err });
        if (!res.headersSent) res.writeHead(500).end();
      });
    });

    const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${listenPort}`;
    log.info("plenary listening", { url, publicUrl: config.publicUrl, demo: config.demo, simulatedNow: config.now?.toISOString() });
    let closed = false;
    return {
      url,
      port: listenPort,
      services,
      close: async () => {
        if (closed) return;
        closed = true;
        realtime.ready = false;
        for (const close of closers) await close().catch((err: unknown) => log.warn("shutdown step failed", { err }));
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    throw err;
  }
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
