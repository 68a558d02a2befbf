import type { PlenaryServices } from "../../services";
import type { CommandRegistrar } from "../command";
import { rooms } from "../rooms";

/** A search as the helper types: more frequent than other commands, still bounded. */
const SEARCH_RATE = { capacity: 40, perSecond: 10 };

/** The registration desk (/check-in): counts (and `checkin:changed` while open), search, check-in, walk-ins. */
export function checkInCommands(app: PlenaryServices, on: CommandRegistrar): void {
  on("checkin:desk", async (_input, { actor, socket }) => {
    // The service checks the role (organizer or check-in helper) first; only then does the socket hear the counts.
    const counts = await app.checkIn.counts(actor);
    await socket.join(rooms.checkInDesks());
    return counts;
  });
  on("checkin:search", (input, { actor }) => app.checkIn.search(actor, input.query), SEARCH_RATE);
  on("checkin:check-in", (input, { actor }) => app.checkIn.checkIn(actor, input));
  on("checkin:walk-in", (input, { actor }) => app.checkIn.walkIn(actor, input));
}
