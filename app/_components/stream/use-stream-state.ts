"use client";
import { useCallback, useEffect, useState } from "react";
import type { HandQueue, MyHand, StreamSnapshot } from "@/lib/streaming";
import { applySnapshot, followStream, initialStreamState, type LiveStreamState } from "@/lib/client/stream";
import { getSocket } from "../realtime";

export type { LiveStreamState } from "@/lib/client/stream";

/**
 * The stream of one session kept current over the tab's socket: joins the session, loads the state,
 * applies facts (newer versions only) and loads the state again after every reconnect, since facts
 * sent meanwhile are not replayed.
 */
export type StreamStateHook = LiveStreamState & { setHand(h: MyHand): void; setQueue(q: HandQueue): void; setStream(s: StreamSnapshot): void };

export function useStreamState(initial: StreamSnapshot): StreamStateHook {
  const [state, setState] = useState<LiveStreamState>(() => initialStreamState(initial));
  const slug = initial.slug;

  useEffect(() => followStream(getSocket(), slug, setState), [slug]);

  const setHand = useCallback((hand: MyHand) => setState((s) => ({ ...s, hand })), []);
  const setQueue = useCallback((queue: HandQueue) => setState((s) => ({ ...s, queue })), []);
  const setStream = useCallback((stream: StreamSnapshot) => setState((s) => applySnapshot(s, stream)), []);
  return { ...state, setHand, setQueue, setStream };
}
