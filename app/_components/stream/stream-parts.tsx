"use client";
import type { CaptionLine } from "@/lib/streaming";
import styles from "./stream.module.css";

export type ViewerState = "unavailable" | "waiting" | "ready" | "connecting" | "live" | "reconnecting" | "ended";

const labels: Record<ViewerState, string> = {
  unavailable: "Stream not available",
  waiting: "Waiting for the session to start",
  ready: "Live now",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  ended: "Stream ended",
};

const classes: Record<ViewerState, string> = {
  unavailable: styles.stateWaiting,
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

/** Shown to everyone in the room and every viewer while a recording runs. */
export function RecIndicator() {
  return (
    <p className={styles.rec} role="status" aria-label="Recording: this session is being recorded">
      <span className={styles.recDot} aria-hidden="true" />
      REC
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
