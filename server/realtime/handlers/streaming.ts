import type { StreamStateResult } from "../../../lib/realtime/contract";
import type { PlenaryServices } from "../../services";
import { onCommand } from "../command";
import type { PlenarySocket } from "../io";

/** Socket commands of the stream views (viewer page, backstage). Identity comes from the handshake. */
export function registerStreamingHandlers(app: PlenaryServices, socket: PlenarySocket): void {
  const session = (slug: string) => app.agenda.requireRow(slug);
  const actor = () => socket.data.actor;
  const streaming = app.streaming;

  // The state to render after joining or reconnecting: facts missed meanwhile are not replayed.
  onCommand(socket, app, "stream:state", async ({ slug }): Promise<StreamStateResult> => {
    const row = await session(slug);
    const can = streaming.abilities(actor(), row);
    const [stream, hand] = await Promise.all([streaming.snapshot(row), streaming.hands.mine(actor(), row)]);
    const result: StreamStateResult = { stream, hand };
    if (can.attendance) result.attendance = await streaming.attendance(actor(), row);
    if (can.control) result.queue = await streaming.hands.queue(actor(), row);
    return result;
  });

  onCommand(socket, app, "stream:mute", async ({ slug, identity }) => streaming.mute(actor(), await session(slug), identity), { capacity: 10, perSecond: 2 });

  const handRate = { capacity: 5, perSecond: 0.5 };
  onCommand(socket, app, "hand:raise", async ({ slug }) => streaming.hands.raise(actor(), await session(slug)), handRate);
  onCommand(socket, app, "hand:lower", async ({ slug }) => streaming.hands.lower(actor(), await session(slug)), handRate);
  onCommand(socket, app, "hand:queue", async ({ slug }) => streaming.hands.queue(actor(), await session(slug)));
  onCommand(socket, app, "hand:promote", async ({ slug, handId, camera }) => streaming.hands.promote(actor(), await session(slug), handId, camera ?? false));
  onCommand(socket, app, "hand:demote", async ({ slug, handId }) => streaming.hands.demote(actor(), await session(slug), handId));

  // A captioner sends a few lines a second at most. Both this and the ingest URL go through app.captions.
  onCommand(socket, app, "caption:push", async ({ slug, text, final, lang }) => app.captions.push(actor(), await session(slug), { text, final, lang }), {
    capacity: 20,
    perSecond: 5,
  });
  onCommand(socket, app, "caption:state", async ({ slug }) => app.captions.state(actor(), await session(slug)));
}
