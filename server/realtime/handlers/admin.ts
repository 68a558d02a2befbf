import type { PlenaryServices } from "../../services";
import { onCommand } from "../command";
import type { PlenarySocket } from "../io";
import { rooms } from "../rooms";

/** The organizer's live dashboard: a snapshot on request, and `admin:changed` hints while watching. */
export function registerAdminHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  onCommand(socket, app, "admin:dashboard", async () => {
    // The role is checked on every request (the guard throws `forbidden` for anyone but organizers),
    // and only then does the socket join the organizers' room.
    const snapshot = await app.reports.dashboard(socket.data.actor);
    await socket.join(rooms.organizers());
    return snapshot;
  });
}
