import { timingSafeEqual } from "node:crypto";
import type http from "node:http";
import type { PlenaryServices } from "../services";
import { metrics } from "../metrics";
import { isLoopback } from "./client-ip";
import { CLIENT_IP_HEADER } from "./route";

/**
 * GET /metrics — Prometheus text format (prom-client). Only for a scraper on this machine (the
 * client's address, read as server/http/client-ip.ts reads it, is loopback) or one that presents
 * METRICS_TOKEN as a bearer token; anyone else gets 403 and no numbers.
 */
export async function metricsRoute(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const client = String(req.headers[CLIENT_IP_HEADER] ?? "");
  if (!isLoopback(client) && !bearerMatches(req.headers.authorization, app.config.metricsToken)) {
    res.writeHead(403, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(
      JSON.stringify({
        error: {
          code: "forbidden",
          message: app.config.metricsToken
            ? "Metrics are served to this machine, or with the METRICS_TOKEN as a bearer token (Authorization: Bearer …)."
            : "Metrics are served only to this machine. Set METRICS_TOKEN to let a scraper elsewhere read them with that bearer token.",
        },
      }),
    );
    return;
  }
  try {
    const registry = metrics().registry;
    const body = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (err) {
    app.log.error("metrics failed", { err });
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("Metrics could not be collected.\n");
  }
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
