"use client";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/contract";

export type PlenarySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: PlenarySocket | undefined;

/**
 * One socket per tab, shared by every island on the page. The server authenticates each handshake
 * from the sign-in cookie; when it closes the socket (sign-out, changed roles) or refuses a stale
 * cookie, the socket reconnects as whoever the browser now is.
 */
export function getSocket(): PlenarySocket {
  if (!socket) {
    socket = io({ path: "/socket.io", withCredentials: true });
    keepConnected(socket);
    const s = socket;
    s.on("connect_error", (err) => {
      const data = (err as Error & { data?: { code?: string } }).data;
      if (data?.code === "unauthenticated") {
        // Asking next-auth for the session clears a cookie that no longer signs anyone in.
        void fetch("/api/auth/session", { cache: "no-store" }).finally(() => setTimeout(() => s.connect(), 1000));
      }
    });
  }
  return socket;
}

/**
 * socket.io reconnects by itself after a network failure, but not after the server closed the
 * connection (a restart, a sign-out, changed roles): reconnect then too, after a short random delay
 * so a restarted server is not hit by every page at once. When the device says it is offline, close
 * at once instead of waiting for the heartbeat to time out, so work is queued rather than lost in a
 * dead connection; reconnect when it is back online. Exported for the Node tests, which use it too.
 */
export function keepConnected(s: Pick<Socket, "on" | "connect" | "disconnect" | "connected" | "active">, win: Pick<Window, "addEventListener"> | undefined = globalThis.window): void {
  let offline = false;
  s.on("disconnect", (reason) => {
    if (reason === "io server disconnect" && !offline) setTimeout(() => !s.connected && !offline && s.connect(), 500 + Math.random() * 1500);
  });
  win?.addEventListener("offline", () => {
    offline = true;
    s.disconnect();
  });
  win?.addEventListener("online", () => {
    offline = false;
    if (!s.connected) s.connect();
  });
}
