"use client";
/** A panelist's camera and microphone: preview, choose devices, join backstage, mute, share the screen. */
import { useEffect, useRef, useState } from "react";
import type { LocalAudioTrack, LocalVideoTrack, Room } from "livekit-client";
import type { Connection } from "./use-backstage-room";
import { useLocalMedia } from "./use-local-media";
import styles from "./stream.module.css";
import { ErrorAlert } from "../error-alert";

interface Props {
  room: Room;
  connection: Connection;
  onJoin: (tracks: Array<LocalVideoTrack | LocalAudioTrack>) => void;
  onLeave: () => void;
  disabled: boolean;
}

export function MediaPanel({ room, connection, onJoin, onLeave, disabled }: Props) {
  const { media, start, choose, toggleMic, toggleCamera, report } = useLocalMedia(connection);
  const { video, audio, cameras, mics, cameraId, micId, micOn, cameraOn, problem } = media;
  const [sharing, setSharing] = useState(false);
  const previewRef = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const el = previewRef.current;
    if (!video || !el) return;
    video.attach(el);
    return () => {
      video.detach(el);
    };
  }, [video]);

  // The screen is shared through the room, not as a track of this preview: it exists only while joined.
  const toggleShare = async () => {
    try {
      await room.localParticipant.setScreenShareEnabled(!sharing);
      setSharing(!sharing);
    } catch (err) {
      report(`Screen sharing did not start: ${(err as Error).message}`);
    }
  };

  return (
    <section className="panel-section" aria-labelledby="media-heading">
      <h2 id="media-heading">Your camera and microphone</h2>
      <video ref={previewRef} className={styles.preview} autoPlay playsInline muted aria-label="Preview of your camera" />
      {!video ? (
        <p>
          <button type="button" onClick={() => void start()}>
            Preview camera and microphone
          </button>
        </p>
      ) : (
        <div className="field-grid">
          <DeviceSelect label="Camera" devices={cameras} value={cameraId} onChange={(id) => void choose("camera", id)} />
          <DeviceSelect label="Microphone" devices={mics} value={micId} onChange={(id) => void choose("mic", id)} />
        </div>
      )}
      {video && audio ? (
        <div className={styles.controls}>
          {connection === "in" ? (
            <button type="button" className="secondary" onClick={onLeave}>
              Leave backstage
            </button>
          ) : (
            <button type="button" onClick={() => onJoin([video, audio])} disabled={connection === "joining" || disabled}>
              {connection === "joining" ? "Joining…" : "Join backstage"}
            </button>
          )}
          <button type="button" className="secondary" aria-pressed={!micOn} onClick={() => void toggleMic()}>
            {micOn ? "Mute my microphone" : "Unmute my microphone"}
          </button>
          <button type="button" className="secondary" aria-pressed={!cameraOn} onClick={() => void toggleCamera()}>
            {cameraOn ? "Stop my camera" : "Start my camera"}
          </button>
          {connection === "in" ? (
            <button type="button" className="secondary" aria-pressed={sharing} onClick={() => void toggleShare()}>
              {sharing ? "Stop sharing my screen" : "Share my screen"}
            </button>
          ) : null}
        </div>
      ) : null}
      {connection === "in" ? <p aria-live="polite">You are backstage. You are live to viewers while the stream is live.</p> : null}
      <ErrorAlert message={problem} />
    </section>
  );
}

function DeviceSelect({
  label,
  devices,
  value,
  onChange,
}: {
  label: "Camera" | "Microphone";
  devices: MediaDeviceInfo[];
  value: string;
  onChange: (deviceId: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {devices.map((d, i) => (
          <option key={d.deviceId || i} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}
