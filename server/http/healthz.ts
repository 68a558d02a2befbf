import type http from "node:http";
import type { PlenaryServices } from "../services";

/**
 * GET (or HEAD) /healthz — 200 when the database answers, the socket server is accepting and, with
 * the Redis adapter, Redis is connected; else 503 (also while shutting down).
 */
export async function healthz(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const database = await app.database.ping();
  const redis = app.realtime.redis?.();
  const socket = app.realtime.ready && redis !== false;
  const body = {
    status: database && socket ? "ok" : "unavailable",
    database: { ready: database, kind: app.database.kind },
    socket: { ready: socket, connections: app.io.engine.clientsCount, ...(redis === undefined ? {} : { redis: { ready: redis } }) },
    now: app.clock.now().toISOString(),
    simulatedClock: app.clock.simulated,
  };
  res.writeHead(database && socket ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : JSON.stringify(body));
}
