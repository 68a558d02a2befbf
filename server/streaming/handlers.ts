import type { SessionRow } from "../../db/schema";
import type { StreamStateResult } from "../../lib/realtime/contract";
import { captionSchema, handDecisionSchema, muteSchema, slugPayloadSchema } from "../../lib/streaming";
import type { PlenaryServices } from "../app";
import { AppError } from "../errors";
import { onCommand } from "../realtime/command";
import type { PlenarySocket } from "../realtime/io";

/** Socket commands of the stream views (viewer page, backstage). Identity comes from the handshake. */
export function registerStreamingHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  const session = async (slug: string): Promise<SessionRow> => {
    const row = await app.agenda.findRow(slug);
    if (!row) throw new AppError("not_found", `There is no session "${slug}" in the programme.`);
    return row;
  };
  const actor = () => socket.data.actor;
  const streaming = app.streaming;

  // The state to render after joining or reconnecting: facts missed meanwhile are not replayed.
  onCommand(socket, app, "stream:state", slugPayloadSchema, async ({ slug }): Promise<StreamStateResult> => {
    const s = await session(slug);
    const can = streaming.abilities(actor(), s);
    const [stream, hand] = await Promise.all([streaming.snapshot(s), streaming.hands.mine(actor(), s)]);
    const result: StreamStateResult = { stream, hand };
    if (can.attendance) result.attendance = await streaming.attendance(actor(), s);
    if (can.control) result.queue = await streaming.hands.queue(actor(), s);
    return result;
  });

  onCommand(socket, app, "stream:mute", muteSchema, async ({ slug, identity }) => streaming.mute(actor(), await session(slug), identity), { capacity: 10, perSecond: 2 });

  const handRate = { capacity: 5, perSecond: 0.5 };
  onCommand(socket, app, "hand:raise", slugPayloadSchema, async ({ slug }) => streaming.hands.raise(actor(), await session(slug)), handRate);
  onCommand(socket, app, "hand:lower", slugPayloadSchema, async ({ slug }) => streaming.hands.lower(actor(), await session(slug)), handRate);
  onCommand(socket, app, "hand:queue", slugPayloadSchema, async ({ slug }) => streaming.hands.queue(actor(), await session(slug)));
  onCommand(socket, app, "hand:promote", handDecisionSchema, async ({ slug, handId, camera }) =>
    streaming.hands.promote(actor(), await session(slug), handId, camera ?? false),
  );
  onCommand(socket, app, "hand:demote", handDecisionSchema, async ({ slug, handId }) => streaming.hands.demote(actor(), await session(slug), handId));

  // A captioner sends a few lines a second at most.
  onCommand(socket, app, "caption:push", captionSchema, async ({ slug, text, final }) => streaming.caption(actor(), await session(slug), text, final), {
    capacity: 20,
    perSecond: 5,
  });
}
