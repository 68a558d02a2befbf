/**
 * The one input normalisation for text people type (docs/protocol.md, "Text fields"). Browser-safe:
 * zod schemas, route handlers, the CSV import and the forms' live counts all use it.
 *
 * - Control characters (C0 and C1, U+0000–U+001F, U+007F–U+009F) are refused with a message naming
 *   the character: Postgres cannot store U+0000 at all, and the others only ever arrive by accident
 *   or on purpose, never by typing. Where a field is multi-line, line feed and tab are text (CR LF and
 *   CR become LF first); in a one-line field every whitespace run, line breaks included, is one space.
 * - Text is NFC-normalised and trimmed, and loses the characters that hide text or reorder it
 *   (`HIDDEN_FORMAT`): a name, title or option then reads on every screen in the order it was typed.
 * - A minimum counts *visible* characters (letters, digits, punctuation, symbols), so a text made of
 *   Hangul fillers, braille blanks, tag characters, zero-width or other format characters does not
 *   pass for one with words in it. A maximum counts code points (it bounds storage and screen space).
 */
/* eslint-disable no-control-regex -- these rules exist to find and remove control characters. */
import { z } from "./schemas/zod";

/** Control characters no text field accepts (tab, LF and CR are handled apart). */
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Removed from every text people type (questions in lib/qa.ts, word-cloud answers in lib/polls.ts,
 * and every `textField`): bidirectional marks, embeddings, overrides and isolates (U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069), which make text display in another order than it was typed
 * ("\u202Etxt.exe" shows as "exe.txt"), and the invisible U+200B, U+2060, U+FEFF, U+00AD. Zero-width
 * (non-)joiners stay: several scripts and emoji need them.
 */
export const HIDDEN_FORMAT = /[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/gu;

/**
 * Letters, digits, punctuation and symbols that render as nothing: Hangul fillers (U+115F, U+1160,
 * U+3164, U+FFA0), the braille blank (U+2800), and the default-ignorable code points that are
 * letters (none other today). Format characters (Cf: zero-width, bidi controls, tags U+E0000–E007F,
 * U+00AD…), marks (variation selectors, combining grapheme joiner) and separators are never counted,
 * so they need no listing here. JS regex has no \p{Default_Ignorable_Code_Point}, hence the list.
 */
const BLANK_GRAPHIC = /[\u115f\u1160\u3164\uffa0\u2800]/u;
const GRAPHIC = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Characters a person sees: code points that are letters, digits, punctuation or symbols and not blank. */
export function visibleLength(text: string): number {
  let n = 0;
  for (const ch of text) if (GRAPHIC.test(ch) && !BLANK_GRAPHIC.test(ch)) n++;
  return n;
}

/** Code points (what a maximum counts). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** "U+0000" for the first control character in `text`, or null. */
export function firstControl(text: string, allowed: "none" | "multiline" = "none"): string | null {
  const m = (allowed === "multiline" ? FORBIDDEN_CONTROL : ANY_CONTROL).exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : null;
}

export function hasControlCharacters(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/** `text` without its control characters: for a search, where one can match nothing (and Postgres refuses U+0000). */
export function withoutControls(text: string): string {
  return text.replace(new RegExp(ANY_CONTROL.source, "gu"), "");
}

export interface TextRule {
  /** What the field is, for messages: "A title", "Each option". */
  what?: string;
  /** Visible characters at least (0: may be empty). */
  min?: number;
  /** Code points at most. */
  max: number;
  /** Keeps line feeds and tabs; otherwise every whitespace run becomes one space. */
  multiline?: boolean;
}

export type TextCheck = { ok: true; text: string } | { ok: false; message: string };

/** The rule as a plain function, for callers without zod (the CSV import). */
export function checkText(raw: string, rule: TextRule): TextCheck {
  const what = rule.what ?? "The text";
  // Tab, LF and CR are whitespace (a one-line field takes a pasted line break as a space); the other
  // controls are refused.
  const bad = firstControl(raw, "multiline");
  if (bad) return { ok: false, message: `${what} contains a control character (${bad}); remove it and try again.` };
  let text = raw.normalize("NFC").replace(HIDDEN_FORMAT, "");
  text = rule.multiline
    ? text
        .replace(/\r\n?/g, "\n")
        .replace(/[^\S\n\t]+$/gmu, "")
        .trim()
    : text.replace(/\s+/gu, " ").trim();
  const min = rule.min ?? 0;
  if (min > 0 && visibleLength(text) < min) {
    return {
      ok: false,
      message:
        min === 1
          ? `${what} is empty: it needs at least one letter, digit or symbol.`
          : `${what} needs at least ${min} characters (spaces and invisible characters do not count).`,
    };
  }
  const length = codePointLength(text);
  if (length > rule.max) return { ok: false, message: `${what} has at most ${rule.max} characters; this one has ${length}.` };
  return { ok: true, text };
}

/** The rule as a zod string: refuses control characters, NFC-normalises, trims, counts visible characters. */
export function textField(rule: TextRule) {
  // A raw bound before any work: a frame or body cannot make the server normalise megabytes.
  return z
    .string()
    .max(rule.max * 4 + 64, `${rule.what ?? "The text"} has at most ${rule.max} characters.`)
    .transform((raw, ctx) => {
      const r = checkText(raw, rule);
      if (r.ok) return r.text;
      ctx.addIssue({ code: "custom", message: r.message });
      return z.NEVER;
    });
}

/** The programme's slugs: lower-case letters and digits in words joined by single hyphens. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX = 120;

export function isSlug(value: unknown): value is string {
  return typeof value === "string" && value.length <= SLUG_MAX && SLUG_PATTERN.test(value);
}

export const SLUG_MESSAGE = "Not a session slug: lower-case letters, digits and single hyphens, like fms-planning.";

/** A session slug in any payload, query or URL. */
export const slugField = z.string().max(SLUG_MAX, SLUG_MESSAGE).regex(SLUG_PATTERN, SLUG_MESSAGE);
