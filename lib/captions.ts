/**
 * Live captions as pages, the ingest route and socket facts carry them. Browser-safe: the types, the
 * payload schemas and the rules both sides apply (docs/api.md "Caption ingest", docs/protocol.md).
 */
import { z } from "./schemas/zod";
import { checkText, slugField as slug, textField, type TextRule } from "./text";

/** A caption's text: the house text rule, multi-line ("\n" breaks a line in the caption). */
export const CAPTION_TEXT_RULE: TextRule = { what: "A caption", min: 1, max: 500, multiline: true };
/** Largest ingest body; anything larger is a 413 (a 500-character caption is at most ~2 KB of UTF-8). */
export const CAPTION_MAX_BODY_BYTES = 4096;
/** The track a caption without `lang` belongs to (Zoom's default too). */
export const DEFAULT_CAPTION_LANG = "en-US";
/** No caption for this long, in a session that has a captioner: viewers are told captions are unavailable. */
export const CAPTION_QUIET_MS = 30_000;
/** What viewers see and hear (role=status) while the feed is quiet. */
export const CAPTIONS_UNAVAILABLE_TEXT = "Captions temporarily unavailable";
/** seq is a non-negative integer that fits Postgres' integer. */
export const CAPTION_SEQ_MAX = 2_147_483_647;

/** BCP 47 tags as captioners send them: en-US, es-ES, fr, zh-Hans-CN. */
const LANG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;

/** A language tag in its usual case (language lower, region upper, script title), or null. */
export function normalizeLang(raw: string): string | null {
  if (raw.length > 35 || !LANG.test(raw)) return null;
  return raw
    .split("-")
    .map((part, i) =>
      i === 0 ? part.toLowerCase() : part.length === 2 ? part.toUpperCase() : part.length === 4 ? part[0].toUpperCase() + part.slice(1).toLowerCase() : part,
    )
    .join("-");
}

export function checkCaptionText(raw: string) {
  return checkText(raw, CAPTION_TEXT_RULE);
}

/** A seq from a query string: digits only, within range; otherwise null. */
export function parseSeq(raw: string | null): number | null {
  if (raw === null || !/^\d{1,10}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= CAPTION_SEQ_MAX ? n : null;
}

/** A caption as every view receives it (`caption:added`). */
export interface CaptionLine {
  slug: string;
  lang: string;
  text: string;
  /** Interim lines (socket captioners only) are replaced by the next line; final lines stay. */
  final: boolean;
  /** When the server accepted it (ISO). */
  at: string;
  /** The captioner's seq on this track; lines are shown in seq order. */
  seq: number;
}

/** `idle`: no captioner yet; `live`: captions arriving; `stalled`: none for CAPTION_QUIET_MS. */
export type CaptionFeedState = "idle" | "live" | "stalled";

export interface CaptionTrackInfo {
  lang: string;
  lastSeq: number;
  lastAt: string;
}

/** The feed of one session as everyone may see it (`caption:state`, `caption:feed`). */
export interface CaptionFeed {
  slug: string;
  state: CaptionFeedState;
  tracks: CaptionTrackInfo[];
  /** Captions are kept as WebVTT (an on-record session that may be recorded); nothing is kept otherwise. */
  kept: boolean;
  /** The WebVTT files are public. */
  published: boolean;
}

/** What the person looking may do with the feed; the server decides. */
export interface CaptionAbilities {
  /** Send captions by hand (socket). */
  push: boolean;
  /** See the ingest URL and rotate it (organizers, this session's moderators). */
  manage: boolean;
  /** Download the WebVTT before it is published, and publish it (organizers). */
  export: boolean;
}

export interface CaptionStateResult {
  feed: CaptionFeed;
  can: CaptionAbilities;
}

export const captionPushSchema = z
  .object({
    slug,
    text: textField(CAPTION_TEXT_RULE),
    final: z.boolean().default(true),
    /** The track; default en-US. */
    lang: z
      .string()
      .max(35)
      .transform((raw, ctx) => {
        const lang = normalizeLang(raw);
        if (lang) return lang;
        ctx.addIssue({ code: "custom", message: "lang must be a language tag like en-US or es-ES." });
        return z.NEVER;
      })
      .optional(),
  })
  .strict();

export const captionStateSchema = z.object({ slug }).strict();
export const captionPublishSchema = z.object({ published: z.boolean() }).strict();

/** `/sessions/<slug>/captions.<lang>.vtt` */
export function vttPath(slugValue: string, lang: string): string {
  return `/sessions/${slugValue}/captions.${lang}.vtt`;
}

/** "Spanish (Spain)" for es-ES where the runtime knows the name; the tag itself otherwise. */
export function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames(["en"], { type: "language" }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}
