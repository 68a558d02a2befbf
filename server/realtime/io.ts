import type http from "node:http";
import { Server } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from "../../lib/realtime/contract";
import type { Logger } from "../log";
import { rooms } from "./rooms";

export interface SocketData {
  connectedAt: number;
}

export type PlenaryIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SocketServerOptions {
  /** Origins (scheme://host:port) whose pages may open a socket. */
  allowedOrigins: string[];
  log: Logger;
}

/** Largest frame a client may send; questions are at most 500 characters, so 16 KiB is generous. */
export const MAX_FRAME_BYTES = 16 * 1024;

export function createSocketServer(httpServer: http.Server, opts: SocketServerOptions): PlenaryIo {
  const allowed = new Set(opts.allowedOrigins);
  const io: PlenaryIo = new Server(httpServer, {
    path: "/socket.io",
    serveClient: false,
    maxHttpBufferSize: MAX_FRAME_BYTES,
    // Other upgrade requests (Next's dev reloader) are passed on by server/app.ts.
    destroyUpgrade: false,
    // CORS headers do not protect WebSocket upgrades: the Origin check below does. A browser always
    // sends Origin on a cross-origin request; same-origin polling GETs may omit it.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      if (origin && !allowed.has(origin)) {
        opts.log.warn("socket refused: foreign origin", { origin });
        return callback("origin not allowed", false);
      }
      callback(null, true);
    },
  });
  io.on("connection", (socket) => {
    socket.data.connectedAt = Date.now();
    void socket.join(rooms.agenda());
  });
  return io;
}
