/**
 * The HTTP server's request listener once everything is ready: the plain Node routes that answer
 * before Next (health, metrics, room-code join, LiveKit webhooks, caption ingest, CSP reports), then
 * Next's pages and route handlers. It also drains: shutdown first stops taking work, then waits for
 * the requests under way.
 */
import type http from "node:http";
import { databaseFault } from "../db-errors";
import { failureLog } from "../log-throttle";
import type { PlenaryServices } from "../services";
import { captionIngest, CAPTION_INGEST_PREFIX, captionVtt, isCaptionVttPath } from "./caption-ingest";
import { clientAddress, parseTrustedProxies } from "./client-ip";
import { cspReport } from "./csp-report";
import { healthz } from "./healthz";
import { holdServerErrors } from "./hold-server-errors";
import { joinRoute } from "./join";
import { livekitWebhook } from "./livekit-webhook";
import { metricsRoute } from "./metrics";
import { explainApiMethodRefusal, refuseBeforeNext } from "./refusals";
import { CLIENT_IP_HEADER, pathShape } from "./route";
import { CSP_REPORT_PATH } from "./security-headers";
import { unavailablePage } from "./unavailable-page";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export interface Dispatch {
  listener: http.RequestListener;
  /** Refuses new work (503; health and metrics still answer) and resolves once the requests under way have ended, or after `maxMs`. */
  drain(maxMs: number): Promise<void>;
}

/** `nextHandler`: Next's request handler, absent when the server runs without pages (socket- and service-level tests). */
export function createDispatch(services: PlenaryServices, nextHandler: Handler | undefined): Dispatch {
  const { log } = services;
  // Failures during an outage repeat every few seconds: one line per kind and interval.
  const failures = failureLog(log);
  const trustedProxies = parseTrustedProxies(services.config.trustedProxies);
  let stopping = false;
  let inflight = 0;
  let drained: (() => void) | undefined;

  const is = (url: string, path: string) => url === path || url.startsWith(`${path}?`);
  const reading = (req: http.IncomingMessage) => req.method === "GET" || req.method === "HEAD";

  // A page needs the database (sign-in, the agenda, the session); while it cannot be reached, pages
  // answer 503 with Retry-After and a page that says so, not Next's bare 500. Route handlers answer
  // their own 503 (server/http/route.ts); Next's static files need no database.
  const servePage = async (req: http.IncomingMessage, res: http.ServerResponse, url: string, handler: Handler) => {
    if (reading(req) && !url.startsWith("/_next/") && !url.startsWith("/api/")) {
      const state = await services.health.check();
      if (!state.reachable) {
        failures.error("page refused: database unreachable", state.fault?.reason ?? "unknown", "page", { code: state.fault?.code });
        unavailablePage(res, req.method === "HEAD");
        return;
      }
      // The database can go away after that check (the result is up to 2 s old): a page Next
      // answers with a 5xx is then checked afresh and, with the database unreachable, becomes the 503 page.
      holdServerErrors(res, async () => {
        const now = await services.health.check(0);
        if (now.reachable) return null;
        failures.error("page refused: database unreachable", now.fault?.reason ?? "unknown", "page", { code: now.fault?.code });
        return (r) => unavailablePage(r, req.method === "HEAD");
      });
    }
    await handler(req, res);
  };

  const listener: http.RequestListener = (req, res) => {
    const url = req.url ?? "/";
    // Route handlers read the client's address from here; whatever a client sent is replaced.
    req.headers[CLIENT_IP_HEADER] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxies);
    if (reading(req) && is(url, "/healthz")) return void healthz(services, req, res);
    if (reading(req) && is(url, "/metrics")) return void metricsRoute(services, req, res);
    if (stopping) {
      res
        .writeHead(503, { "retry-after": "5", connection: "close", "content-type": "text/plain; charset=utf-8" })
        .end("Plenary is shutting down. Try again in a moment.\n");
      return;
    }
    if (refuseBeforeNext(req, res, url)) return;
    inflight++;
    res.once("close", () => {
      if (--inflight === 0) drained?.();
    });
    if (is(url, "/api/join")) {
      void joinRoute(services, req, res).catch((err: unknown) => {
        log.error("request failed", { path: "/api/join", err });
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (req.method === "POST" && is(url, "/api/livekit/webhook")) return void livekitWebhook(services, req, res);
    // Captioners' software (any method: a wrong one gets its 405 here, not Next's page) and the WebVTT files.
    if (url.startsWith(CAPTION_INGEST_PREFIX)) return void captionIngest(services, req, res);
    if (reading(req) && isCaptionVttPath(url)) return void captionVtt(services, req, res);
    if (req.method === "POST" && is(url, CSP_REPORT_PATH)) return void cspReport(services, req, res);
    if (!nextHandler) {
      res.writeHead(404).end();
      return;
    }
    explainApiMethodRefusal(req, res, url);
    void servePage(req, res, url, nextHandler).catch((err: unknown) => {
      const fault = databaseFault(err);
      if (fault) {
        services.health.noteFailure(err);
        failures.error("request failed", fault.reason, "page", { code: fault.code });
        if (!res.headersSent) unavailablePage(res, req.method === "HEAD");
        return;
      }
      log.error("request failed", { path: pathShape(url), err });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  return {
    listener,
    drain: async (maxMs) => {
      stopping = true;
      if (inflight === 0) return;
      await new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, maxMs).unref();
      });
    },
  };
}
