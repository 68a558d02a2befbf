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
  if (socket) return socket;
  const s: PlenarySocket = io({ path: "/socket.io", withCredentials: true });
  s.on("disconnect", (reason) => {
    if (reason === "io server disconnect") setTimeout(() => s.connect(), 500);
  });
  s.on("connect_error", (err) => {
    const data = (err as Error & { data?: { code?: string } }).data;
    if (data?.code === "unauthenticated") {
      // Asking next-auth for the session clears a cookie that no longer signs anyone in.
      void fetch("/api/auth/session", { cache: "no-store" }).finally(() => setTimeout(() => s.connect(), 1000));
    }
  });
  socket = s;
  return s;
}
