import { z } from "zod";
import { slugField } from "../../lib/text";
import type { SessionCapabilities, SessionJoined } from "../../lib/realtime/contract";
import type { PlenaryServices } from "../app";
import { AppError } from "../errors";
import { onCommand } from "./command";
import type { PlenarySocket } from "./io";
import { rooms } from "./rooms";

const slugSchema = z.object({ slug: slugField });

const joinSchema = z.object({
  slug: slugField,
  /** The room's projector: only what the room may see (docs/protocol.md, `session:join`). */
  view: z.literal("screen").optional(),
});

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
export function registerSessionHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  onCommand(socket, app, "session:join", joinSchema, async ({ slug, view }): Promise<SessionJoined> => {
    const session = await app.agenda.findRow(slug);
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    const actor = socket.data.actor;
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
    const g = (a: Parameters<typeof app.guard.allowed>[1]) => app.guard.allowed(actor, a, session);
    const can: SessionCapabilities = {
      ask: g("question:ask"),
      vote: g("question:vote"),
      answerPolls: g("poll:answer"),
      moderate: g("question:moderate"),
      managePolls: g("poll:manage"),
      panel: g("panel:view"),
      screen: g("screen:view"),
      watch: g("stream:view"),
      publish: g("stream:publish"),
      controlStream: g("stream:control"),
      record: g("recording:control"),
      raiseHand: g("hand:raise"),
    };
    const joins = [rooms.session(session.id)];
    if (can.moderate || can.managePolls || can.controlStream) joins.push(rooms.staff(session.id));
    if (can.panel || can.moderate) joins.push(rooms.panel(session.id));
    if (can.screen) joins.push(rooms.screen(session.id));
    await socket.join(joins);
    return { sessionId: session.id, slug: session.slug, signedIn: Boolean(actor), can };
  });

  onCommand(socket, app, "session:leave", slugSchema, async ({ slug }) => {
    const session = await app.agenda.findRow(slug);
    if (session) {
      for (const room of [rooms.session, rooms.staff, rooms.panel, rooms.screen]) await socket.leave(room(session.id));
      socket.data.screens.delete(session.id);
    }
    return null;
  });
}
