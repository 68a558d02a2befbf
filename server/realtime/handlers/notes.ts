/** Socket commands of the private notes to the panel: the contract's schema parses, the note service authorizes, stores, then answers. */
import { AppError } from "../../errors";
import type { PlenaryServices } from "../../services";
import type { CommandRegistrar } from "../command";
import { rooms } from "../rooms";

/** A producer sends a few notes a minute; panelists acknowledge each once. */
const NOTE_RATE = { capacity: 10, perSecond: 1 };

export function noteCommands(app: PlenaryServices, on: CommandRegistrar): void {
  // Joins the notes room once authorized, before reading, so no note stored after the read is missed.
  on("note:sync", async ({ slug }, { actor, socket }) => {
    // A room screen's socket never hears notes, whatever roles the person signed in on it has.
    const session = await app.agenda.requireRow(slug);
    if (socket.data.screens.has(session.id)) throw new AppError("forbidden", "A room screen does not show the notes to the panel.");
    const { notes, canSend, canAck, readByMe } = await app.notes.sync(actor, slug, (id) => socket.join(rooms.notes(id)));
    return { notes, canSend, canAck, readByMe };
  });
  on("note:send", (input, { actor }) => app.notes.send(actor, input), NOTE_RATE);
  on("note:ack", (input, { actor }) => app.notes.ack(actor, input), NOTE_RATE);
}
