/** The facts about sign-ins and roles. The service calls this port; the transport (server/realtime/publishers) delivers them. */

export interface AuthPublisher {
  /** A sign-in ended: close the sockets that came with it. */
  signInEnded(tokenHash: string): void;
  /** A person's roles changed: their sockets reconnect to pick up the new roles. */
  rolesChanged(userId: string): void;
}
