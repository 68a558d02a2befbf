"use client";
/**
 * The panelist's own camera and microphone before and while on stage: opening them, choosing
 * devices, muting. One reducer, since the tracks, the device lists and the choices change together.
 */
import { useEffect, useReducer } from "react";
import { createLocalAudioTrack, createLocalVideoTrack, Room, TrackEvent, type LocalAudioTrack, type LocalVideoTrack } from "livekit-client";
import type { Connection } from "./use-backstage-room";

export interface LocalMedia {
  video: LocalVideoTrack | null;
  audio: LocalAudioTrack | null;
  cameras: MediaDeviceInfo[];
  mics: MediaDeviceInfo[];
  cameraId: string;
  micId: string;
  micOn: boolean;
  cameraOn: boolean;
  problem: string | null;
}

type Action =
  | { type: "opened"; video: LocalVideoTrack; audio: LocalAudioTrack }
  | { type: "devices"; cameras: MediaDeviceInfo[]; mics: MediaDeviceInfo[]; cameraId: string; micId: string }
  | { type: "chosen"; kind: "camera" | "mic"; deviceId: string }
  | { type: "mic" | "camera"; on: boolean }
  | { type: "lost" }
  | { type: "problem"; problem: string | null };

const initial: LocalMedia = { video: null, audio: null, cameras: [], mics: [], cameraId: "", micId: "", micOn: true, cameraOn: true, problem: null };

function reduce(s: LocalMedia, a: Action): LocalMedia {
  switch (a.type) {
    case "opened":
      return { ...s, video: a.video, audio: a.audio };
    case "devices":
      return { ...s, cameras: a.cameras, mics: a.mics, cameraId: a.cameraId, micId: a.micId };
    case "chosen":
      return a.kind === "camera" ? { ...s, cameraId: a.deviceId } : { ...s, micId: a.deviceId };
    case "mic":
      return { ...s, micOn: a.on };
    case "camera":
      return { ...s, cameraOn: a.on };
    case "lost":
      return { ...s, video: null, audio: null };
    case "problem":
      return { ...s, problem: a.problem };
  }
}

export function useLocalMedia(connection: Connection) {
  const [media, dispatch] = useReducer(reduce, initial);
  const { video, audio } = media;

  // Disconnected by LiveKit (e.g. it stopped): the tracks may have been stopped with it; preview again.
  useEffect(() => {
    if (connection !== "out") return;
    if (video?.mediaStreamTrack.readyState === "ended" || audio?.mediaStreamTrack.readyState === "ended") dispatch({ type: "lost" });
  }, [connection, video, audio]);

  // A moderator may mute this microphone from their side.
  useEffect(() => {
    if (!audio) return;
    const off = () => dispatch({ type: "mic", on: false });
    const on = () => dispatch({ type: "mic", on: true });
    audio.on(TrackEvent.Muted, off);
    audio.on(TrackEvent.Unmuted, on);
    return () => {
      audio.off(TrackEvent.Muted, off);
      audio.off(TrackEvent.Unmuted, on);
    };
  }, [audio]);
  useEffect(
    () => () => {
      video?.stop();
      audio?.stop();
    },
    [video, audio],
  );

  const report = (problem: string | null) => dispatch({ type: "problem", problem });

  const start = async () => {
    report(null);
    try {
      const [v, a] = await Promise.all([createLocalVideoTrack({ resolution: { width: 1280, height: 720 } }), createLocalAudioTrack()]);
      dispatch({ type: "opened", video: v, audio: a });
      const [cameras, mics] = await Promise.all([Room.getLocalDevices("videoinput"), Room.getLocalDevices("audioinput")]);
      const cameraId = (await v.getDeviceId()) ?? cameras[0]?.deviceId ?? "";
      const micId = (await a.getDeviceId()) ?? mics[0]?.deviceId ?? "";
      dispatch({ type: "devices", cameras, mics, cameraId, micId });
    } catch (err) {
      report(`Your camera or microphone could not be opened: ${(err as Error).message}. Check the browser's permission for this site.`);
    }
  };

  // The device must be required ("exact"): a bare deviceId is only preferred, and Chromium then
  // keeps the camera it has. The choice shown is the device the track really uses afterwards.
  const choose = async (kind: "camera" | "mic", deviceId: string) => {
    const track = kind === "camera" ? video : audio;
    if (!track) return;
    report(null);
    dispatch({ type: "chosen", kind, deviceId });
    try {
      await track.restartTrack({ deviceId: { exact: deviceId } });
    } catch (err) {
      report(`That ${kind === "camera" ? "camera" : "microphone"} could not be opened: ${(err as Error).message}`);
    }
    dispatch({ type: "chosen", kind, deviceId: (await track.getDeviceId()) ?? deviceId });
  };
  const toggleMic = async () => {
    if (!audio) return;
    if (media.micOn) await audio.mute();
    else await audio.unmute();
    dispatch({ type: "mic", on: !media.micOn });
  };
  const toggleCamera = async () => {
    if (!video) return;
    if (media.cameraOn) await video.mute();
    else await video.unmute();
    dispatch({ type: "camera", on: !media.cameraOn });
  };

  return { media, start, choose, toggleMic, toggleCamera, report };
}
