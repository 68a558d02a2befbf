import type { SessionRoleName } from "../../db/schema";

/** The signed-in person behind a request or socket, as the server knows them. Never sent as is. */
export interface Actor {
  userId: string;
  kind: "person" | "device";
  name: string | null;
  email: string | null;
  affiliation: string | null;
  attendanceMode: "in_person" | "remote";
  isOrganizer: boolean;
  /** Holds the event's "check-in" role: may run the registration desk (and nothing else staff may). */
  isCheckIn?: boolean;
  /** Was checked in at the desk: in the room for every session, as a device with a room code is. */
  checkedIn?: boolean;
  isDemo: boolean;
  /** Session id → this person's roles in it. */
  sessionRoles: Map<string, Set<SessionRoleName>>;
  /** sha256 of the sign-in token the actor came with (to end exactly that sign-in). */
  authSessionHash: string;
}

export function hasSessionRole(actor: Actor | null, sessionId: string, ...roles: SessionRoleName[]): boolean {
  const mine = actor?.sessionRoles.get(sessionId);
  return Boolean(mine && roles.some((r) => mine.has(r)));
}

/** What the browser may know about its own user: enough to render, nothing more. */
