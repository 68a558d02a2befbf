import type { SessionCapabilities } from "../../../lib/realtime/contract";
import type { PlenaryServices } from "../../services";
import type { CommandRegistrar } from "../command";
import { rooms } from "../rooms";

/** What a room screen may do: show. Whatever the roles of the person signed in on the room's computer. */
const SCREEN_CAN: SessionCapabilities = {
  ask: false,
  vote: false,
  answerPolls: false,
  moderate: false,
  managePolls: false,
  panel: false,
  screen: true,
  watch: false,
  publish: false,
  controlStream: false,
  record: false,
  raiseHand: false,
};

/** Session-level commands every capability builds on: joining a session's rooms with the right role. */
export function sessionCommands(app: PlenaryServices, on: CommandRegistrar): void {
  on("session:join", async ({ slug, view }, { actor, socket }) => {
    // A room entering at once: one read of the session for every join that arrives in the same turn.
    const session = await app.agenda.requireRow(slug, { gather: true });
    // A room screen (staff signed in on the projector's computer) is put in the audience's room and
    // the screen room only: never in the staff or panel rooms, where pending questions, tags,
    // original texts, dismissal reasons and poll drafts go. Once a screen, this socket stays one for
    // the session (a later join without the view changes nothing) until it leaves the session.
    if (view === "screen" || socket.data.screens.has(session.id)) {
      await app.guard.require(actor, "screen:view", session);
      socket.data.screens.add(session.id);
      await socket.leave(rooms.staff(session.id));
      await socket.leave(rooms.panel(session.id));
      await socket.join([rooms.session(session.id), rooms.screen(session.id)]);
      return { sessionId: session.id, slug: session.slug, signedIn: Boolean(actor), can: SCREEN_CAN };
    }
    const allowed = (a: Parameters<typeof app.guard.allowed>[1]) => app.guard.allowed(actor, a, session);
    const can: SessionCapabilities = {
      ask: allowed("question:ask"),
      vote: allowed("question:vote"),
      answerPolls: allowed("poll:answer"),
      moderate: allowed("question:moderate"),
      managePolls: allowed("poll:manage"),
      panel: allowed("panel:view"),
      screen: allowed("screen:view"),
      watch: allowed("stream:view"),
      publish: allowed("stream:publish"),
      controlStream: allowed("stream:control"),
      record: allowed("recording:control"),
      raiseHand: allowed("hand:raise"),
    };
    const joins = [rooms.session(session.id)];
    if (can.moderate || can.managePolls || can.controlStream) joins.push(rooms.staff(session.id));
    if (can.panel || can.moderate) joins.push(rooms.panel(session.id));
    if (can.screen) joins.push(rooms.screen(session.id));
    await socket.join(joins);
    return { sessionId: session.id, slug: session.slug, signedIn: Boolean(actor), can };
  });

  on("session:leave", async ({ slug }, { socket }) => {
    const session = await app.agenda.findRow(slug);
    if (session) {
      for (const room of [rooms.session, rooms.staff, rooms.panel, rooms.screen]) await socket.leave(room(session.id));
      socket.data.screens.delete(session.id);
    }
    return null;
  });
}
