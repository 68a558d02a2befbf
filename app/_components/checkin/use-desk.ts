"use client";
import { useCallback, useEffect, useState } from "react";
import type { CheckInPayload, CheckInResult, DeskCounts, WalkInPayload } from "@/lib/checkin";
import type { AckResult } from "@/lib/realtime/contract";
import { TIMEOUT, request } from "@/lib/client/request";
import { getSocket } from "../realtime";

/**
 * The desk's connection: counts on (re)connect and from `checkin:changed` (a check-in at any desk, on any
 * instance), and the check-in commands. The server checks the role on every command.
 */
export function useDesk(initial: DeskCounts) {
  const [counts, setCounts] = useState(initial);
  const [connected, setConnected] = useState(false);
  /** Who was checked in while this desk was open (here or at another desk): user id → when. */
  const [checkedIn, setCheckedIn] = useState<Record<string, string>>({});
  const note = useCallback((userId: string, at: string) => setCheckedIn((m) => (m[userId] ? m : { ...m, [userId]: at })), []);

  useEffect(() => {
    const socket = getSocket();
    const onConnect = () => {
      setConnected(true);
      void request(socket, "checkin:desk", {}).then((r) => {
        if (r.ok) setCounts(r.data);
      });
    };
    const onDisconnect = () => setConnected(false);
    const onChanged = ({ counts, checkedIn: who }: { counts: DeskCounts; checkedIn: { userId: string; checkedInAt: string } }) => {
      setCounts(counts);
      note(who.userId, who.checkedInAt);
    };
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("checkin:changed", onChanged);
    if (socket.connected) onConnect();
    return () => {
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("checkin:changed", onChanged);
    };
  }, [note]);

  const settle = useCallback(
    (r: AckResult<CheckInResult>): AckResult<CheckInResult> => {
      if (!r.ok && r.error.code === TIMEOUT) {
        const message =
          "Not confirmed: the server did not answer. When the desk is live again (under the counts), do it again: checking someone in twice is harmless.";
        return { ok: false, error: { code: TIMEOUT, message } };
      }
      if (r.ok) {
        setCounts(r.data.counts);
        note(r.data.person.userId, r.data.person.checkedInAt!);
      }
      return r;
    },
    [note],
  );
  const checkIn = useCallback((payload: CheckInPayload) => request(getSocket(), "checkin:check-in", payload).then(settle), [settle]);
  const walkIn = useCallback((payload: WalkInPayload) => request(getSocket(), "checkin:walk-in", payload).then(settle), [settle]);
  return { counts, connected, checkedIn, checkIn, walkIn };
}
