import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { openDatabase } from "../db/client";
import { seedProgramme } from "../db/seed/seed";
import { AgendaService } from "./agenda/service";
import { seedDemoPeople } from "../db/seed/demo-people";
import { AuditService } from "./audit/service";
import { Guard } from "./auth/guard";
import { buildNextAuthOptions } from "./auth/next-auth";
import { AuthService, type AuthServiceOptions } from "./auth/service";
import type { AuthPublisher } from "./auth/publisher";
import { usesSecureCookies } from "./auth/cookies";
import { createMailer } from "./mail/mailer";
import { PeopleService } from "./people/service";
import { BrandingService } from "./branding/service";
import { PollService, type PollServiceOptions } from "./polls/service";
import { commandRouter } from "./realtime/handlers";
import { RateLimiter } from "./realtime/rate-limit";
import { useRedisAdapter } from "./realtime/redis-adapter";
import { clockFor, type Clock } from "./clock";
import { recordingConfigFor, type Config } from "./config";
import { registerApp, unregisterApp } from "./context";
import { markBuildInUse } from "./build-in-use";
import { DatabaseHealth } from "./health";
import { failureLog } from "./log-throttle";
import { createLogger, errorName, routeConsoleToLog, type Logger } from "./log";
import { countBroadcasts, createSocketServer, disconnectExpired, socketCounts } from "./realtime/io";
import { addMetricsSource, timedDb } from "./metrics";
import { createSecurityPolicy, STARTING_HEADERS, type SecurityPolicy } from "./http/security-headers";
import { createDispatch } from "./http/dispatch";
import { MediaServer, type LivekitBuild } from "./streaming/media-server";
import { StreamingService } from "./streaming/service";
import { NoteService } from "./messages/service";
import {
  QaFanout,
  VOTE_TICK_MS,
  VOTE_YIELD_MAX_MS,
  agendaPublisher,
  authPublisher,
  captionPublisher,
  checkInPublisher,
  dashboardHint,
  notePublisher,
  pollPublisher,
  streamPublisher,
} from "./realtime/publishers";
import { CheckInService } from "./checkin/service";
import { CaptionService, type CaptionServiceOptions } from "./captions/service";
import type { PlenaryServices } from "./services";
import { sessionVoteCounts, voteCounts } from "./qa/queries";
import { inStaffLane } from "./qa/gate";
import { QaService } from "./qa/service";
import { PresenceTracker, type PresenceOptions } from "./reports/presence";
import { ReportService } from "./reports/service";
import { FeedbackService } from "./reports/feedback";

export const projectRoot = path.resolve(fileURLToPath(new URL("..", import.meta.url)));

export interface StartOptions {
  config: Config;
  /** The public URL when the configuration has none (tests use http://127.0.0.1:<port>). */
  publicUrlFor?: (port: number) => string;
  log?: Logger;
  clock?: Clock;
  /** Serve pages through Next (default). Socket- and service-level tests may leave it out. */
  withNext?: boolean;
  /** Poll timings (results tick, sweeps); tests and benchmarks may shorten them. */
  polls?: PollServiceOptions;
  /** Sign-in rate limits (room codes, sign-in links); tests may lower them. */
  auth?: AuthServiceOptions;
  /** How a missing embedded LiveKit binary is built on first run (default: scripts/install-livekit.sh with Go). */
  livekitBuild?: LivekitBuild;
  /** Attendance sampling (bucket, heartbeat); tests may shorten them. */
  presence?: PresenceOptions;
  /** Caption feed health timings; tests shorten the check interval. */
  captions?: CaptionServiceOptions;
}

export interface RunningPlenary {
  url: string;
  port: number;
  services: PlenaryServices;
  close(): Promise<void>;
}

