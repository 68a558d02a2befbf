"use client";
/**
 * Backstage of a streamed session. Panelists and moderators preview their camera and microphone,
 * choose devices and join the LiveKit room; viewers are let in only when a moderator starts the
 * stream, so joining backstage is not yet being live. Organizers and moderators run the stream:
 * go live, end, record (where allowed), mute a panelist, take requests to speak, send captions.
 */
import { useEffect, useRef, useState } from "react";
import {
  createLocalAudioTrack,
  createLocalVideoTrack,
  Room,
  RoomEvent,
  Track,
  TrackEvent,
  type LocalAudioTrack,
  type LocalVideoTrack,
  type RemoteParticipant,
  type RemoteTrack,
} from "livekit-client";
import type { StreamAbilities, StreamSnapshot } from "@/lib/streaming";
import { getSocket } from "../realtime";
import { request } from "@/lib/client/request";
import { Captions, RecStatus } from "./stream-parts";
import { requestStreamToken, setRecording, setStreamState } from "./stream-api";
import { useStreamState, type StreamStateHook } from "./use-stream-state";
import styles from "./stream.module.css";

interface Props {
  initial: StreamSnapshot;
  abilities: StreamAbilities;
  title: string;
}

type Connection = "out" | "joining" | "in";

export function Backstage({ initial, abilities, title }: Props) {
  const live = useStreamState(initial);
  const { stream } = live;
  const [room] = useState(() => new Room({ adaptiveStream: true, dynacast: true }));
  const [connection, setConnection] = useState<Connection>("out");
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const rerender = () => setTick((t) => t + 1);
    for (const e of [
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
    ] as const)
      room.on(e, rerender);
    room.on(RoomEvent.Disconnected, () => setConnection("out"));
    return () => {
      room.removeAllListeners();
      void room.disconnect();
    };
  }, [room]);

  const join = async (monitor: boolean, tracks: Array<LocalVideoTrack | LocalAudioTrack>) => {
    setError(null);
    setConnection("joining");
    try {
      const token = await requestStreamToken(stream.slug, { monitor });
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

  const stateText =
    stream.state === "live"
      ? "Live: viewers can see and hear everyone on stage."
      : stream.state === "ended"
        ? "The stream has ended. Viewers have been let go."
        : "Not live yet: only people backstage can see and hear you.";

  return (
    <div>
      <h1 id="backstage-title">Backstage: {title}</h1>
      <div className={styles.statusLine}>
        <p role="status" aria-live="polite" style={{ margin: 0 }}>
          <span className={`${styles.state} ${stream.state === "live" ? styles.stateLive : styles.stateWaiting}`} data-state={stream.state}>
            {stream.state === "live" ? "Live" : stream.state === "ended" ? "Ended" : "Backstage"}
          </span>{" "}
          {stateText}
        </p>
        {stream.available ? <RecStatus recording={stream.recording} /> : null}
        <a href={`/sessions/${stream.slug}`}>Viewer page</a>
      </div>
      {!stream.available ? <p className="unavailable">The live stream is not available: this Plenary runs without a video server.</p> : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <div className={styles.backstageGrid}>
        {abilities.publish ? (
          <MediaPanel room={room} connection={connection} onJoin={(tracks) => void join(false, tracks)} onLeave={() => void leave()} disabled={!stream.available} />
        ) : abilities.control ? (
          <section className="panel-section" aria-labelledby="monitor-heading">
            <h2 id="monitor-heading">The room</h2>
            {connection === "in" ? (
              <button type="button" className="secondary" onClick={() => void leave()}>
                Stop monitoring
              </button>
            ) : (
              <button type="button" onClick={() => void join(true, [])} disabled={connection === "joining" || !stream.available}>
                Monitor the room
              </button>
            )}
          </section>
        ) : null}
        {abilities.control ? <ControlPanel live={live} abilities={abilities} /> : null}
        {connection === "in" ? <OnStage room={room} canMute={abilities.control} slug={stream.slug} /> : null}
        {abilities.control ? <HandQueuePanel live={live} /> : null}
        {abilities.caption ? <CaptionInput slug={stream.slug} /> : null}
        <Captions lines={live.captions} />
      </div>
    </div>
  );
}

function MediaPanel({
  room,
  connection,
  onJoin,
  onLeave,
  disabled,
}: {
  room: Room;
  connection: Connection;
  onJoin(tracks: Array<LocalVideoTrack | LocalAudioTrack>): void;
  onLeave(): void;
  disabled: boolean;
}) {
  const [video, setVideo] = useState<LocalVideoTrack | null>(null);
  const [audio, setAudio] = useState<LocalAudioTrack | null>(null);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = useState("");
  const [micId, setMicId] = useState("");
  const [micOn, setMicOn] = useState(true);
  const [cameraOn, setCameraOn] = useState(true);
  const [sharing, setSharing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const previewRef = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const el = previewRef.current;
    if (!video || !el) return;
    video.attach(el);
    return () => {
      video.detach(el);
    };
  }, [video]);
  // Disconnected by LiveKit (e.g. it stopped): the tracks may have been stopped with it; preview again.
  useEffect(() => {
    if (connection !== "out") return;
    if (video?.mediaStreamTrack.readyState === "ended" || audio?.mediaStreamTrack.readyState === "ended") {
      setVideo(null);
      setAudio(null);
    }
  }, [connection, video, audio]);

  // A moderator may mute this microphone from their side.
  useEffect(() => {
    if (!audio) return;
    const off = () => setMicOn(false);
    const on = () => setMicOn(true);
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

  const start = async () => {
    setProblem(null);
    try {
      const [v, a] = await Promise.all([createLocalVideoTrack({ resolution: { width: 1280, height: 720 } }), createLocalAudioTrack()]);
      setVideo(v);
      setAudio(a);
      const [cams, microphones] = await Promise.all([Room.getLocalDevices("videoinput"), Room.getLocalDevices("audioinput")]);
      setCameras(cams);
      setMics(microphones);
      setCameraId((await v.getDeviceId()) ?? cams[0]?.deviceId ?? "");
      setMicId((await a.getDeviceId()) ?? microphones[0]?.deviceId ?? "");
    } catch (err) {
      setProblem(`Your camera or microphone could not be opened: ${(err as Error).message}. Check the browser's permission for this site.`);
    }
  };

  // The device must be required ("exact"): a bare deviceId is only preferred, and Chromium then
  // keeps the camera it has. The choice shown is the device the track really uses afterwards.
  const choose = async (kind: "camera" | "mic", deviceId: string) => {
    const track = kind === "camera" ? video : audio;
    const setId = kind === "camera" ? setCameraId : setMicId;
    if (!track) return;
    setProblem(null);
    setId(deviceId);
    try {
      await track.restartTrack({ deviceId: { exact: deviceId } });
    } catch (err) {
      setProblem(`That ${kind === "camera" ? "camera" : "microphone"} could not be opened: ${(err as Error).message}`);
    }
    setId((await track.getDeviceId()) ?? deviceId);
  };
  const toggleMic = async () => {
    if (!audio) return;
    if (micOn) await audio.mute();
    else await audio.unmute();
    setMicOn(!micOn);
  };
  const toggleCamera = async () => {
    if (!video) return;
    if (cameraOn) await video.mute();
    else await video.unmute();
    setCameraOn(!cameraOn);
  };
  const toggleShare = async () => {
    try {
      await room.localParticipant.setScreenShareEnabled(!sharing);
      setSharing(!sharing);
    } catch (err) {
      setProblem(`Screen sharing did not start: ${(err as Error).message}`);
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
          <label>
            Camera
            <select value={cameraId} onChange={(e) => void choose("camera", e.target.value)}>
              {cameras.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {d.label || `Camera ${i + 1}`}
                </option>
              ))}
            </select>
          </label>
          <label>
            Microphone
            <select value={micId} onChange={(e) => void choose("mic", e.target.value)}>
              {mics.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {d.label || `Microphone ${i + 1}`}
                </option>
              ))}
            </select>
          </label>
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
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
    </section>
  );
}

