"use client";
import { useCallback, useEffect, useState } from "react";
import type { HandQueue, MyHand, StreamSnapshot } from "@/lib/streaming";
import { listen } from "@/lib/client/request";
import { applyCaption, applyLoaded, applySnapshot, initialStreamState, loadStream, type LiveStreamState } from "@/lib/client/stream";
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

  useEffect(() => {
    const socket = getSocket();
    let alive = true;
    const sync = async () => {
      const loaded = await loadStream(socket, slug);
      if (loaded && alive) setState((s) => applyLoaded(s, loaded));
    };
    const stop = listen(socket, {
      "stream:changed": (snapshot) => snapshot.slug === slug && setState((s) => applySnapshot(s, snapshot)),
      "hand:changed": (hand) => hand.slug === slug && setState((s) => ({ ...s, hand })),
      "hand:queue-changed": (queue) => queue.slug === slug && setState((s) => ({ ...s, queue })),
      "stream:attendance": (attendance) => attendance.slug === slug && setState((s) => ({ ...s, attendance })),
      "caption:added": (line) => line.slug === slug && setState((s) => applyCaption(s, line)),
      connect: () => void sync(),
      disconnect: () => setState((s) => ({ ...s, synced: false })),
    });
    if (socket.connected) void sync();
    return () => {
      alive = false;
      stop();
    };
  }, [slug]);

  const setHand = useCallback((hand: MyHand) => setState((s) => ({ ...s, hand })), []);
  const setQueue = useCallback((queue: HandQueue) => setState((s) => ({ ...s, queue })), []);
  const setStream = useCallback((stream: StreamSnapshot) => setState((s) => applySnapshot(s, stream)), []);
  return { ...state, setHand, setQueue, setStream };
}
