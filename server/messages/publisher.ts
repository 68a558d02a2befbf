import type { PanelNote } from "../../lib/panel-notes";

/** Facts the notes capability announces; server/realtime/publishers sends them to the session's notes room only. */
export interface NotePublisher {
  noteSent(sessionId: string, note: PanelNote): void;
  noteAcknowledged(sessionId: string, note: PanelNote): void;
}
