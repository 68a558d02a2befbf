/**
 * The event's look, as an organizer sets it on /admin/branding: the name in the header, a small logo
 * and the brand colour. Shared by the form (browser) and the server, which checks every field again.
 */
import { z } from "./schemas/zod";
import { textField, visibleLength } from "./text";

export interface Branding {
  /** The event's name in the header; null: the event's own name. */
  name: string | null;
  /** #rrggbb; null: Plenary's blue. Used for buttons (white text on it) and links (on white). */
  accent: string | null;
  /** A data: URL of a PNG, JPEG or WebP image; null: no logo. */
  logo: string | null;
}

export const BRANDING_LIMITS = { name: 80, logoBytes: 64 * 1024 } as const;
export const DEFAULT_ACCENT = "#0b4f8a";

function channel(hex: string, i: number): number {
  const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2 contrast ratio of a #rrggbb colour against white. */
export function contrastOnWhite(hex: string): number {
  const l = 0.2126 * channel(hex, 0) + 0.7152 * channel(hex, 1) + 0.0722 * channel(hex, 2);
  return 1.05 / (l + 0.05);
}

const LOGO = /^data:image\/(png|jpeg|webp);base64,([A-Za-z0-9+/]+={0,2})$/;

/** Decoded size of a base64 payload, in bytes. */
export function base64Bytes(b64: string): number {
  return Math.floor((b64.length * 3) / 4) - (b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0);
}

export const brandingUpdateSchema = z
  .object({
    // The text rule (lib/text.ts): no control characters; blank or invisible-only means the event's own name.
    name: textField({ what: "The event name", max: BRANDING_LIMITS.name })
      .transform((s) => (visibleLength(s) === 0 ? null : s))
      .nullable(),
    accent: z
      .string()
      .trim()
      .transform((s) => s.toLowerCase())
      .refine((s) => s === "" || /^#[0-9a-f]{6}$/.test(s), "Give the colour as #rrggbb, e.g. #0b4f8a.")
      .refine(
        (s) => s === "" || contrastOnWhite(s) >= 4.5,
        "This colour is too light: white text on it and links in it would not be readable (contrast below 4.5:1 on white). Choose a darker colour.",
      )
      .transform((s) => (s === "" ? null : s))
      .nullable(),
    logo: z
      .string()
      .max(Math.ceil((BRANDING_LIMITS.logoBytes * 4) / 3) + 64, `The logo is larger than ${BRANDING_LIMITS.logoBytes / 1024} KB.`)
      .refine((s) => s === "" || LOGO.test(s), "The logo must be a PNG, JPEG or WebP image.")
      .refine(
        (s) => s === "" || base64Bytes(s.replace(LOGO, "$2")) <= BRANDING_LIMITS.logoBytes,
        `The logo is larger than ${BRANDING_LIMITS.logoBytes / 1024} KB.`,
      )
      .transform((s) => (s === "" ? null : s))
      .nullable(),
  })
  .strict();
export type BrandingUpdate = z.output<typeof brandingUpdateSchema>;
