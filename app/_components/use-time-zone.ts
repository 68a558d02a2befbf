"use client";
import { useCallback, useEffect, useState } from "react";

export type ZoneChoice = "event" | "local";
const KEY = "plenary.timeZone";
const EVENT_NAME = "plenary:timezone";

/** Which zone times are shown in, remembered per browser and shared by every island on the page. */
export function useTimeZoneChoice(eventZone: string): { choice: ZoneChoice; zone: string; viewerZone: string | null; setChoice: (c: ZoneChoice) => void } {
  const [choice, setChoiceState] = useState<ZoneChoice>("event");
  const [viewerZone, setViewerZone] = useState<string | null>(null);

  useEffect(() => {
    setViewerZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
    const read = () => setChoiceState(localStorage.getItem(KEY) === "local" ? "local" : "event");
    read();
    window.addEventListener(EVENT_NAME, read);
    window.addEventListener("storage", read);
    return () => {
      window.removeEventListener(EVENT_NAME, read);
      window.removeEventListener("storage", read);
    };
  }, []);

  const setChoice = useCallback((c: ZoneChoice) => {
    localStorage.setItem(KEY, c);
    setChoiceState(c);
    window.dispatchEvent(new Event(EVENT_NAME));
  }, []);

  return { choice, zone: choice === "local" && viewerZone ? viewerZone : eventZone, viewerZone, setChoice };
}
