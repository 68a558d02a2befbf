import type http from "node:http";
import type { PlenaryServices } from "../services";

/**
 * GET (or HEAD) /healthz — 200 when the database can be read and written, the socket server is
 * accepting and, with the Redis adapter, Redis is connected. Else 503 with `status`:
 * - `unavailable`: the database does not answer (or the socket server is not accepting: starting,
 *   shutting down, Redis lost);
 * - `degraded`: the database answers but refuses writes (full disk, read-only…), so nothing anyone
 *   sends can be saved. `database.fault` names why, in a stable `reason` and the driver's `code`.
 */
export async function healthz(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const database = await app.health.check();
  const redis = app.realtime.redis?.();
  const socket = app.realtime.ready && redis !== false;
  const status = !database.reachable || !socket ? "unavailable" : !database.writable ? "degraded" : "ok";
  const body = {
    status,
    database: {
      ready: database.reachable,
      writable: database.writable,
      kind: app.database.kind,
      ...(database.fault ? { fault: database.fault } : {}),
      checkedAt: database.checkedAt.toISOString(),
      recentFailures: app.health.recentFailures(),
    },
    socket: { ready: socket, connections: app.io.engine.clientsCount, ...(redis === undefined ? {} : { redis: { ready: redis } }) },
    now: app.clock.now().toISOString(),
    simulatedClock: app.clock.simulated,
  };
  res.writeHead(status === "ok" ? 200 : 503, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...(status === "ok" ? {} : { "retry-after": "5" }),
  });
  res.end(req.method === "HEAD" ? undefined : JSON.stringify(body));
}
