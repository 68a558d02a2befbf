"use client";
/**
 * Captions over the video: the last two lines of the viewer's language, at the size and position they
 * chose in the "Live captions" region. The parent must be positioned (the stage is). Hidden from
 * assistive technology: the region's live log is the accessible copy, read once.
 */
import { CAPTIONS_UNAVAILABLE_TEXT } from "@/lib/captions";
import { captionLanguages } from "@/lib/client/captions";
import { useCaptionSettings } from "./caption-settings";
import { useCaptions } from "./use-captions";
import styles from "./captions.module.css";

export function CaptionOverlay({ slug, lines: count = 2 }: { slug: string; lines?: number }) {
  const captions = useCaptions(slug);
  const [settings] = useCaptionSettings();
  const langs = captionLanguages(captions);
  const lang = langs.includes(settings.lang) || langs.length === 0 ? settings.lang : langs[0];
  const lines = (captions.tracks[lang] ?? []).slice(-count);
  const stalled = captions.feed?.state === "stalled";
  if (lines.length === 0 && !stalled) return null;
  return (
    <div className={`${styles.overlay} ${styles[settings.position]} ${styles[settings.size]}`} aria-hidden="true" data-testid="caption-overlay" lang={lang}>
      {stalled ? <span className={styles.note}>{CAPTIONS_UNAVAILABLE_TEXT}</span> : lines.map((l) => <p key={`${l.seq}-${l.final}`}>{l.text}</p>)}
    </div>
  );
}
