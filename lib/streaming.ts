/**
 * Streaming as pages, routes and socket facts carry it. Browser-safe: types, payload schemas and the
 * session-window rule both sides show.
 */
import { z } from "./schemas/zod";
import { slugField as slug } from "./text";

export type StreamState = "idle" | "live" | "ended";

/** Viewers may connect from 30 minutes before the start ("doors open")… */
export const DOORS_OPEN_MS = 30 * 60_000;
/** …until 30 minutes after the scheduled end, so an overrunning panel is not cut off. */
export const OVERRUN_MS = 30 * 60_000;

export function streamWindow(startsAt: string | Date, endsAt: string | Date): { opensAt: Date; closesAt: Date } {
  return { opensAt: new Date(new Date(startsAt).getTime() - DOORS_OPEN_MS), closesAt: new Date(new Date(endsAt).getTime() + OVERRUN_MS) };
}

/**
 * The video server behind every stream. On a first run with Go and no LiveKit binary, Plenary builds it
 * in the background (`preparing`) and turns streaming on by itself when it is `ready`.
 */
/** Whether a session may be recorded at all: never under the Chatham House Rule, never without permission. */
export function mayRecord(session: { recordingAllowed: boolean; rule: string } | undefined): boolean {
  return session !== undefined && session.recordingAllowed && session.rule !== "chatham_house";
}

export type MediaState =
  | { status: "ready" }
  | { status: "preparing"; /** The build's last step, e.g. "compiling (212 packages)"; null before the first. */ progress: string | null }
  | { status: "unavailable"; reason: MediaUnavailableReason; /** What a person can do about it (fixed text, no paths). */ message: string };

/** `off`: LIVEKIT_BIN=off; `needs_livekit`: no binary and no Go to build it; the others: the build or the server failed. */
export type MediaUnavailableReason = "off" | "needs_livekit" | "build_failed" | "start_failed";

/** What the pages say while the media server is built (a live region reads it out). */
export const MEDIA_PREPARING_TEXT = "Preparing the media server (first run) — streaming turns on by itself in a few minutes.";

/** The stream of one session as everyone may see it. */
export interface StreamSnapshot {
  slug: string;
  /** False when Plenary runs without a LiveKit server (yet): the page says why (`media`) and nothing else changes. */
  available: boolean;
  media: MediaState;
  state: StreamState;
  /** A recording is running, on LiveKit's word (its webhooks): show REC. */
  recording: boolean;
  /** A recording was started and LiveKit has not yet said that its recorder is in the room. */
  recordingStarting?: boolean;
  /** Why the session's latest recording failed (it started, then the recorder could not join or its file could not be made). */
  recordingError?: string | null;
  /** The session's policy allows recording (never under the Chatham House Rule). */
  recordingAllowed: boolean;
  /** ISO instants: viewers may connect between these. */
  opensAt: string;
  closesAt: string;
  version: number;
}

/** What the person looking at the page may do with the stream; the server decides, pages only render. */
export interface StreamAbilities {
  signedIn: boolean;
  watch: boolean;
  publish: boolean;
  control: boolean;
  record: boolean;
  raiseHand: boolean;
  caption: boolean;
  attendance: boolean;
  /** Sends notes to the panel (backstage shows the composer, not the panelists' inbox). */
  notes: boolean;
}

/**
 * `publisher`: panelists and moderators; `monitor`: staff watching backstage; `viewer`: the audience;
 * `speaker`: a member of the audience whose request to speak a moderator promoted (microphone, camera
 * when granted).
 */
export type StreamTokenRole = "publisher" | "monitor" | "viewer" | "speaker";

export interface StreamToken {
  /** LiveKit's WebSocket URL. */
  url: string;
  token: string;
  identity: string;
  role: StreamTokenRole;
  expiresAt: string;
}

export interface StreamAttendance {
  slug: string;
  /** Remote viewers connected to the LiveKit room now. */
  viewers: number;
  /** Panelists, moderators and promoted speakers connected now. */
  publishers: number;
  /** Grows with every change to the session's attendance (across instances): keep the higher count. */
  version: number;
}

export type HandStatus = "none" | "waiting" | "promoted";

/** A request to speak as moderators see it (Day 2 is on the record: names are shown). */
export interface HandRequest {
  id: string;
  name: string;
  affiliation: string | null;
  raisedAt: string;
  status: "waiting" | "promoted";
  camera: boolean;
}

export interface HandQueue {
  slug: string;
  requests: HandRequest[];
}

/** The requester's own view of their request. */
export interface MyHand {
  slug: string;
  status: HandStatus;
  camera: boolean;
  /** Why it changed, for the live region: "promoted", "demoted", "lowered", "raised". */
  reason?: "raised" | "promoted" | "demoted" | "lowered";
}

/** Captions moved to lib/captions.ts (one caption service for the socket and the ingest URL). */
export type { CaptionLine } from "./captions";

export const streamTokenRequestSchema = z
  .object({
    /** A random id of the browser tab: identities are unique per tab, so two tabs do not replace each other. */
    tab: z
      .string()
      .regex(/^[A-Za-z0-9_-]{6,32}$/, "tab must be 6–32 letters, digits, _ or -")
      .optional(),
    /** Staff watching backstage without publishing. */
    monitor: z.boolean().optional(),
  })
  .strict();

export const streamActionSchema = z
  .object({
    action: z.enum(["start", "end"]),
    /** The moderator chose "Go live anyway" with nobody on stage. */
    emptyStage: z.literal(true).optional(),
  })
  .strict();
export const recordingActionSchema = z.object({ action: z.enum(["start", "stop"]) }).strict();

export const slugPayloadSchema = z.object({ slug }).strict();
export const handDecisionSchema = z.object({ slug, handId: z.uuid(), camera: z.boolean().optional() }).strict();
/** LiveKit identities are Plenary's own (user id and tab): printable ASCII, no spaces. */
export const muteSchema = z.object({ slug, identity: z.string().regex(/^[\x21-\x7e]{1,120}$/, "Not a participant identity.") }).strict();
export { captionPushSchema as captionSchema } from "./captions";
