"use client";
import { useEffect, useState } from "react";

/**
 * "Now" as the server sees it (the server may run a simulated clock, PLENARY_NOW). The page passes the
 * server's instant at render; the browser keeps the same offset and ticks.
 */
export function useServerClock(serverNowIso: string, tickMs = 15_000): Date {
  const [offset] = useState(() => Date.parse(serverNowIso) - Date.now());
  const [now, setNow] = useState(() => new Date(serverNowIso));
  useEffect(() => {
    const tick = () => setNow(new Date(Date.now() + offset));
    tick();
    const id = setInterval(tick, tickMs);
    return () => clearInterval(id);
  }, [offset, tickMs]);
  return now;
}
