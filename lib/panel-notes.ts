/**
 * Private notes from the producers (a session's moderators and organizers) to its panelists: "2
 * minutes left", "take the next question from the room". Browser-safe: the payload schemas, the text
 * rule and the shapes both sides share. The server decides who sends and who reads (server/messages).
 */
import { z } from "./schemas/zod";
import { clientKeyField } from "./schemas/qa";
import { slugField, textField } from "./text";

/** A note is read at a glance on a tablet on stage: short. */
export const NOTE_MAX_CHARS = 140;

/** What producers send most; one press each. */
export const NOTE_PRESETS = [
  "2 minutes left",
  "5 minutes left",
  "Please wrap up",
  "Take the next question from the room",
  "Take the next question from remote viewers",
  "Please repeat the question for the stream",
] as const;

export const noteTextField = textField({ what: "A note", min: 1, max: NOTE_MAX_CHARS });

export const noteSyncSchema = z.object({ slug: slugField }).strict();
export const noteSendSchema = z.object({ slug: slugField, key: clientKeyField, text: noteTextField }).strict();
export const noteAckSchema = z.object({ slug: slugField, noteId: z.uuid("Not a note id.") }).strict();

export interface NoteRead {
  /** The panelist's name as the organizers entered it (staff only ever see these notes). */
  name: string;
  at: string;
}

export interface PanelNote {
  id: string;
  slug: string;
  text: string;
  sentAt: string;
  from: { name: string; role: "organizer" | "moderator" };
  /** Who acknowledged it, first first. */
  reads: NoteRead[];
}

/** `note:sync`: the session's recent notes and what this person may do with them. */
export interface NoteSync {
  notes: PanelNote[];
  canSend: boolean;
  canAck: boolean;
  /** Notes this person has acknowledged. */
  readByMe: string[];
}

export interface NoteAckResult {
  note: PanelNote;
}
