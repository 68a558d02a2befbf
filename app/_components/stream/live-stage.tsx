"use client";
/**
 * The stage a remote viewer watches: the only module of the viewer page that imports livekit-client,
 * loaded with next/dynamic once the person presses Watch (stream-section.tsx), so pages without a
 * stream never download it.
 */
import { CaptionOverlay } from "../captions/caption-overlay";
import { useEffect, useRef, useState } from "react";
import { DisconnectReason, Room, RoomEvent, Track, type RemoteTrack } from "livekit-client";
import type { MyHand, StreamToken } from "@/lib/streaming";
import styles from "./stream.module.css";
import { ErrorAlert } from "../error-alert";

export type StageState = "connecting" | "live" | "reconnecting" | "disconnected";

interface Props {
  token: StreamToken;
  hand: MyHand;
  onState(state: StageState, message?: string): void;
}

/** LiveKit's TrackSource numbers in participant permissions. */
const SOURCE_CAMERA = 1;
const SOURCE_MICROPHONE = 2;

interface Tile {
  identity: string;
  name: string;
  camera?: RemoteTrack;
  screen?: RemoteTrack;
  audio: RemoteTrack[];
  micMuted: boolean;
  speaking: boolean;
}

function tilesOf(room: Room): Tile[] {
  const speaking = new Set(room.activeSpeakers.map((p) => p.identity));
  const tiles: Tile[] = [];
  for (const p of room.remoteParticipants.values()) {
    const pubs = [...p.trackPublications.values()];
    const track = (source: Track.Source) => pubs.find((t) => t.source === source && t.track && !t.isMuted)?.track;
    const audio = pubs.filter((t) => t.kind === Track.Kind.Audio && t.track).map((t) => t.track as RemoteTrack);
    if (pubs.length === 0) continue; // hidden viewers never appear; a publisher with nothing on air yet waits off stage
    tiles.push({
      identity: p.identity,
      name: p.name || "Speaker",
      camera: track(Track.Source.Camera),
      screen: track(Track.Source.ScreenShare),
      audio,
      micMuted: !pubs.some((t) => t.source === Track.Source.Microphone && !t.isMuted),
      speaking: speaking.has(p.identity),
    });
  }
  return tiles;
}

function VideoView({
  track,
  label,
  main,
  videoRef,
}: {
  track: RemoteTrack;
  label: string;
  main?: boolean;
  videoRef?: React.RefObject<HTMLVideoElement | null>;
}) {
  const own = useRef<HTMLVideoElement>(null);
  const ref = videoRef ?? own;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    track.attach(el);
    // Watch → first frame, for the benchmark (bench/stream-first-frame.ts reads these marks).
    const onFrame = () => {
      if (performance.getEntriesByName("plenary:stream-first-frame").length === 0) performance.mark("plenary:stream-first-frame");
    };
    el.addEventListener("playing", onFrame, { once: true });
    return () => {
      el.removeEventListener("playing", onFrame);
      track.detach(el);
    };
  }, [track, ref]);
  return <video ref={ref} className={main ? styles.mainVideo : styles.video} autoPlay playsInline muted aria-label={label} data-identity-name={label} />;
}

function AudioView({ track, name, volume, muted }: { track: RemoteTrack; name: string; volume: number; muted: boolean }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    track.attach(el);
    return () => {
      track.detach(el);
    };
  }, [track]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.volume = volume;
    el.muted = muted;
  }, [volume, muted]);
  return <audio ref={ref} autoPlay data-speaker={name} />;
}

