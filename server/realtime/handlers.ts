import { z } from "zod";
import type { SessionCapabilities, SessionJoined } from "../../lib/realtime/contract";
import type { PlenaryServices } from "../app";
import { AppError } from "../errors";
import { onCommand } from "./command";
import type { PlenarySocket } from "./io";
import { rooms } from "./rooms";

const slugSchema = z.object({ slug: z.string().min(1).max(120) });

/** Session-level commands every capability builds on: joining a session's rooms with the right role. */
export function registerSessionHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  onCommand(socket, app, "session:join", slugSchema, async ({ slug }): Promise<SessionJoined> => {
    const session = await app.agenda.findRow(slug);
    if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    const actor = socket.data.actor;
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

  // Moderators and organizers open or close Q&A and choose its mode from the console.
  onCommand(
    socket,
    app,
    "qa:configure",
    z.object({ slug: z.string().min(1).max(120), qaOpen: z.boolean().optional(), qaMode: z.enum(["pre_moderated", "open"]).optional() }).strict(),
    async ({ slug, ...patch }) => {
      const session = await app.agenda.findRow(slug);
      if (!session) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
      await app.guard.require(socket.data.actor, "qa:configure", session);
      return app.agenda.update(slug, patch, { actor: socket.data.actor });
    },
  );

  onCommand(socket, app, "session:leave", slugSchema, async ({ slug }) => {
    const session = await app.agenda.findRow(slug);
    if (session) for (const room of [rooms.session, rooms.staff, rooms.panel, rooms.screen]) await socket.leave(room(session.id));
    return null;
  });
}
