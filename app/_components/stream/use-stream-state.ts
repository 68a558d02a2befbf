"use client";
import { useCallback, useEffect, useState } from "react";
import type { CaptionLine, HandQueue, MyHand, StreamAttendance, StreamSnapshot } from "@/lib/streaming";
import { getSocket } from "../realtime";

export interface LiveStreamState {
  stream: StreamSnapshot;
  hand: MyHand;
  captions: CaptionLine[];
  attendance: StreamAttendance | null;
  queue: HandQueue | null;
  /** The socket is connected and the state was (re)loaded from the server. */
  synced: boolean;
}

const MAX_CAPTIONS = 50;

/**
 * The stream of one session kept current over the tab's socket: joins the session, loads the state,
 * applies facts (newer versions only) and loads the state again after every reconnect, since facts
 * sent meanwhile are not replayed.
 */
export type StreamStateHook = LiveStreamState & { setHand(h: MyHand): void; setQueue(q: HandQueue): void; setStream(s: StreamSnapshot): void };

export function useStreamState(initial: StreamSnapshot): StreamStateHook {
  const [state, setState] = useState<LiveStreamState>({
    stream: initial,
    hand: { slug: initial.slug, status: "none", camera: false },
    captions: [],
    attendance: null,
    queue: null,
    synced: false,
  });
  const slug = initial.slug;

  useEffect(() => {
    const socket = getSocket();
    let alive = true;
    const sync = async () => {
      const joined = await socket.emitWithAck("session:join", { slug });
      if (!joined.ok || !alive) return;
      const res = await socket.emitWithAck("stream:state", { slug });
      if (!res.ok || !alive) return;
      setState((s) => ({
        ...s,
        stream: res.data.stream.version >= s.stream.version ? res.data.stream : s.stream,
        hand: res.data.hand,
        attendance: res.data.attendance ?? s.attendance,
        queue: res.data.queue ?? s.queue,
        synced: true,
      }));
    };
    const onStream = (snapshot: StreamSnapshot) => {
      if (snapshot.slug !== slug) return;
      setState((s) => (snapshot.version >= s.stream.version ? { ...s, stream: snapshot } : s));
    };
    const onHand = (hand: MyHand) => hand.slug === slug && setState((s) => ({ ...s, hand }));
    const onQueue = (queue: HandQueue) => queue.slug === slug && setState((s) => ({ ...s, queue }));
    const onAttendance = (attendance: StreamAttendance) => attendance.slug === slug && setState((s) => ({ ...s, attendance }));
    const onCaption = (line: CaptionLine) => {
      if (line.slug !== slug) return;
      setState((s) => {
        // An interim line is replaced by the next one; final lines stay.
        const kept = s.captions.filter((c) => c.final);
        return { ...s, captions: [...kept, line].slice(-MAX_CAPTIONS) };
      });
    };
    const onDisconnect = () => setState((s) => ({ ...s, synced: false }));
    socket.on("stream:changed", onStream);
    socket.on("hand:changed", onHand);
    socket.on("hand:queue-changed", onQueue);
    socket.on("stream:attendance", onAttendance);
    socket.on("caption:added", onCaption);
    socket.on("connect", sync);
    socket.on("disconnect", onDisconnect);
    if (socket.connected) void sync();
    return () => {
      alive = false;
      socket.off("stream:changed", onStream);
      socket.off("hand:changed", onHand);
      socket.off("hand:queue-changed", onQueue);
      socket.off("stream:attendance", onAttendance);
      socket.off("caption:added", onCaption);
      socket.off("connect", sync);
      socket.off("disconnect", onDisconnect);
    };
  }, [slug]);

  const setHand = useCallback((hand: MyHand) => setState((s) => ({ ...s, hand })), []);
  const setQueue = useCallback((queue: HandQueue) => setState((s) => ({ ...s, queue })), []);
  const setStream = useCallback((stream: StreamSnapshot) => setState((s) => (stream.version >= s.stream.version ? { ...s, stream } : s)), []);
  return { ...state, setHand, setQueue, setStream };
}
