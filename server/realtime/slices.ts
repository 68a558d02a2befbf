/**
 * Room-wide broadcasts on a tick (vote counts) in slices. A broadcast writes to every socket of the
 * room in one go, some 20 µs a socket: 0.1 s for a room of 5,000, during which this instance reads
 * no vote and answers none. So this instance's sockets get it a slice at a time, with a turn of the
 * event loop (its I/O) between slices; the other instances' sockets get it through the adapter
 * (Redis), each instance writing its own in one go, as before.
 */
import type { ServerToClientEvents } from "../../lib/realtime/contract";
import { instanceRoom, type PlenaryIo } from "./io";

/** About 10 ms of the event loop a slice. */
export const SOCKETS_PER_SLICE = 500;

/**
 * Sends `event` to every socket in `room`, on every instance; resolves when this instance has written
 * its last slice. A socket that left the room before its slice is skipped; one that joined after the
 * broadcast began is not written to (it has just synced).
 */
export async function broadcastInSlices<E extends keyof ServerToClientEvents>(
  io: PlenaryIo,
  room: string,
  event: E,
  payload: Parameters<ServerToClientEvents[E]>[0],
  perSlice = SOCKETS_PER_SLICE,
): Promise<void> {
  const send = (to: ReturnType<PlenaryIo["to"]>) => (to.emit as (e: E, p: typeof payload) => boolean)(event, payload);
  send(io.to(room).except(instanceRoom(io)));
  const members = io.of("/").adapter.rooms.get(room);
  if (!members) return;
  const ids = [...members];
  for (let i = 0; i < ids.length; i += perSlice) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const slice = ids.slice(i, i + perSlice).filter((id) => members.has(id));
    if (slice.length) send(io.local.to(slice));
  }
}
