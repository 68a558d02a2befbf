/** A session's recordings as the download page lists them (GET /api/sessions/<slug>/recordings). */
import { z } from "./schemas/zod";

export interface RecordingCaptionTrack {
  /** WebVTT file of the captions sent while the recording ran. */
  url: string;
  label: string;
  lang: string;
}

export interface RecordingItem {
  id: string;
  status: "recording" | "finalising" | "ready" | "failed";
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  bytes: number | null;
  published: boolean;
  /** Why there is no file (failed only). */
  error: string | null;
  /** Download (organizers) or watch (attendees, once published); null until the file is ready. */
  url: string | null;
  captions: RecordingCaptionTrack[];
}

export interface RecordingList {
  slug: string;
  /** Organizers see every recording and may publish; attendees see the published ones. */
  manage: boolean;
  recordings: RecordingItem[];
}

/** A recording's id in URLs (a LiveKit egress id or the track recorder's own). */
export const RECORDING_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const recordingPublishSchema = z.object({ published: z.boolean() }).strict();
