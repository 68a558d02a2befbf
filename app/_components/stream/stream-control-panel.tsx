"use client";
/** The moderator's stream controls: go live, end, record (where allowed), and the audience count. */
import { useEffect, useRef, useState } from "react";
import type { StreamAbilities, StreamSnapshot } from "@/lib/streaming";
import { setRecording, setStreamState } from "./stream-api";
import type { StreamStateHook } from "./use-stream-state";
import styles from "./stream.module.css";
import { ErrorAlert } from "../error-alert";

export function StreamControlPanel({ live, abilities }: { live: StreamStateHook; abilities: StreamAbilities }) {
  const { stream, attendance } = live;
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // Nobody publishing in the room (the server's live count): going live would show viewers an empty stage.
  const emptyStage = (attendance?.publishers ?? 0) === 0;
  const run = async (label: string, action: () => Promise<StreamSnapshot>) => {
    setBusy(label);
    setMessage(null);
    try {
      live.setStream(await action());
    } catch (err) {
      // The server saw nobody on stage (the page's count was behind): the same question as before.
      if ((err as { code?: string }).code === "stage_empty") setConfirming(true);
      else setMessage((err as Error).message);
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
          <button
            type="button"
            onClick={() => (emptyStage && abilities.attendance ? setConfirming(true) : void run("start", () => setStreamState(stream.slug, "start")))}
            disabled={busy !== null || !stream.available}
          >
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
      {busy === "start-rec" ? (
        <p role="status" className="muted">
          Asking the recorder to start…
        </p>
      ) : null}
      {confirming ? (
        <EmptyStageDialog
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void run("start", () => setStreamState(stream.slug, "start", { emptyStage: true }));
          }}
        />
      ) : null}
      <ErrorAlert message={message} />
      {abilities.attendance ? (
        <p className={styles.attendance} aria-live="polite">
          Remote viewers now: {attendance?.viewers ?? 0} · On stage: {attendance?.publishers ?? 0}
        </p>
      ) : null}
    </section>
  );
}

/** Going live with nobody on stage is allowed, but only on purpose: the first choice is to wait. */
function EmptyStageDialog({ onCancel, onConfirm }: { onCancel: () => void; onConfirm: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className={styles.confirm}
      aria-labelledby="empty-stage-title"
      aria-describedby="empty-stage-text"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="empty-stage-title">Nobody is on stage</h2>
      <p id="empty-stage-text">No panelist or moderator is publishing a camera or microphone yet: remote viewers would see an empty stage. Go live anyway?</p>
      <div className={styles.controls}>
        <button type="button" className="secondary" onClick={onCancel} autoFocus>
          Wait
        </button>
        <button type="button" onClick={onConfirm}>
          Go live anyway
        </button>
      </div>
    </dialog>
  );
}
