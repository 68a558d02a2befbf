/**
 * The browser's caption engine: lines per language track in seq order (a late seq slots in before
 * later ones, a repeated seq is ignored, an interim line is replaced by the next), and the feed's
 * state. Browser-safe and pure; app/_components/captions/ keeps one per session and tab.
 */
import type { CaptionAbilities, CaptionFeed, CaptionLine } from "../captions";

/** Lines kept per track (the views show the last few). */
export const MAX_CAPTION_LINES = 60;

export interface CaptionsState {
  feed: CaptionFeed | null;
  can: CaptionAbilities;
  tracks: Record<string, CaptionLine[]>;
  /** Highest seq seen per track (staff see it as the feed's last seq). */
  lastSeq: Record<string, number>;
}

export const initialCaptions: CaptionsState = { feed: null, can: { push: false, manage: false, export: false }, tracks: {}, lastSeq: {} };

export function applyCaptionLine(s: CaptionsState, line: CaptionLine): CaptionsState {
  const lines = (s.tracks[line.lang] ?? []).filter((l) => l.final);
  if (lines.some((l) => l.seq === line.seq)) return s;
  const at = lines.findIndex((l) => l.seq > line.seq);
  const next = at === -1 ? [...lines, line] : [...lines.slice(0, at), line, ...lines.slice(at)];
  const feed = s.feed && s.feed.state !== "live" ? { ...s.feed, state: "live" as const } : s.feed;
  return {
    ...s,
    feed,
    tracks: { ...s.tracks, [line.lang]: next.slice(-MAX_CAPTION_LINES) },
    lastSeq: { ...s.lastSeq, [line.lang]: Math.max(s.lastSeq[line.lang] ?? 0, line.seq) },
  };
}

export function applyCaptionFeed(s: CaptionsState, feed: CaptionFeed): CaptionsState {
  const lastSeq = { ...s.lastSeq };
  for (const t of feed.tracks) lastSeq[t.lang] = Math.max(lastSeq[t.lang] ?? 0, t.lastSeq);
  return { ...s, feed, lastSeq };
}

/** The languages a viewer can pick: every track the feed has, or has sent a line on. */
export function captionLanguages(s: CaptionsState): string[] {
  const langs = new Set([...(s.feed?.tracks.map((t) => t.lang) ?? []), ...Object.keys(s.tracks)]);
  return [...langs].sort();
}
