import type { StreamStateResult } from "../../../lib/realtime/contract";
import type { PlenaryServices } from "../../services";
import type { CommandRegistrar } from "../command";

/** Socket commands of the stream views (viewer page, backstage). Identity comes from the handshake. */
export function streamingCommands(app: PlenaryServices, on: CommandRegistrar): void {
  const session = (slug: string) => app.agenda.requireRow(slug);
  const streaming = app.streaming;

  // The state to render after joining or reconnecting: facts missed meanwhile are not replayed.
  on("stream:state", async ({ slug }, { actor }): Promise<StreamStateResult> => {
    const row = await session(slug);
    const can = streaming.abilities(actor, row);
    const [stream, hand] = await Promise.all([streaming.snapshot(row), streaming.hands.mine(actor, row)]);
    const result: StreamStateResult = { stream, hand };
    if (can.attendance) result.attendance = await streaming.attendance(actor, row);
    if (can.control) result.queue = await streaming.hands.queue(actor, row);
    return result;
  });

  on("stream:mute", async ({ slug, identity }, { actor }) => streaming.mute(actor, await session(slug), identity), { capacity: 10, perSecond: 2 });

  const handRate = { capacity: 5, perSecond: 0.5 };
  on("hand:raise", async ({ slug }, { actor }) => streaming.hands.raise(actor, await session(slug)), handRate);
  on("hand:lower", async ({ slug }, { actor }) => streaming.hands.lower(actor, await session(slug)), handRate);
  on("hand:queue", async ({ slug }, { actor }) => streaming.hands.queue(actor, await session(slug)));
  on("hand:promote", async ({ slug, handId, camera }, { actor }) => streaming.hands.promote(actor, await session(slug), handId, camera ?? false));
  on("hand:demote", async ({ slug, handId }, { actor }) => streaming.hands.demote(actor, await session(slug), handId));

  // A captioner sends a few lines a second at most. Both this and the ingest URL go through app.captions.
  on("caption:push", async ({ slug, text, final, lang }, { actor }) => app.captions.push(actor, await session(slug), { text, final, lang }), {
    capacity: 20,
    perSecond: 5,
  });
  on("caption:state", async ({ slug }, { actor }) => app.captions.state(actor, await session(slug)));
}
