"use client";
/**
 * The live stream on a streamed session's page: its state (waiting, connecting, live, reconnecting,
 * ended), the stage, REC, captions and "ask to speak". LiveKit's client code is in live-stage.tsx and
 * is loaded only here, only on streamed sessions, and only once the stream is live.
 */
import dynamic from "next/dynamic";
import { useCallback, useEffect, useState } from "react";
import type { StreamAbilities, StreamSnapshot, StreamToken } from "@/lib/streaming";
import { formatClock, zoneAbbreviation } from "@/lib/time";
import { getSocket } from "../realtime";
import { request } from "@/lib/client/request";
import { useServerClock } from "../use-server-clock";
import { MediaNotice, RecStatus, StateBadge, type ViewerState } from "./stream-parts";
import { requestStreamToken } from "./stream-api";
import type { StageState } from "./live-stage";
import { useStreamState } from "./use-stream-state";
import styles from "./stream.module.css";
import { ErrorAlert } from "../error-alert";

const loadStage = () => import("./live-stage");
const LiveStage = dynamic(loadStage, { ssr: false, loading: () => <p>Loading the player…</p> });

interface Props {
  initial: StreamSnapshot;
  abilities: StreamAbilities;
  serverNow: string;
  timeZone: string;
  /** Laid over the bottom of the video, also in full screen (live captions mount here). */
}

export function StreamSection({ initial, abilities, serverNow, timeZone }: Props) {
  const live = useStreamState(initial);
  const { stream, hand, attendance } = live;
  const now = useServerClock(serverNow, 5_000);
  const [token, setToken] = useState<StreamToken | null>(null);
  const [stage, setStage] = useState<StageState | "requesting" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [handNote, setHandNote] = useState("");

  const opens = new Date(stream.opensAt);
  const closed = stream.state === "ended" || now >= new Date(stream.closesAt);
  const state: ViewerState = !stream.available
    ? stream.media.status === "preparing"
      ? "preparing"
      : "unavailable"
    : stage === "requesting" || stage === "connecting"
      ? "connecting"
      : stage === "live"
        ? "live"
        : stage === "reconnecting"
          ? "reconnecting"
          : closed
            ? "ended"
            : stream.state === "live" && now >= opens
              ? "ready"
              : "waiting";

  // Warm the player's code while people decide to press Watch.
  useEffect(() => {
    if (stream.available && stream.state === "live") void loadStage();
  }, [stream.available, stream.state]);

  const watch = async () => {
    performance.clearMarks("plenary:stream-watch");
    performance.clearMarks("plenary:stream-first-frame");
    performance.mark("plenary:stream-watch");
    setError(null);
    setStage("requesting");
    try {
      setToken(await requestStreamToken(stream.slug, { monitor: abilities.control || abilities.publish }));
    } catch (err) {
      setStage(null);
      setError((err as Error).message);
    }
  };

  const onStageState = useCallback((s: StageState, message?: string) => {
    if (s === "disconnected") {
      setToken(null);
      setStage(null);
      if (message) setError(message);
      return;
    }
    setStage(s);
  }, []);

  // The stream ended while watching: LiveKit lets viewers go; say so.
  useEffect(() => {
    if (stream.state === "ended" && token) {
      setToken(null);
      setStage(null);
    }
  }, [stream.state, token]);

  const handCommand = async (command: "hand:raise" | "hand:lower") => {
    const res = await request(getSocket(), command, { slug: stream.slug });
    if (res.ok) live.setHand(res.data);
    else setHandNote(res.error.message);
  };
  useEffect(() => {
    if (hand.reason === "raised") setHandNote("You asked to speak. A moderator will call on you; requests are taken in order.");
    else if (hand.reason === "promoted") setHandNote("A moderator gave you the floor.");
    else if (hand.reason === "demoted") setHandNote("Your turn to speak has ended. Thank you.");
    else if (hand.reason === "lowered") setHandNote("You lowered your hand.");
  }, [hand]);

  const zone = zoneAbbreviation(opens, timeZone);
  const waitingText =
    now < opens
      ? `The stream opens at ${formatClock(opens, timeZone)} ${zone}, 30 minutes before the session starts. The moderators go live when it begins.`
      : "Waiting for the moderators to start the stream. This page lets you in as soon as they go live.";

  return (
    <div>
      <div className={styles.statusLine}>
        <p role="status" aria-live="polite" style={{ margin: 0 }}>
          <StateBadge state={state} />
        </p>
        {stream.available ? <RecStatus recording={stream.recording} /> : null}
        {abilities.publish || abilities.control ? <a href={`/sessions/${stream.slug}/backstage`}>Open backstage</a> : null}
        {abilities.attendance && attendance ? (
          <p style={{ margin: 0 }} aria-live="polite">
            Remote viewers now: <strong>{attendance.viewers}</strong>
          </p>
        ) : null}
      </div>

      <MediaNotice media={stream.media} available={stream.available} />
      {state === "unavailable" || state === "preparing" ? (
        <p>Everything else on this page works.</p>
      ) : !abilities.signedIn ? (
        <p>
          <a href={`/signin?callbackUrl=${encodeURIComponent(`/sessions/${stream.slug}`)}`}>Sign in to watch the live stream</a> and to ask to speak.
        </p>
      ) : !abilities.watch ? (
        <p className="unavailable">This sign-in cannot watch the stream. Registered participants sign in with their e-mail address.</p>
      ) : state === "waiting" ? (
        <p>{waitingText}</p>
      ) : state === "ended" ? (
        <p>The stream of this session has ended.</p>
      ) : state === "ready" ? (
        <p>
          <button type="button" onClick={() => void watch()}>
            Watch
          </button>
        </p>
      ) : null}

      <ErrorAlert message={error} />

      {token ? (
        <>
          <LiveStage token={token} hand={hand} onState={onStageState} />
          <p>
            <button type="button" className="secondary" onClick={() => onStageState("disconnected")}>
              Stop watching
            </button>
          </p>
        </>
      ) : null}

      {abilities.raiseHand && (state === "live" || state === "reconnecting") ? (
        <div className={styles.hand}>
          {hand.status === "none" ? (
            <button type="button" className="secondary" onClick={() => void handCommand("hand:raise")}>
              Ask to speak
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => void handCommand("hand:lower")}>
              {hand.status === "promoted" ? "Finish speaking" : "Lower my hand"}
            </button>
          )}
          <p aria-live="polite">{handNote}</p>
        </div>
      ) : null}
    </div>
  );
}
