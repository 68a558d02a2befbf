"use client";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { QaView } from "@/lib/qa";
import { getSocket } from "../realtime";
import { QaClient, initialQaState, localStore, memoryStore, type QaClientState, type QaNotice } from "@/lib/client/qa-client";

// The state before the page's engine exists (server render, first paint): nothing loaded, nothing queued.
const EMPTY: QaClientState = initialQaState(false, []);
const noSubscribe = () => () => {};
const empty = () => EMPTY;

export interface UseQaOptions {
  view?: QaView;
  onNotice?: (n: QaNotice) => void;
  enabled?: boolean;
  /** The person's outbox key from the page: their questions and votes wait in localStorage under it. Without it nothing is kept. */
  owner?: string | null;
  /** The server's "now" when the page was rendered (the clock may be simulated). */
  serverNow?: string;
}

/**
 * One Q&A view of a session, live. The engine starts after hydration (the server renders the empty
 * state), on the tab's one socket; audience work waits in localStorage, per person, until acknowledged.
 */
export function useQa(slug: string, opts: UseQaOptions = {}) {
  const [client, setClient] = useState<QaClient | null>(null);
  const notice = useRef(opts.onNotice);
  notice.current = opts.onNotice;
  const enabled = opts.enabled ?? true;
  const owner = opts.owner ?? undefined;
  const serverNow = opts.serverNow;
  useEffect(() => {
    if (!enabled) return;
    const offset = serverNow ? Date.parse(serverNow) - Date.now() : 0;
    const c = new QaClient(getSocket(), {
      slug,
      view: opts.view,
      owner,
      store: owner ? localStore() : memoryStore(),
      now: () => Date.now() + offset,
      onNotice: (n) => notice.current?.(n),
    });
    c.start();
    setClient(c);
    return () => c.stop();
  }, [slug, opts.view, enabled, owner, serverNow]);
  const state = useSyncExternalStore(client?.subscribe ?? noSubscribe, client?.getState ?? empty, empty);
  return { client, state };
}

/** A polite live region's text: the latest message, re-announced even when it repeats. */
export function useAnnouncer(): [string, (message: string) => void] {
  const [text, setText] = useState("");
  const announce = useCallback((message: string) => {
    // Clearing first makes screen readers read a repeated message again.
    setText("");
    setTimeout(() => setText(message), 50);
  }, []);
  return [text, announce];
}

/** Minutes and seconds left until `endsAt`, by the server's clock. */
export function timeLeft(endsAtIso: string, now: Date): { ms: number; label: string } {
  const ms = Date.parse(endsAtIso) - now.getTime();
  if (ms <= 0) return { ms, label: "Time is up" };
  const minutes = Math.floor(ms / 60_000);
  if (minutes >= 60) return { ms, label: `${Math.floor(minutes / 60)} h ${minutes % 60} min left` };
  if (minutes >= 1) return { ms, label: `${minutes} min left` };
  return { ms, label: "Less than a minute left" };
}
