/** The only place socket.io room names are spelled. */
export const rooms = {
  /** Everyone looking at the agenda or a session page. */
  agenda: () => "agenda",
} as const;
