"use client";
/**
 * The captions band of the room screen (projector): large type, the last lines of the chosen language,
 * and a toggle for the room (kept on that computer) so a room with its own CART screen can hide it.
 */
import { CAPTIONS_UNAVAILABLE_TEXT } from "@/lib/captions";
import { captionLanguages } from "@/lib/client/captions";
import { useCaptionSettings } from "./caption-settings";
import { useCaptions } from "./use-captions";
import styles from "./captions.module.css";

export function ScreenCaptions({ slug }: { slug: string }) {
  const captions = useCaptions(slug);
  const [settings, update] = useCaptionSettings();
  const langs = captionLanguages(captions);
  const lang = langs.includes(settings.lang) || langs.length === 0 ? settings.lang : langs[0];
  const lines = (captions.tracks[lang] ?? []).slice(-2);
  const stalled = captions.feed?.state === "stalled";
  return (
    // data-feed: "loaded" once the feed has been read after joining, i.e. new lines will be shown (captions are live only).
    <section
      className={`${styles.region} ${styles.screen}`}
      aria-label="Live captions"
      data-testid="screen-captions"
      data-feed={captions.feed ? "loaded" : "loading"}
    >
      <button type="button" className={`secondary ${styles.toggle}`} aria-pressed={settings.screen} onClick={() => update({ screen: !settings.screen })}>
        Captions on screen: {settings.screen ? "on" : "off"}
      </button>
      {settings.screen ? (
        <div className={styles.band} lang={lang}>
          <p role="status" className={styles.unavailable}>
            {stalled ? CAPTIONS_UNAVAILABLE_TEXT : ""}
          </p>
          {lines.map((l) => (
            <p key={`${l.seq}-${l.final}`}>{l.text}</p>
          ))}
        </div>
      ) : null}
    </section>
  );
}
