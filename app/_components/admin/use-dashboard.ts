"use client";
import { useEffect, useState } from "react";
import type { DashboardSnapshot } from "@/lib/admin";
import { request } from "@/lib/client/request";
import { getSocket } from "../realtime";

/** How often the dashboard refreshes without a hint (questions, votes and polls do not send `admin:changed`). */
const REFRESH_MS = 5_000;
/** Hints arriving together (a room filling up) cause one refresh. */
const HINT_DEBOUNCE_MS = 300;

/**
 * The live dashboard's data: the server's snapshot, asked for on (re)connect, after every
 * `admin:changed` hint (attendance moved, on any instance) and every few seconds. The server checks
 * the organizer role on each request.
 */
export function useDashboard(initial: DashboardSnapshot): { snapshot: DashboardSnapshot; connected: boolean; error: string | null } {
  const [snapshot, setSnapshot] = useState(initial);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const socket = getSocket();
    let hint: ReturnType<typeof setTimeout> | undefined;
    let inflight = false;
    let stale = false;
    const refresh = () => {
      if (!socket.connected) return;
      if (inflight) {
        stale = true;
        return;
      }
      inflight = true;
      // `request` always settles (a timeout when the connection dropped before the ack), so a
      // refresh under way at a disconnect cannot hold off every later one.
      void request(socket, "admin:dashboard", {}).then((r) => {
        inflight = false;
        if (r.ok) {
          setSnapshot(r.data);
          setError(null);
        } else setError(r.error.message);
        if (stale) {
          stale = false;
          refresh();
        }
      });
    };
    const onConnect = () => {
      setConnected(true);
      refresh();
    };
    const onDisconnect = () => setConnected(false);
    const onChanged = () => {
      clearTimeout(hint);
      hint = setTimeout(refresh, HINT_DEBOUNCE_MS);
    };
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("admin:changed", onChanged);
    if (socket.connected) onConnect();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(hint);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("admin:changed", onChanged);
    };
  }, []);

  return { snapshot, connected, error };
}
