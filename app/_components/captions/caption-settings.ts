"use client";
import { useCallback, useSyncExternalStore } from "react";
import { DEFAULT_CAPTION_LANG } from "@/lib/captions";

/** A viewer's caption choices, kept in this browser (localStorage) and shared by every caption view. */
export interface CaptionSettings {
  lang: string;
  /** The page's live region reads new captions out (polite). */
  announce: boolean;
  size: "small" | "medium" | "large";
  position: "bottom" | "top";
  /** The room screen shows its captions band. */
  screen: boolean;
}

const KEY = "plenary.captions";
const DEFAULTS: CaptionSettings = { lang: DEFAULT_CAPTION_LANG, announce: true, size: "medium", position: "bottom", screen: true };
const listeners = new Set<() => void>();
let cached: CaptionSettings | null = null;

function read(): CaptionSettings {
  if (cached) return cached;
  try {
    const raw = JSON.parse(window.localStorage.getItem(KEY) ?? "{}") as Partial<CaptionSettings>;
    cached = {
      lang: typeof raw.lang === "string" && raw.lang.length <= 35 ? raw.lang : DEFAULTS.lang,
      announce: typeof raw.announce === "boolean" ? raw.announce : DEFAULTS.announce,
      size: raw.size === "small" || raw.size === "large" ? raw.size : "medium",
      position: raw.position === "top" ? "top" : "bottom",
      screen: typeof raw.screen === "boolean" ? raw.screen : DEFAULTS.screen,
    };
  } catch {
    cached = DEFAULTS;
  }
  return cached;
}

export function useCaptionSettings(): [CaptionSettings, (change: Partial<CaptionSettings>) => void] {
  const settings = useSyncExternalStore(
    (notify) => {
      listeners.add(notify);
      return () => listeners.delete(notify);
    },
    read,
    () => DEFAULTS,
  );
  const update = useCallback((change: Partial<CaptionSettings>) => {
    cached = { ...read(), ...change };
    try {
      window.localStorage.setItem(KEY, JSON.stringify(cached));
    } catch {
      // Private mode or full storage: the choice lasts for this page.
    }
    for (const l of listeners) l();
  }, []);
  return [settings, update];
}
