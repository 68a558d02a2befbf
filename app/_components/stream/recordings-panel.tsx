"use client";
import { useId, useState } from "react";
import type { RecordingItem, RecordingList } from "@/lib/recordings";
import { formatClock } from "@/lib/time";
import { api } from "../admin-api";
import { ErrorAlert } from "../error-alert";
import styles from "./stream.module.css";

/**
 * A session's recordings on its page: organizers see every one, can download it with its caption
 * files and publish it to the session's attendees or take it back; attendees watch the published ones,
 * with captions. The list comes from the server (RecordingService.list decides who sees what).
 */
export function RecordingsPanel({ initial, timeZone }: { initial: RecordingList; timeZone: string }) {
  const [list, setList] = useState(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();
  if (!list.manage && list.recordings.length === 0) return null;

  const publish = async (r: RecordingItem, published: boolean) => {
    setBusy(r.id);
    setError(null);
    try {
      setList(await api<RecordingList>(`/api/sessions/${encodeURIComponent(list.slug)}/recordings/${encodeURIComponent(r.id)}`, "POST", { published }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className={styles.recordings} aria-labelledby={headingId}>
      <h2 id={headingId}>Recordings</h2>
      <ErrorAlert message={error} />
      {list.recordings.length === 0 ? <p>No recordings of this session yet. Start one backstage while the stream is live.</p> : null}
      <ul>
        {list.recordings.map((r) => {
          const title = `Recording from ${formatClock(r.startedAt, timeZone)}${r.endedAt ? ` to ${formatClock(r.endedAt, timeZone)}` : ""}`;
          return (
            <li key={r.id} data-testid="recording">
              <h3>{title}</h3>
              <p>
                {describe(r)}
                {list.manage ? ` · ${r.published ? "Published to the session's attendees" : "Not published"}` : null}
              </p>
              {r.url ? (
                // Captions go with the video: a player's CC button shows them.
                <video controls preload="metadata" src={r.url} aria-label={title} className={styles.recordingVideo}>
                  {r.captions.map((c, i) => (
                    <track key={c.lang} kind="captions" src={c.url} srcLang={c.lang} label={c.label} default={i === 0} />
                  ))}
                </video>
              ) : null}
              {list.manage ? (
                <div className={styles.recordingActions}>
                  {r.url ? (
                    <a href={`${r.url}?download`} download>
                      Download the video
                    </a>
                  ) : null}
                  {r.captions.map((c) => (
                    <a key={c.lang} href={c.url} download>
                      Captions, {c.label} (WebVTT)
                    </a>
                  ))}
                  {r.status === "ready" ? (
                    <button type="button" className="secondary" disabled={busy !== null} onClick={() => void publish(r, !r.published)}>
                      {busy === r.id ? "Saving…" : r.published ? "Withdraw from attendees" : "Publish to attendees"}
                    </button>
                  ) : null}
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function describe(r: RecordingItem): string {
  if (r.status === "recording") return "Recording now";
  if (r.status === "finalising") return "Being made into a file";
  if (r.status === "failed") return `Failed${r.error ? `: ${r.error}` : ""}`;
  const parts = [r.durationMs !== null ? `${Math.round(r.durationMs / 1000)} s` : null, r.bytes !== null ? `${(r.bytes / 1e6).toFixed(1)} MB` : null];
  return parts.filter(Boolean).join(", ") || "Ready";
}
