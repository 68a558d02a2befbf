/** WebVTT from kept caption cues (a pure function, tested on its own). */

export interface VttCue {
  seq: number;
  at: Date;
  text: string;
}

/** A cue lasts until the next one, at most this long (and at least MIN). */
const MAX_CUE_MS = 6_000;
const MIN_CUE_MS = 500;

export function toWebVtt(cues: VttCue[], opts: { start: Date; note?: string }): string {
  const sorted = [...cues].sort((a, b) => a.seq - b.seq);
  const out = ["WEBVTT", ""];
  if (opts.note) out.push(`NOTE ${opts.note.replace(/-->/g, "→").replace(/\n/g, " ")}`, "");
  sorted.forEach((cue, i) => {
    const start = Math.max(0, cue.at.getTime() - opts.start.getTime());
    const next = sorted[i + 1];
    const nextStart = next ? Math.max(0, next.at.getTime() - opts.start.getTime()) : Infinity;
    const end = Math.max(start + MIN_CUE_MS, Math.min(start + MAX_CUE_MS, nextStart));
    // "-->" may not appear in a cue's text, and a blank line would end the cue.
    const text = cue.text.replace(/-->/g, "→").replace(/\n{2,}/g, "\n");
    out.push(String(cue.seq), `${timestamp(start)} --> ${timestamp(end)}`, text, "");
  });
  return out.join("\n");
}

function timestamp(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const milli = Math.floor(ms % 1000);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}.${String(milli).padStart(3, "0")}`;
}
