/**
 * The registration desk (/check-in) and the personal pass: what the server sends and the payloads it
 * accepts, shared by the server and the page. Browser-safe.
 */
import { textField } from "./text";
import { z } from "./schemas/zod";

/** The pass token in a QR code: `<code>.<mac>`, both base64url (server/checkin/pass.ts). */
export const PASS_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;
/** What the QR code carries: a URL (a phone's camera app opens the pass page) whose last part is the token. */
export const PASS_URL_PREFIX = "/p/";

/** The token inside whatever a scanner read: the bare token, or the pass URL with it. */
export function passTokenFrom(scanned: string): string {
  const text = scanned.trim();
  const at = text.lastIndexOf(PASS_URL_PREFIX);
  return at >= 0 ? text.slice(at + PASS_URL_PREFIX.length) : text;
}

export interface DeskCounts {
  /** Registered participants (people, not room devices and not staff-only accounts). */
  registered: number;
  checkedIn: number;
  /** Registered, by how they said they attend. */
  registeredInPerson: number;
  registeredRemote: number;
  /** Checked in, by how they registered (walk-ins are in person). */
  checkedInInPerson: number;
  checkedInRemote: number;
}

export interface DeskPerson {
  userId: string;
  name: string | null;
  email: string | null;
  affiliation: string | null;
  attendanceMode: "in_person" | "remote";
  /** When they were checked in (ISO), or null. */
  checkedInAt: string | null;
}

export interface CheckInResult {
  person: DeskPerson;
  /** False when they had already been checked in: `person.checkedInAt` is that first time. */
  firstTime: boolean;
  counts: DeskCounts;
}

export const deskSchema = z.object({}).strict();

export const deskSearchSchema = z
  .object({
    /** Part of a name, e-mail or affiliation; 2 characters at least (the desk searches as one types). */
    query: textField({ what: "A search", min: 2, max: 100 }),
  })
  .strict();

export const checkInSchema = z.union([
  z.object({ userId: z.uuid("Not a participant id.") }).strict(),
  z.object({ pass: z.string().max(500, "That is not a Plenary pass.").transform(passTokenFrom) }).strict(),
]);

export const walkInSchema = z
  .object({
    name: textField({ what: "A name", min: 1, max: 120 }),
    email: z
      .string()
      .max(254)
      .transform((s) => s.trim().toLowerCase())
      .pipe(z.email("Enter an e-mail address like name@example.org.")),
    affiliation: textField({ what: "An affiliation", max: 200 }).optional(),
    attendanceMode: z.enum(["in_person", "remote"]).default("in_person"),
  })
  .strict();

export type CheckInPayload = z.input<typeof checkInSchema>;
export type WalkInPayload = z.input<typeof walkInSchema>;
