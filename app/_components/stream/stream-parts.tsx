"use client";
import { useState } from "react";
import { MEDIA_PREPARING_TEXT, type CaptionLine, type MediaState } from "@/lib/streaming";
import styles from "./stream.module.css";

export type ViewerState = "unavailable" | "preparing" | "waiting" | "ready" | "connecting" | "live" | "reconnecting" | "ended";

const labels: Record<ViewerState, string> = {
  unavailable: "Stream not available",
  preparing: "Preparing the media server",
  waiting: "Stream not started yet",
  ready: "Live now",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  ended: "Stream ended",
};

const classes: Record<ViewerState, string> = {
  unavailable: styles.stateWaiting,
  preparing: styles.stateConnecting,
  waiting: styles.stateWaiting,
  ready: styles.stateLive,
  connecting: styles.stateConnecting,
  live: styles.stateLive,
  reconnecting: styles.stateConnecting,
  ended: styles.stateEnded,
};

export function StateBadge({ state }: { state: ViewerState }) {
  return (
    <span className={`${styles.state} ${classes[state]}`} data-state={state}>
      {labels[state]}
    </span>
  );
}

/**
 * REC, shown to everyone in the room and every viewer while a recording runs. The live region is
 * always in the page (empty while nothing records), so screen readers announce REC when it appears.
 */
export function RecStatus({ recording, large = false }: { recording: boolean; large?: boolean }) {
  return (
    <p
      role="status"
      aria-label={recording ? "Recording: this session is being recorded" : undefined}
      className={recording ? `${styles.rec} ${large ? styles.recLarge : ""}` : styles.recIdle}
      data-recording={recording}
    >
      {recording ? (
        <>
          <span className={styles.recDot} aria-hidden="true" />
          REC<span className="visually-hidden">: this session is being recorded</span>
        </>
      ) : null}
    </p>
  );
}

/**
 * Live captions from the session's captioner (an organizer or moderator account sending
 * `caption:push`, by hand from the backstage or from CART software; docs/protocol.md).
 */
export function Captions({ lines }: { lines: CaptionLine[] }) {
  return (
    <section className={styles.captions} aria-labelledby="captions-heading">
      <h3 id="captions-heading">Captions</h3>
      <div className={styles.captionLog} role="log" aria-live="polite" aria-relevant="additions text" aria-label="Captions" tabIndex={0}>
        {lines.length === 0 ? <p className="muted">Live captions appear here when the captioner starts.</p> : null}
        {lines.map((l) => (
          <p key={l.seq} className={l.final ? undefined : styles.interim}>
            {l.text}
          </p>
        ))}
      </div>
    </section>
  );
}

/**
 * Why the stream is not available: the media server is being built (first run), or is not there and
 * how to get it. A live region that is always in the page, so "preparing" and then "streaming is on"
 * are announced as they happen (the server sends both through `stream:changed`).
 */
export function MediaNotice({ media, available, detail = false }: { media: MediaState; available: boolean; detail?: boolean }) {
  const [sawPreparing, setSawPreparing] = useState(false);
  if (media.status === "preparing" && !sawPreparing) setSawPreparing(true);
  let text = "";
  if (media.status === "preparing") text = detail && media.progress ? `${MEDIA_PREPARING_TEXT} Now: ${media.progress}.` : MEDIA_PREPARING_TEXT;
  else if (media.status === "unavailable" && media.reason !== "off") text = media.message;
  else if (!available) text = "The live stream is not available: this Plenary runs without a video server.";
  else if (sawPreparing) text = "The media server is ready: streaming is on.";
  return (
    <p role="status" aria-live="polite" className={text && !available ? "unavailable" : undefined} data-media={media.status}>
      {text}
    </p>
  );
}
