/**
 * The browser's socket, typed by the one contract, and the reconnect policy every page (and the Node
 * tests and benchmarks, which behave like a page) uses. Browser-safe: no React, no `node:` imports.
 */
import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../realtime/contract";

export type PlenarySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * socket.io reconnects by itself after a network failure, but not after the server closed the
 * connection (a restart, a sign-out, changed roles): reconnect then too, after a short random delay
 * so a restarted server is not hit by every page at once. When the device says it is offline, close
 * at once instead of waiting for the heartbeat to time out, so work is queued rather than lost in a
 * dead connection; reconnect when it is back online. The Node tests use it too (without a window).
 */
export function keepConnected(
  s: Pick<Socket, "on" | "connect" | "disconnect" | "connected" | "active">,
  win: Pick<Window, "addEventListener"> | undefined = globalThis.window,
): void {
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
