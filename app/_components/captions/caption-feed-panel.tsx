"use client";
/**
 * For organizers and this session's moderators (backstage, moderation console): the ingest URL to hand
 * to the CART captioner, with copy and rotate, the feed's state and last seq per language, and for
 * organizers of a session that keeps its captions, the WebVTT downloads and the publish switch.
 * Renders nothing for anyone else (the server says who may: `caption:state`'s `can`).
 */
import { useEffect, useId, useState } from "react";
import { CAPTIONS_UNAVAILABLE_TEXT, languageName, vttPath, type CaptionFeed } from "@/lib/captions";
import { api } from "../admin-api";
import { useCaptions } from "./use-captions";
import styles from "./captions.module.css";
import { ErrorAlert } from "../error-alert";

const STATE_TEXT = {
  idle: "No captioner has sent captions yet.",
  live: "Live: captions are arriving.",
  stalled: `Quiet for 30 s — viewers see "${CAPTIONS_UNAVAILABLE_TEXT}".`,
};

export function CaptionFeedPanel({ slug }: { slug: string }) {
  const captions = useCaptions(slug);
  const id = useId();
  const [url, setUrl] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const base = `/api/sessions/${encodeURIComponent(slug)}/captions`;
  const manage = captions.can.manage;

  useEffect(() => {
    if (!manage) return;
    api<{ url: string }>(`${base}/ingest-url`, "GET")
      .then((r) => setUrl(r.url))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [manage, base]);

  if (!manage) return null;
  const feed = captions.feed;
  const langs = Object.keys(captions.lastSeq).sort();

  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setNote("Ingest URL copied.");
    } catch {
      setNote("Copying is blocked here: select the URL and copy it by hand.");
    }
  };
  const rotate = async () => {
    setError("");
    try {
      const r = await api<{ url: string }>(`${base}/rotate`, "POST", {});
      setUrl(r.url);
      setNote("New ingest URL: the old one no longer works. Give the new one to the captioner.");
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const publish = async (published: boolean) => {
    setError("");
    try {
      await api<CaptionFeed>(`${base}/publish`, "POST", { published });
      setNote(published ? "Captions published: everyone can download them." : "Captions withdrawn: only organizers can download them.");
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section className={`panel-section ${styles.region}`} aria-labelledby={`${id}-h`} data-testid="caption-feed-panel">
      <h2 id={`${id}-h`}>Caption feed</h2>
      <label htmlFor={`${id}-url`}>Ingest URL for the CART captioner (Zoom-compatible: paste it where the software asks for the Zoom caption URL)</label>
      <input id={`${id}-url`} className={styles.url} readOnly value={url ?? "Loading…"} onFocus={(e) => e.currentTarget.select()} />
      <div className={styles.controls}>
        <button type="button" onClick={() => void copy()} disabled={!url}>
          Copy ingest URL
        </button>
        <button type="button" className="secondary" onClick={() => void rotate()}>
          Replace URL (the old one stops working)
        </button>
      </div>
      <p aria-live="polite">{note}</p>
      <ErrorAlert message={error} />
      <p data-testid="caption-feed-state">
        Feed: <strong>{STATE_TEXT[feed?.state ?? "idle"]}</strong>
      </p>
      {langs.length ? (
        <ul className={styles.tracks} aria-label="Caption tracks">
          {langs.map((l) => (
            <li key={l}>
              {languageName(l)}: last seq <span data-testid={`last-seq-${l}`}>{captions.lastSeq[l]}</span>
              {captions.can.export && feed?.kept ? (
                <>
                  {" "}
                  · <a href={vttPath(slug, l)}>Download WebVTT</a>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {feed && !feed.kept ? <p className="hint">Captions of this session are live only: they are never stored, logged or exported.</p> : null}
      {captions.can.export && feed?.kept ? (
        <label className={styles.check}>
          <input type="checkbox" checked={feed.published} onChange={(e) => void publish(e.target.checked)} />
          Publish the captions (WebVTT) to everyone
        </label>
      ) : null}
    </section>
  );
}
