/**
 * The browser's socket, typed by the one contract, and the reconnect policy every page (and the Node
 * tests and benchmarks, which behave like a page) uses. Browser-safe: no React, no `node:` imports.
 */
import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../realtime/contract";

export type PlenarySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The socket surface `keepConnected` needs (a socket.io client socket is one). */
export type KeptSocket = Pick<Socket, "on" | "connect" | "disconnect" | "connected" | "active">;

/** Delays before asking again after the server refused a handshake: doubling from 1 s up to 16 s, each with jitter. */
export const REFUSED_RETRY = { firstMs: 1000, maxMs: 16_000 } as const;

/**
 * socket.io reconnects by itself after a network failure, but not after the server closed the
 * connection (a restart, a sign-out, changed roles) nor after it refused a handshake in its
 * middleware: reconnect then too, after a random delay so a restarted server (or the survivor of a
 * crash, taking everyone at once) is not hit by every page in the same second. A refusal because the
 * sign-in is gone (`unauthenticated`) is left to the page, which clears the cookie first
 * (app/_components/realtime.ts). When the device says it is offline, close at once instead of
 * waiting for the heartbeat to time out, so work is queued rather than lost in a dead connection;
 * reconnect when it is back online. The Node tests use it too (without a window).
 */
export function keepConnected(s: KeptSocket, win: Pick<Window, "addEventListener"> | undefined = globalThis.window): void {
  let offline = false;
  let refusals = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const later = (ms: number) => {
    if (retry) clearTimeout(retry);
    retry = setTimeout(() => {
      retry = undefined;
      if (!s.connected && !s.active && !offline) s.connect();
    }, ms);
  };
  s.on("connect", () => (refusals = 0));
  s.on("disconnect", (reason) => {
    if (reason === "io server disconnect" && !offline) later(500 + Math.random() * 1500);
  });
  s.on("connect_error", (err: Error & { data?: { code?: string; retryAfterMs?: number } }) => {
    // Still `active`: socket.io retries by itself (the server could not be reached). Not active: the
    // server answered and refused, and socket.io gives up; a refusal that is not about the sign-in
    // (the server is starting, or could not check the sign-in in time) is worth asking again.
    if (s.active || offline || err.data?.code === "unauthenticated") return;
    const backoff = Math.min(REFUSED_RETRY.maxMs, REFUSED_RETRY.firstMs * 2 ** refusals++);
    const hinted = typeof err.data?.retryAfterMs === "number" ? err.data.retryAfterMs : 0;
    later(Math.max(hinted, backoff / 2 + (Math.random() * backoff) / 2));
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