function ControlPanel({ live, abilities }: { live: StreamStateHook; abilities: StreamAbilities }) {
  const { stream, attendance } = live;
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const run = async (label: string, action: () => Promise<StreamSnapshot>) => {
    setBusy(label);
    setMessage(null);
    try {
      live.setStream(await action());
    } catch (err) {
      setMessage((err as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="panel-section" aria-labelledby="control-heading">
      <h2 id="control-heading">Stream</h2>
      <div className={styles.controls}>
        {stream.state === "live" ? (
          <button type="button" onClick={() => void run("end", () => setStreamState(stream.slug, "end"))} disabled={busy !== null}>
            End the stream
          </button>
        ) : (
          <button type="button" onClick={() => void run("start", () => setStreamState(stream.slug, "start"))} disabled={busy !== null || !stream.available}>
            {stream.state === "ended" ? "Go live again" : "Go live"}
          </button>
        )}
        {/* Recording appears only where the session allows it; under the Chatham House Rule it never does. */}
        {abilities.record && stream.recordingAllowed ? (
          stream.recording ? (
            <button type="button" className="secondary" onClick={() => void run("stop-rec", () => setRecording(stream.slug, "stop"))} disabled={busy !== null}>
              Stop recording
            </button>
          ) : (
            <button
              type="button"
              className="secondary"
              onClick={() => void run("start-rec", () => setRecording(stream.slug, "start"))}
              disabled={busy !== null || stream.state !== "live"}
            >
              {busy === "start-rec" ? "Starting the recording…" : "Start recording"}
            </button>
          )
        ) : null}
      </div>
      {message ? (
        <p role="alert" className="error">
          {message}
        </p>
      ) : null}
      {abilities.attendance ? (
        <p className={styles.attendance} aria-live="polite">
          Remote viewers now: {attendance?.viewers ?? 0} · On stage: {attendance?.publishers ?? 0}
        </p>
      ) : null}
    </section>
  );
}

function OnStage({ room, canMute, slug }: { room: Room; canMute: boolean; slug: string }) {
  const [note, setNote] = useState("");
  const people = [...room.remoteParticipants.values()].filter((p) => p.trackPublications.size > 0);
  const micOn = (p: RemoteParticipant) => [...p.trackPublications.values()].some((t) => t.source === Track.Source.Microphone && !t.isMuted);
  const mute = async (p: RemoteParticipant) => {
    const res = await request(getSocket(), "stream:mute", { slug, identity: p.identity });
    setNote(res.ok ? `${p.name || "Speaker"} is muted.` : res.error.message);
  };
  return (
    <section className="panel-section" aria-labelledby="stage-heading">
      <h2 id="stage-heading">On stage</h2>
      {people.length === 0 ? <p>Nobody else is on stage yet.</p> : null}
      <ul className="card-list">
        {people.map((p) => (
          <li key={p.identity}>
            <span>
              <strong>{p.name || "Speaker"}</strong> — microphone {micOn(p) ? "on" : "off"}
            </span>
            {[...p.trackPublications.values()]
              .filter((t) => t.kind === Track.Kind.Audio && t.track)
              .map((t) => (
                <RemoteAudio key={t.trackSid} track={t.track as RemoteTrack} />
              ))}
            {canMute && micOn(p) ? (
              <button type="button" className="secondary" onClick={() => void mute(p)}>
                Mute {p.name || "speaker"}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <p aria-live="polite">{note}</p>
    </section>
  );
}

function RemoteAudio({ track }: { track: RemoteTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    track.attach(el);
    return () => {
      track.detach(el);
    };
  }, [track]);
  return <audio ref={ref} autoPlay />;
}

function HandQueuePanel({ live }: { live: StreamStateHook }) {
  const requests = live.queue?.requests ?? [];
  const [note, setNote] = useState("");
  const decide = async (command: "hand:promote" | "hand:demote", handId: string, camera = false) => {
    const res = command === "hand:promote" ? await request(getSocket(), command, { slug: live.stream.slug, handId, camera }) : await request(getSocket(), command, { slug: live.stream.slug, handId });
    if (res.ok) {
      live.setQueue(res.data);
      setNote("");
    } else setNote(res.error.message);
  };
  return (
    <section className="panel-section" aria-labelledby="hands-heading">
      <h2 id="hands-heading">Requests to speak</h2>
      {requests.length === 0 ? <p>No requests. Remote viewers can ask to speak from the session page.</p> : null}
      <ol className={styles.queue} aria-label="Requests, first come first served">
        {requests.map((r) => (
          <li key={r.id}>
            <span>
              <strong>{r.name}</strong>
              {r.affiliation ? `, ${r.affiliation}` : ""} — {r.status === "promoted" ? (r.camera ? "speaking (microphone and camera)" : "speaking (microphone)") : "waiting"}
            </span>
            <span className={styles.controls}>
              {r.status === "waiting" ? (
                <>
                  <button type="button" onClick={() => void decide("hand:promote", r.id)}>
                    Give {r.name} the microphone
                  </button>
                  <button type="button" className="secondary" onClick={() => void decide("hand:promote", r.id, true)}>
                    Microphone and camera
                  </button>
                  <button type="button" className="secondary" onClick={() => void decide("hand:demote", r.id)}>
                    Decline
                  </button>
                </>
              ) : (
                <button type="button" onClick={() => void decide("hand:demote", r.id)}>
                  End {r.name}&apos;s turn
                </button>
              )}
            </span>
          </li>
        ))}
      </ol>
      {note ? (
        <p role="alert" className="error">
          {note}
        </p>
      ) : null}
    </section>
  );
}

function CaptionInput({ slug }: { slug: string }) {
  const [text, setText] = useState("");
  const [note, setNote] = useState("");
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    const res = await request(getSocket(), "caption:push", { slug, text, final: true });
    if (res.ok) {
      setText("");
      setNote("");
    } else setNote(res.error.message);
  };
  return (
    <section className="panel-section" aria-labelledby="caption-heading">
      <h2 id="caption-heading">Send captions</h2>
      <form className="form" onSubmit={(e) => void send(e)}>
        <label>
          Caption line
          <span className="hint">Every viewer sees it at once. CART software can send lines with the caption:push socket command.</span>
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={500} required />
        </label>
        <p>
          <button type="submit">Send caption</button>
        </p>
        {note ? (
          <p role="alert" className="error">
            {note}
          </p>
        ) : null}
      </form>
    </section>
  );
}
