import type http from "node:http";
import type { PlenaryServices } from "../app";

/** GET /healthz — 200 when the database answers and the socket server is accepting, else 503. */
export async function healthz(app: PlenaryServices, res: http.ServerResponse): Promise<void> {
  const database = await app.database.ping();
  const socket = app.realtime.ready;
  const body = {
    status: database && socket ? "ok" : "unavailable",
    database: { ready: database, kind: app.database.kind },
    socket: { ready: socket, connections: app.io.engine.clientsCount },
    now: app.clock.now().toISOString(),
    simulatedClock: app.clock.simulated,
  };
  res.writeHead(database && socket ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
