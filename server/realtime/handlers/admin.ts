import type { PlenaryServices } from "../../services";
import type { CommandRegistrar } from "../command";
import { rooms } from "../rooms";

/** The organizer's live dashboard: a snapshot on request, and `admin:changed` hints while watching. */
export function adminCommands(app: PlenaryServices, on: CommandRegistrar): void {
  on("admin:dashboard", async (_input, { actor, socket }) => {
    // The role is checked on every request (the guard throws `forbidden` for anyone but organizers),
    // and only then does the socket join the organizers' room.
    const snapshot = await app.reports.dashboard(actor);
    await socket.join(rooms.organizers());
    return snapshot;
  });
}
