/** The only place socket.io room names are spelled. */
export const rooms = {
  /** Everyone looking at the agenda or a session page. */
  agenda: () => "agenda",
  /** Every socket of one person. */
  user: (userId: string) => `user:${userId}`,
  /** Every socket that came with one sign-in (one browser). */
  signIn: (tokenHash: string) => `signin:${tokenHash}`,
  /** Everyone who joined a session, whatever their role. */
  session: (sessionId: string) => `session:${sessionId}`,
  /** Organizers and moderators of a session. */
  staff: (sessionId: string) => `session:${sessionId}:staff`,
  /** Panelists, moderators and organizers of a session. */
  panel: (sessionId: string) => `session:${sessionId}:panel`,
  /** Producers and panelists of a session who loaded its private notes (never the audience or a screen). */
  notes: (sessionId: string) => `session:${sessionId}:notes`,
  /** Room screens (projectors) of a session. */
  screen: (sessionId: string) => `session:${sessionId}:screen`,
  /** Organizers watching the live dashboard (/admin). */
  organizers: () => "organizers",
  /** Open check-in desks (/check-in): organizers and check-in helpers. */
  checkInDesks: () => "check-in-desks",
  /** Every socket of one socket.io server (one instance of a cluster): see server/realtime/slices.ts. */
  instance: (serverId: string) => `instance:${serverId}`,
} as const;

/** The session a `rooms.session(id)` name belongs to, or null for any other room. */
export function sessionOfRoom(room: string): string | null {
  const m = /^session:([0-9a-f-]{36})$/.exec(room);
  return m ? m[1] : null;
}
