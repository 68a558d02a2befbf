"use client";
/**
 * The backstage's LiveKit room: one Room for the page's life, joined and left on demand. Joining
 * backstage is not yet being live; viewers are let in only when a moderator starts the stream.
 */
import { useEffect, useState } from "react";
import { Room, RoomEvent, type LocalAudioTrack, type LocalVideoTrack } from "livekit-client";
import { requestStreamToken } from "./stream-api";

export type Connection = "out" | "joining" | "in";

// The room's participant list is read straight from the Room while rendering: any of these re-renders.
const CHANGES = [
  RoomEvent.ParticipantConnected,
  RoomEvent.ParticipantDisconnected,
  RoomEvent.TrackPublished,
  RoomEvent.TrackUnpublished,
  RoomEvent.TrackSubscribed,
  RoomEvent.TrackUnsubscribed,
  RoomEvent.TrackMuted,
  RoomEvent.TrackUnmuted,
  RoomEvent.LocalTrackPublished,
  RoomEvent.LocalTrackUnpublished,
  RoomEvent.ActiveSpeakersChanged,
] as const;

export function useBackstageRoom(slug: string) {
  const [room] = useState(() => new Room({ adaptiveStream: true, dynacast: true }));
  const [connection, setConnection] = useState<Connection>("out");
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const rerender = () => setTick((t) => t + 1);
    for (const e of CHANGES) room.on(e, rerender);
    room.on(RoomEvent.Disconnected, () => setConnection("out"));
    return () => {
      room.removeAllListeners();
      void room.disconnect();
    };
  }, [room]);

  /** `monitor`: a moderator watching the room without camera or microphone. */
  const join = async (monitor: boolean, tracks: Array<LocalVideoTrack | LocalAudioTrack>) => {
    setError(null);
    setConnection("joining");
    try {
      const token = await requestStreamToken(slug, { monitor });
      await room.connect(token.url, token.token, { autoSubscribe: true });
      for (const t of tracks) await room.localParticipant.publishTrack(t);
      setConnection("in");
    } catch (err) {
      setConnection("out");
      setError((err as Error).message);
      void room.disconnect();
    }
  };
  const leave = async () => {
    // Keep the camera and microphone open: the preview stays and joining again reuses them.
    await room.disconnect(false);
    setConnection("out");
  };

  return { room, connection, error, join, leave };
}