/** The composition root: database, services, socket.io and Next on one HTTP server. */
export async function startPlenary(opts: StartOptions): Promise<RunningPlenary> {
  const log = opts.log ?? createLogger(opts.config.logLevel);
  const clock = opts.clock ?? clockFor(opts.config.now);
  // Background work that fails during an outage fails every few seconds: one line per kind and interval.
  const failures = failureLog(log);

  const database = await openDatabase({ databaseUrl: opts.config.databaseUrl, dataDir: opts.config.dataDir, timeQuery: timedDb, urgent: inStaffLane });
  // Shutdown steps, run last-in first-out: the reverse of start-up.
  const closers: Array<() => Promise<void>> = [() => database.close()];
  const runClosers = async (onError: (err: unknown) => void) => {
    for (const close of closers.reverse()) await close().catch(onError);
  };
  try {
    const seeded = await seedProgramme(database.db);
    log.info("database ready", { kind: database.kind, location: database.location, sessionsInserted: seeded.inserted });

    const httpServer = http.createServer();
    // The port is bound first (its number feeds the public URL and allowed origins); until everything
    // is ready, requests get a clear 503 instead of hanging.
    const dispatch: { listener?: http.RequestListener } = {};
    // Every answer but engine.io's (given its own below) gets the security headers here, first.
    const secured: { policy?: SecurityPolicy } = {};
    httpServer.on("request", (req, res) => {
      if (req.url?.startsWith("/socket.io")) return; // engine.io answers these itself
      if (secured.policy) secured.policy.apply(req, res);
      else for (const [name, value] of Object.entries(STARTING_HEADERS)) res.setHeader(name, value);
      if (dispatch.listener) return dispatch.listener(req, res);
      res.writeHead(503, { "retry-after": "2", "content-type": "text/plain; charset=utf-8" }).end("Plenary is starting. Try again in a moment.\n");
    });
    const listenPort = await listen(httpServer, opts.config.port, opts.config.host);
    closers.push(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));
    const config = { ...opts.config, publicUrl: opts.config.publicUrl ?? opts.publicUrlFor?.(listenPort) ?? `http://localhost:${listenPort}` };

    const allowedOrigins = new Set([new URL(config.publicUrl).origin, `http://localhost:${listenPort}`, `http://127.0.0.1:${listenPort}`]);
    const audit = new AuditService(database.db, log);
    // The socket server authenticates handshakes with the auth service, which announces through it:
    // the port is handed over before the first sign-in can end.
    const authEvents: { port?: AuthPublisher } = {};
    // A change of roles or check-in is read afresh by this instance's next page or socket, then announced.
    const announceAuth: AuthPublisher = {
      signInEnded: (hash) => authEvents.port?.signInEnded(hash),
      rolesChanged: (userId) => {
        auth.forget(userId);
        authEvents.port?.rolesChanged(userId);
      },
    };
    const auth = new AuthService(database.db, audit, announceAuth, log, opts.auth);
    if (config.demo) await seedDemoPeople(database.db);
    // Sockets are let in once every command handler is wired (below), and no longer once shutdown begins.
    const realtime: PlenaryServices["realtime"] = { ready: false };
    const sockets = createSocketServer(httpServer, {
      allowedOrigins,
      auth,
      log,
      secureCookies: usesSecureCookies(config.publicUrl),
      accepting: () => realtime.ready,
    });
    authEvents.port = authPublisher(sockets);
    const redis = config.redisUrl ? await useRedisAdapter(sockets, config.redisUrl, log) : undefined;
    if (redis) closers.push(() => redis.close());
    countBroadcasts(sockets);
    const removeMetricsSource = addMetricsSource({ sockets: () => socketCounts(sockets).values(), redisUp: () => redis?.ready() });
    closers.push(async () => removeMetricsSource());
    closers.push(async () => {
      // Only this instance's sockets: with the Redis adapter a plain disconnectSockets reaches every instance.
      sockets.local.disconnectSockets(true);
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    });
    const sweep = setInterval(() => {
      disconnectExpired(sockets);
      void auth.deleteExpired().catch((err: unknown) => failures.warn("expired sign-in cleanup failed", errorName(err), "sweep", { err }));
    }, 5_000);
    sweep.unref();
    closers.push(async () => clearInterval(sweep));

    const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, demo: config.demo, log });
    const agenda = new AgendaService(database.db, agendaPublisher(sockets), audit);
    await agenda.ensureAccessCodes();

    // LiveKit: the embedded `livekit-server --dev` (sending its webhooks here), another deployment, or none.
    // A missing embedded binary is built in the background (first run): Plenary serves meanwhile.
    const webhookHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
    const media = await MediaServer.start({
      config: config.livekit,
      webhookUrl: `http://${webhookHost}:${listenPort}/api/livekit/webhook`,
      log,
      build: opts.livekitBuild,
    });
    closers.push(() => media.close());
    const securityFor = (livekitUrl: string | undefined) =>
      createSecurityPolicy({
        publicUrl: config.publicUrl,
        dev: config.dev,
        livekitUrl,
        livekitLoopbackAnyPort: media.state.status === "preparing",
        oidcIssuer: config.oidc?.issuer,
        screenFrameAncestors: config.screenFrameAncestors ?? [],
      });
    const security = securityFor(media.livekit?.url);
    secured.policy = security;
    const engineHeaders = { ...security.staticHeaders, ...STARTING_HEADERS };
    sockets.engine.on("headers", (headers: Record<string, string>) => Object.assign(headers, engineHeaders));
    const authSecret = await auth.resolveSecret(config.authSecret);
    const guard = new Guard(audit);
    const streaming = new StreamingService({
      db: database.db,
      livekit: media.livekit,
      media: media.state,
      guard,
      audit,
      clock,
      log,
      publish: streamPublisher(sockets),
      identitySecret: authSecret,
      timeZone: async () => (await agenda.getEvent()).timeZone,
      recording: config.recording ?? recordingConfigFor(config.dataDir),
      // The caption service is made further down; a recording's tracks are only asked for later.
      captionTracksFor: (recording, session) => captions.recordingTracks(recording, session),
    });
    // Closers run in reverse: recorders stop (and their files are finalised) before LiveKit goes.
    closers.push(() => streaming.recordings.closeAll());
    // The first-run build finishing (or failing) switches streaming on (or says why not) without a restart.
    const onMedia = (state: typeof media.state, livekit: typeof media.livekit) => {
      if (state.status !== "preparing") secured.policy = securityFor(livekit?.url);
      void streaming.mediaChanged(state, livekit).catch((err: unknown) => log.warn("announcing the media server's state failed", { err }));
    };
    media.onChange(onMedia);
    if (media.state !== streaming.media) onMedia(media.state, media.livekit);
    // Questions, votes, poll answers and caption feed changes nudge the organizers' dashboards (throttled).
    const hint = dashboardHint(sockets);
    closers.push(async () => hint.stop());
    const polls = new PollService({
      db: database.db,
      clock,
      guard,
      audit,
      publish: pollPublisher(sockets, hint),
      log,
      options: opts.polls,
    });
    // Start-up erasure: Chatham House sessions that ended while no instance ran lose their voter links now.
    await polls.start();
    closers.push(async () => polls.stop());
    const qaFanout = new QaFanout(
      sockets,
      (ids) => voteCounts(database.db, ids),
      log,
      VOTE_TICK_MS,
      (sessionId) => sessionVoteCounts(database.db, sessionId),
    );
    qaFanout.onActivity = hint;
    closers.push(async () => qaFanout.stop());
    const qa = new QaService({
      db: database.db,
      audit,
      guard,
      clock,
      log,
      agenda,
      publish: qaFanout,
      outboxSecret: authSecret,
      databaseKind: database.kind,
    });
    // Vote counts and poll results go to the whole room: they wait for the moderators' commands under way.
    qaFanout.beforeBroadcast = polls.beforeResults = () => qa.gate.staffIdle(VOTE_YIELD_MAX_MS);
    // Chatham House author links of sessions already over are erased before anyone connects, then
    // as sessions end (idempotent: safe when several instances run it).
    await qa.eraseEndedAuthorLinks();
    const eraser = setInterval(() => {
      void qa.eraseEndedAuthorLinks().catch((err: unknown) => failures.warn("erasing chatham house author links failed", errorName(err), "eraser", { err }));
    }, 10_000);
    eraser.unref();
    closers.push(async () => clearInterval(eraser));
    const captions = new CaptionService({
      db: database.db,
      guard,
      audit,
      clock,
      log,
      publish: captionPublisher(sockets, hint),
      secret: authSecret,
      publicUrl: config.publicUrl,
      timeZone: async () => (await agenda.getEvent()).timeZone,
      options: opts.captions,
    });
    captions.start();
    closers.push(async () => captions.stop());
    realtime.redis = redis?.ready;
    const presence = new PresenceTracker({ io: sockets, db: database.db, clock, log, options: opts.presence });
    presence.start();
    closers.push(() => presence.stop());
    const health = new DatabaseHealth(database.db);
    const checkIn = new CheckInService({
      db: database.db,
      guard,
      audit,
      clock,
      publish: checkInPublisher(sockets),
      auth: announceAuth,
      secret: authSecret,
      publicUrl: config.publicUrl,
    });
    const services: PlenaryServices = {
      config,
      log,
      clock,
      database,
      db: database.db,
      health,
      io: sockets,
      realtime,
      allowedOrigins,
      // With Redis the counters are shared, so every instance holds a person to one budget.
      limiter: new RateLimiter({ redis: redis?.client }),
      audit,
      guard,
      auth,
      mailer,
      nextAuth: buildNextAuthOptions({
        db: database.db,
        auth,
        mailer,
        log,
        secret: authSecret,
        publicUrl: config.publicUrl,
        oidc: config.oidc,
        eventName: (await agenda.getEvent()).name,
        passPng: (userId) => checkIn.passPng(userId),
      }),
      people: new PeopleService(database.db, audit, announceAuth),
      agenda,
      streaming,
      polls,
      qa,
      notes: new NoteService({ db: database.db, guard, audit, clock, agenda, publish: notePublisher(sockets) }),
      branding: new BrandingService({ db: database.db, agenda, guard, audit, clock }),
      reports: new ReportService({ db: database.db, clock, guard, audit, agenda, freshMs: opts.presence?.freshMs }),
      feedback: new FeedbackService({ db: database.db, clock, guard, audit, agenda }),
      presence,
      captions,
      checkIn,
    };
    await services.people.ensureOrganizers(config.organizers);
    // next-auth v4 builds its URLs (callbacks, e-mail links) from NEXTAUTH_URL.
    process.env.NEXTAUTH_URL = config.publicUrl;
    registerApp(services);
    closers.push(async () => unregisterApp(services));
    const commands = commandRouter(services);
    sockets.on("connection", (socket) => commands.attach(socket));
    realtime.ready = true;

    let nextHandler: ReturnType<ReturnType<typeof next>["getRequestHandler"]> | undefined;
    if (opts.withNext !== false) {
      // Next's own error printing (message, stack, a query's parameters) is off: instrumentation.ts logs
      // request errors by kind, and whatever Next still prints goes through the redacting logger.
      const restoreConsole = routeConsoleToLog(log);
      closers.push(async () => restoreConsole());
      const nextApp = next({ dev: config.dev, dir: projectRoot, hostname: config.host, port: listenPort, httpServer, quiet: true });
      await nextApp.prepare();
      if (!config.dev) closers.push(markBuildInUse(projectRoot));
      nextHandler = nextApp.getRequestHandler();
      if (config.dev) {
        const upgrade = nextApp.getUpgradeHandler();
        httpServer.on("upgrade", (req, socket, head) => {
          if (!req.url?.startsWith("/socket.io")) void upgrade(req, socket, head);
        });
      }
      closers.push(() => nextApp.close());
    }

    // Shutdown first stops taking work (503, healthz says unavailable), lets requests under way
    // finish, and only then closes Next, the services and the database.
    const requests = createDispatch(services, nextHandler);
    dispatch.listener = requests.listener;

    const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${listenPort}`;
    log.info("plenary listening", { listening: url, publicUrl: config.publicUrl, demo: config.demo, simulatedNow: config.now?.toISOString() });
    let closed = false;
    return {
      url,
      port: listenPort,
      services,
      close: async () => {
        if (closed) return;
        closed = true;
        realtime.ready = false;
        await requests.drain(5_000);
        await runClosers((err) => log.warn("shutdown step failed", { err }));
      },
    };
  } catch (err) {
    await runClosers(() => {});
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