export default function LiveStage({ token, hand, onState }: Props) {
  const [room] = useState(() => new Room({ adaptiveStream: true, dynacast: true }));
  const [, setTick] = useState(0);
  const [speakerError, setSpeakerError] = useState<string | null>(null);
  const onStateRef = useRef(onState);
  onStateRef.current = onState;

  useEffect(() => {
    const rerender = () => setTick((t) => t + 1);
    const events = [
      RoomEvent.TrackSubscribed,
      RoomEvent.TrackUnsubscribed,
      RoomEvent.TrackMuted,
      RoomEvent.TrackUnmuted,
      RoomEvent.TrackPublished,
      RoomEvent.TrackUnpublished,
      RoomEvent.ParticipantConnected,
      RoomEvent.ParticipantDisconnected,
      RoomEvent.ParticipantNameChanged,
      RoomEvent.ActiveSpeakersChanged,
      RoomEvent.ParticipantPermissionsChanged,
      RoomEvent.LocalTrackPublished,
      RoomEvent.LocalTrackUnpublished,
    ] as const;
    for (const e of events) room.on(e, rerender);
    // A dropped signalling connection (SignalReconnecting) or media path (Reconnecting): both are "reconnecting".
    room.on(RoomEvent.Reconnecting, () => onStateRef.current("reconnecting"));
    room.on(RoomEvent.SignalReconnecting, () => onStateRef.current("reconnecting"));
    room.on(RoomEvent.Reconnected, () => onStateRef.current("live"));
    room.on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
      const message =
        reason === DisconnectReason.PARTICIPANT_REMOVED
          ? "The stream has ended."
          : reason === DisconnectReason.DUPLICATE_IDENTITY
            ? "You opened this stream in another tab."
            : reason === DisconnectReason.CLIENT_INITIATED
              ? undefined
              : "The connection to the stream was lost.";
      onStateRef.current("disconnected", message);
    });
    let cancelled = false;
    room
      .connect(token.url, token.token, { autoSubscribe: true })
      .then(() => {
        if (cancelled) return;
        onStateRef.current("live");
        rerender();
        // The Watch click was the user gesture that allows sound.
        void room.startAudio().catch(() => {});
      })
      .catch((err: unknown) => {
        if (!cancelled) onStateRef.current("disconnected", `Could not connect to the stream: ${err instanceof Error ? err.message : String(err)}`);
      });
    return () => {
      cancelled = true;
      room.removeAllListeners();
      void room.disconnect();
    };
  }, [room, token]);

  // Demoted: stop sending at once (LiveKit also removes the tracks when the permission goes).
  useEffect(() => {
    const local = room.localParticipant;
    if (hand.status === "promoted") return;
    if (local.isMicrophoneEnabled) void local.setMicrophoneEnabled(false).catch(() => {});
    if (local.isCameraEnabled) void local.setCameraEnabled(false).catch(() => {});
  }, [hand.status, room]);

  const player = usePlayer();
  const tiles = tilesOf(room);
  const main = tiles.find((t) => t.screen) ?? tiles.find((t) => t.speaking && t.camera) ?? tiles.find((t) => t.camera);
  const speakingNow = tiles.filter((t) => t.speaking).map((t) => t.name);
  const local = room.localParticipant;
  const sources = local.permissions?.canPublish ? (local.permissions.canPublishSources ?? []) : [];
  const mayMic = hand.status === "promoted" && sources.includes(SOURCE_MICROPHONE);
  const mayCamera = hand.status === "promoted" && sources.includes(SOURCE_CAMERA);

  const toggle = async (what: "mic" | "camera") => {
    setSpeakerError(null);
    try {
      if (what === "mic") await local.setMicrophoneEnabled(!local.isMicrophoneEnabled);
      else await local.setCameraEnabled(!local.isCameraEnabled);
    } catch (err) {
      setSpeakerError(`Your ${what === "mic" ? "microphone" : "camera"} could not be turned on: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (
    <div className={styles.stage}>
      <div className={styles.main} ref={player.frame} data-testid="player">
        {main ? (
          <VideoView
            track={(main.screen ?? main.camera)!}
            label={main.screen ? `Screen shared by ${main.name}` : `${main.name} (camera)`}
            main
            videoRef={player.video}
          />
        ) : (
          <p className={styles.placeholder}>{tiles.length ? "The panelists' cameras are off." : "Waiting for the panelists to come on stage."}</p>
        )}
        <div data-testid="video-captions-slot">
          <CaptionOverlay slug={hand.slug} />
        </div>
      </div>
      <PlayerControls player={player} hasVideo={Boolean(main)} />
      <p className={styles.speaking} data-testid="speaking-now">
        {speakingNow.length ? `Speaking: ${speakingNow.join(", ")}` : " "}
      </p>
      {tiles.length ? (
        <ul className={styles.tiles} aria-label="On stage">
          {tiles.map((t) => (
            <li key={t.identity} className={t.speaking ? `${styles.tile} ${styles.tileSpeaking}` : styles.tile}>
              {t.camera && t !== main ? <VideoView track={t.camera} label={`${t.name} (camera)`} /> : null}
              <span className={styles.tileName}>
                {t.name}
                {t.speaking ? " (speaking)" : ""}
                {t.micMuted ? " — microphone off" : ""}
              </span>
              {t.audio.map((a) => (
                <AudioView key={a.sid} track={a} name={t.name} volume={player.volume} muted={player.muted} />
              ))}
            </li>
          ))}
        </ul>
      ) : null}
      {mayMic ? (
        <div className={styles.speakerControls} role="group" aria-label="Your microphone">
          <p>A moderator gave you the floor. Turn on your microphone when you are ready.</p>
          <button type="button" onClick={() => void toggle("mic")} aria-pressed={local.isMicrophoneEnabled}>
            {local.isMicrophoneEnabled ? "Turn off my microphone" : "Turn on my microphone"}
          </button>{" "}
          {mayCamera ? (
            <button type="button" className="secondary" onClick={() => void toggle("camera")} aria-pressed={local.isCameraEnabled}>
              {local.isCameraEnabled ? "Turn off my camera" : "Turn on my camera"}
            </button>
          ) : null}
          <ErrorAlert message={speakerError} />
        </div>
      ) : null}
    </div>
  );
}

/** The player's own state: volume and mute (applied to every speaker's audio), full screen and picture-in-picture. */
function usePlayer() {
  const frame = useRef<HTMLDivElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const [volume, setVolume] = useState(1);
  const [muted, setMuted] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [pip, setPip] = useState(false);
  useEffect(() => {
    const onFs = () => setFullscreen(document.fullscreenElement === frame.current && frame.current !== null);
    const onPipEnter = () => setPip(true);
    const onPipLeave = () => setPip(false);
    document.addEventListener("fullscreenchange", onFs);
    document.addEventListener("enterpictureinpicture", onPipEnter, true);
    document.addEventListener("leavepictureinpicture", onPipLeave, true);
    return () => {
      document.removeEventListener("fullscreenchange", onFs);
      document.removeEventListener("enterpictureinpicture", onPipEnter, true);
      document.removeEventListener("leavepictureinpicture", onPipLeave, true);
    };
  }, []);
  const toggleFullscreen = async () => {
    // The frame, not the video, goes full screen, so the captions laid over it come along.
    if (document.fullscreenElement) await document.exitFullscreen();
    else await frame.current?.requestFullscreen();
  };
  const togglePip = async () => {
    if (document.pictureInPictureElement) await document.exitPictureInPicture();
    else await video.current?.requestPictureInPicture();
  };
  return { frame, video, volume, setVolume, muted, setMuted, fullscreen, toggleFullscreen, pip, togglePip };
}

function PlayerControls({ player, hasVideo }: { player: ReturnType<typeof usePlayer>; hasVideo: boolean }) {
  const [problem, setProblem] = useState<string | null>(null);
  const run = (what: string, action: () => Promise<void>) => () => {
    setProblem(null);
    action().catch(() => setProblem(`${what} is not available in this browser.`));
  };
  const pipSupported = typeof document !== "undefined" && "pictureInPictureEnabled" in document && document.pictureInPictureEnabled;
  return (
    <div className={styles.controls} role="group" aria-label="Player controls">
      <button type="button" className="secondary" aria-pressed={player.muted} onClick={() => player.setMuted(!player.muted)}>
        {player.muted ? "Unmute" : "Mute"}
      </button>
      <label className={styles.volume}>
        Volume
        <input
          type="range"
          min={0}
          max={100}
          step={5}
          value={Math.round(player.volume * 100)}
          aria-valuetext={`${Math.round(player.volume * 100)}%`}
          onChange={(e) => {
            player.setVolume(Number(e.target.value) / 100);
            if (player.muted) player.setMuted(false);
          }}
        />
      </label>
      <span className={styles.controlsEnd}>
        {pipSupported ? (
          <button type="button" className="secondary" aria-pressed={player.pip} disabled={!hasVideo} onClick={run("Picture-in-picture", player.togglePip)}>
            Picture in picture
          </button>
        ) : null}
        <button type="button" className="secondary" aria-pressed={player.fullscreen} onClick={run("Full screen", player.toggleFullscreen)}>
          {player.fullscreen ? "Exit full screen" : "Full screen"}
        </button>
      </span>
      <ErrorAlert message={problem} />
    </div>
  );
}
