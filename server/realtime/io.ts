import { randomUUID } from "node:crypto";
import type http from "node:http";
import { Server, type Socket } from "socket.io";
import { MAX_FRAME_BYTES, type ClientToServerEvents, type InterServerEvents, type ServerToClientEvents } from "../../lib/realtime/contract";
import type { Actor } from "../auth/actor";
import { parseCookieHeader, sessionTokenFrom } from "../auth/cookies";
import type { AuthService } from "../auth/service";
import type { Logger } from "../log";
import { metrics } from "../metrics";
import { rooms } from "./rooms";

export interface SocketData {
  connectedAt: number;
  actor: Actor | null;
  /** When the sign-in behind this socket expires. */
  signInExpires?: number;
  /**
   * Sessions this socket joined as the room's screen (`session:join { view: "screen" }`): there it
   * gets only what the room may see, whatever the person's roles, until it leaves the session.
   */
  screens: Set<string>;
}

export type PlenaryIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type PlenarySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SocketServerOptions {
  /** Origins (scheme://host:port) whose pages may open a socket. */
  allowedOrigins: Set<string>;
  auth: AuthService;
  log: Logger;
  /** Behind TLS only the `__Host-` cookie name is read (server/auth/cookies.ts). */
  secureCookies: boolean;
  /**
   * False while the server is starting (the command handlers are not wired yet) and once it is
   * shutting down: handshakes are refused then, and clients retry by themselves, rather than being
   * let in to a socket that would never answer a command.
   */
  accepting: () => boolean;
}

const serverRooms = new WeakMap<PlenaryIo, string>();

/** The room every socket of this server joins, so that a broadcast can leave this instance's sockets out (slices.ts). */
export function instanceRoom(io: PlenaryIo): string {
  let room = serverRooms.get(io);
  if (!room) serverRooms.set(io, (room = rooms.instance(randomUUID())));
  return room;
}

export function createSocketServer(httpServer: http.Server, opts: SocketServerOptions): PlenaryIo {
  const io: PlenaryIo = new Server(httpServer, {
    path: "/socket.io",
    serveClient: false,
    maxHttpBufferSize: MAX_FRAME_BYTES,
    // Other upgrade requests (Next's dev reloader) are passed on by server/app.ts.
    destroyUpgrade: false,
    // CORS headers do not protect WebSocket upgrades: the Origin check below does. A browser always
    // sends Origin on a cross-origin request; same-origin polling GETs may omit it.
    allowRequest: (req, callback) => {
      if (!opts.accepting()) return callback("server starting or stopping", false);
      const origin = req.headers.origin;
      if (origin && !opts.allowedOrigins.has(origin)) {
        opts.log.warn("socket refused: foreign origin", { origin });
        return callback("origin not allowed", false);
      }
      callback(null, true);
    },
  });

  // Every handshake (reconnects included) is authenticated from the same sign-in cookie as pages.
  // No cookie: an anonymous viewer (agenda, public Q&A view). A cookie that is forged, foreign or
  // expired: refused, so the page can tell the person to sign in again.
  io.use(async (socket, next) => {
    try {
      const token = sessionTokenFrom(parseCookieHeader(socket.request.headers.cookie), opts.secureCookies);
      const { actor, status, expires } = await opts.auth.resolveToken(token);
      if (status === "invalid" || status === "expired") {
        const err = new Error(status === "expired" ? "Your sign-in has expired. Sign in again." : "Your sign-in is not valid. Sign in again.") as Error & {
          data?: unknown;
        };
        err.data = { code: "unauthenticated", reason: status };
        return next(err);
      }
      socket.data.actor = actor;
      socket.data.signInExpires = expires?.getTime();
      next();
    } catch (err) {
      opts.log.error("socket authentication failed", { err });
      // Not the person's fault (the database was busy or briefly away): a code the page's socket
      // retries on by itself (lib/client/socket.ts), unlike `unauthenticated`.
      const refusal = new Error("The server could not check your sign-in. Trying again in a few seconds.") as Error & { data?: unknown };
      refusal.data = { code: "unavailable", retryAfterMs: 2000 };
      next(refusal);
    }
  });

  io.on("connection", (socket) => {
    metrics().socketEvents.inc({ event: "connect" });
    socket.once("disconnect", () => metrics().socketEvents.inc({ event: "disconnect" }));
    socket.data.connectedAt = Date.now();
    socket.data.screens = new Set();
    const joins = [rooms.agenda(), instanceRoom(io)];
    const actor = socket.data.actor;
    if (actor) joins.push(rooms.user(actor.userId), rooms.signIn(actor.authSessionHash));
    void socket.join(joins);
  });
  return io;
}

/** Closes the sockets of sign-ins that expired while connected; runs every few seconds. */
export function disconnectExpired(io: PlenaryIo, now = Date.now()): void {
  for (const socket of io.sockets.sockets.values()) {
    if (socket.data.signInExpires && socket.data.signInExpires <= now) {
      socket.emit("viewer:changed", { reason: "expired" });
      socket.disconnect(true);
    }
  }
}

/** This instance's sockets by view and session, read at scrape time from their rooms. */
export function socketCounts(io: PlenaryIo): Map<string, [{ view: string; session: string }, number]> {
  const counts = new Map<string, [{ view: string; session: string }, number]>();
  const add = (view: string, session: string) => {
    const key = `${view}|${session}`;
    const entry = counts.get(key);
    if (entry) entry[1]++;
    else counts.set(key, [{ view, session }, 1]);
  };
  for (const socket of io.of("/").sockets.values()) {
    let sessions = 0;
    for (const room of socket.rooms) {
      const m = /^session:([^:]+)$/.exec(room);
      if (!m) continue;
      sessions++;
      const id = m[1];
      const has = (suffix: string) => socket.rooms.has(`session:${id}:${suffix}`);
      add(has("screen") ? "screen" : has("staff") ? "staff" : has("panel") ? "panel" : "audience", id);
    }
    if (sessions === 0) add("agenda", "none");
  }
  return counts;
}

/**
 * Counts broadcasts by event. Patches the namespace's adapter after the Redis adapter (if any) is in
 * place; messages arriving from other instances go through the adapter's own prototype, so each
 * broadcast is counted once, by the instance that sent it.
 */
export function countBroadcasts(io: PlenaryIo): void {
  const adapter = io.of("/").adapter;
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet: { data?: unknown[] }, opts) => {
    const event = packet?.data?.[0];
    // A broadcast to this instance's sockets only is a slice of one counted already (slices.ts).
    if (!opts.flags?.local) metrics().fanout.inc({ event: typeof event === "string" ? event : "unknown" });
    return broadcast(packet, opts);
  };
}
