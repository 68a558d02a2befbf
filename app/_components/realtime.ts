"use client";
import { io } from "socket.io-client";
import { keepConnected, type PlenarySocket } from "@/lib/client/socket";

export type { PlenarySocket } from "@/lib/client/socket";

let socket: PlenarySocket | undefined;

/**
 * One socket per tab, shared by every island on the page. The server authenticates each handshake
 * from the sign-in cookie; when it closes the socket (sign-out, changed roles) or refuses a stale
 * cookie, the socket reconnects as whoever the browser now is (see `keepConnected`).
 */
export function getSocket(): PlenarySocket {
  if (!socket) {
    const s: PlenarySocket = io({ path: "/socket.io", withCredentials: true });
    socket = s;
    keepConnected(s);
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
