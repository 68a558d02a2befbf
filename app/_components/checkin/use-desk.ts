"use client";
import { useCallback, useEffect, useState } from "react";
import type { CheckInPayload, CheckInResult, DeskCounts, WalkInPayload } from "@/lib/checkin";
import type { AckResult } from "@/lib/realtime/contract";
import { getSocket } from "../realtime";

/**
 * The desk's connection: counts on (re)connect and from `checkin:changed` (a check-in at any desk, on any
 * instance), and the check-in commands. The server checks the role on every command.
 */
export function useDesk(initial: DeskCounts) {
  const [counts, setCounts] = useState(initial);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const socket = getSocket();
    const onConnect = () => {
      setConnected(true);
      socket.emit("checkin:desk", {}, (r) => {
        if (r.ok) setCounts(r.data);
      });
    };
    const onDisconnect = () => setConnected(false);
    const onChanged = ({ counts }: { counts: DeskCounts }) => setCounts(counts);
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("checkin:changed", onChanged);
    if (socket.connected) onConnect();
    return () => {
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("checkin:changed", onChanged);
    };
  }, []);

  const settle = useCallback((r: AckResult<CheckInResult>) => {
    if (r.ok) setCounts(r.data.counts);
    return r;
  }, []);
  const checkIn = useCallback(
    (payload: CheckInPayload) => new Promise<AckResult<CheckInResult>>((resolve) => getSocket().emit("checkin:check-in", payload, (r) => resolve(settle(r)))),
    [settle],
  );
  const walkIn = useCallback(
    (payload: WalkInPayload) => new Promise<AckResult<CheckInResult>>((resolve) => getSocket().emit("checkin:walk-in", payload, (r) => resolve(settle(r)))),
    [settle],
  );
  return { counts, connected, checkIn, walkIn };
}
