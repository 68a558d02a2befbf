"use client";
/**
 * The "Live captions" region of the session page (and the panel view): visible without starting the
 * video, a language picker, a polite live region that can be switched off, the "temporarily
 * unavailable" status, and the overlay's size and position (kept in this browser).
 */
import { useId } from "react";
import { CAPTIONS_UNAVAILABLE_TEXT, languageName, type CaptionLine } from "@/lib/captions";
import { captionLanguages } from "@/lib/client/captions";
import { useCaptionSettings } from "./caption-settings";
import { useCaptions } from "./use-captions";
import styles from "./captions.module.css";

const SHOWN = 8;

export function LiveCaptions({ slug, overlaySettings = true }: { slug: string; overlaySettings?: boolean }) {
  const captions = useCaptions(slug);
  const [settings, update] = useCaptionSettings();
  const id = useId();
  const langs = captionLanguages(captions);
  const lang = langs.includes(settings.lang) || langs.length === 0 ? settings.lang : langs[0];
  const lines = (captions.tracks[lang] ?? []).slice(-SHOWN);
  const stalled = captions.feed?.state === "stalled";

  return (
    <section className={`panel-section ${styles.region}`} aria-labelledby={`${id}-h`} data-testid="live-captions">
      <h2 id={`${id}-h`}>Live captions</h2>
      <div className={styles.controls}>
        <label>
          Caption language
          <select value={lang} onChange={(e) => update({ lang: e.target.value })}>
            {(langs.length ? langs : [lang]).map((l) => (
              <option key={l} value={l}>
                {languageName(l)}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={settings.announce} onChange={(e) => update({ announce: e.target.checked })} />
          Read new captions aloud (screen readers)
        </label>
        {overlaySettings ? (
          <>
            <label>
              Caption size over the video
              <select value={settings.size} onChange={(e) => update({ size: e.target.value as typeof settings.size })}>
                <option value="small">Small</option>
                <option value="medium">Medium</option>
                <option value="large">Large</option>
              </select>
            </label>
            <label>
              Caption position over the video
              <select value={settings.position} onChange={(e) => update({ position: e.target.value as typeof settings.position })}>
                <option value="bottom">Bottom</option>
                <option value="top">Top</option>
              </select>
            </label>
          </>
        ) : null}
      </div>
      <p role="status" className={styles.unavailable}>
        {stalled ? CAPTIONS_UNAVAILABLE_TEXT : ""}
      </p>
      <div
        className={styles.log}
        role="log"
        aria-live={settings.announce ? "polite" : "off"}
        aria-relevant="additions"
        aria-label={`Live captions, ${languageName(lang)}`}
        tabIndex={0}
        lang={lang}
      >
        {lines.length === 0 ? <p className={styles.muted}>Live captions appear here when the captioner starts.</p> : null}
        {lines.map((l) => (
          <CaptionText key={`${l.seq}-${l.final}`} line={l} />
        ))}
      </div>
    </section>
  );
}

export function CaptionText({ line }: { line: CaptionLine }) {
  return <p data-seq={line.seq}>{line.text}</p>;
}
