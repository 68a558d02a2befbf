import type { PlenaryServices } from "../../services";
import { onCommand } from "../command";
import type { PlenarySocket } from "../io";
import { rooms } from "../rooms";

/** A search as the helper types: more frequent than other commands, still bounded. */
const SEARCH_RATE = { capacity: 40, perSecond: 10 };

/** The registration desk (/check-in): counts (and `checkin:changed` while open), search, check-in, walk-ins. */
export function registerCheckInHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  onCommand(socket, app, "checkin:desk", async () => {
    // The service checks the role (organizer or check-in helper) first; only then does the socket hear the counts.
    const counts = await app.checkIn.counts(socket.data.actor);
    await socket.join(rooms.checkInDesks());
    return counts;
  });
  onCommand(socket, app, "checkin:search", (input) => app.checkIn.search(socket.data.actor, input.query), SEARCH_RATE);
  onCommand(socket, app, "checkin:check-in", (input) => app.checkIn.checkIn(socket.data.actor, input));
  onCommand(socket, app, "checkin:walk-in", (input) => app.checkIn.walkIn(socket.data.actor, input));
}
