/**
 * The stream client engine without React: what a stream view holds and how the server's answers and
 * facts change it (newer versions only). app/_components/stream/use-stream-state.ts wraps it in a hook.
 * Browser-safe.
 */
import type { StreamStateResult } from "../realtime/contract";
import type { CaptionLine, HandQueue, MyHand, StreamAttendance, StreamSnapshot } from "../streaming";
import { listen, request, type CommandSocket, type FactSocket } from "./request";

export interface LiveStreamState {
  stream: StreamSnapshot;
  hand: MyHand;
  captions: CaptionLine[];
  attendance: StreamAttendance | null;
  queue: HandQueue | null;
  /** The socket is connected and the state was (re)loaded from the server. */
  synced: boolean;
}

const MAX_CAPTIONS = 50;

export function initialStreamState(stream: StreamSnapshot): LiveStreamState {
  return { stream, hand: { slug: stream.slug, status: "none", camera: false }, captions: [], attendance: null, queue: null, synced: false };
}

/**
 * Joins the session and loads its stream state; null when either was refused or not answered.
 * `asking` runs just before the state is asked for: facts after that point may be newer than the answer.
 */
export async function loadStream(socket: CommandSocket, slug: string, asking: () => void): Promise<StreamStateResult | null> {
  const joined = await request(socket, "session:join", { slug });
  if (!joined.ok) return null;
  asking();
  const res = await request(socket, "stream:state", { slug });
  return res.ok ? res.data : null;
}

/** The parts of the state that facts replace whole, without a version to compare. */
export type UnversionedPart = "hand" | "queue";

/** The newer of two attendance counts (counts read on different instances may arrive in either order). */
export function newerAttendance(held: StreamAttendance | null, next: StreamAttendance | null | undefined): StreamAttendance | null {
  if (!next) return held;
  return !held || next.version >= held.version ? next : held;
}

/**
 * The loaded state, except for the parts a fact replaced while the request was in flight: that fact
 * was sent after the server read its answer's copy, so it is the newer one.
 */
export function applyLoaded(s: LiveStreamState, loaded: StreamStateResult, changedMeanwhile: ReadonlySet<UnversionedPart>): LiveStreamState {
  return {
    ...s,
    stream: loaded.stream.version >= s.stream.version ? loaded.stream : s.stream,
    hand: changedMeanwhile.has("hand") ? s.hand : loaded.hand,
    attendance: newerAttendance(s.attendance, loaded.attendance),
    queue: changedMeanwhile.has("queue") ? s.queue : (loaded.queue ?? s.queue),
    synced: true,
  };
}

export function applySnapshot(s: LiveStreamState, stream: StreamSnapshot): LiveStreamState {
  return stream.version >= s.stream.version ? { ...s, stream } : s;
}

/** An interim line is replaced by the next one; final lines stay (the latest few). */
export function applyCaption(s: LiveStreamState, line: CaptionLine): LiveStreamState {
  const kept = s.captions.filter((c) => c.final);
  return { ...s, captions: [...kept, line].slice(-MAX_CAPTIONS) };
}

/**
 * Keeps a stream view current over `socket` until the returned function is called: joins the session,
 * loads the state (again after every reconnect, since facts sent meanwhile are not replayed) and
 * applies facts. `update` receives each change as a function of the previous state.
 */
export function followStream(
  socket: CommandSocket & FactSocket & { connected: boolean },
  slug: string,
  update: (change: (s: LiveStreamState) => LiveStreamState) => void,
): () => void {
  let alive = true;
  // What facts replaced since the latest state was asked for: its answer must not undo them.
  let changedMeanwhile = new Set<UnversionedPart>();
  const sync = async () => {
    let changed = changedMeanwhile;
    const loaded = await loadStream(socket, slug, () => (changed = changedMeanwhile = new Set()));
    if (loaded && alive) update((s) => applyLoaded(s, loaded, changed));
  };
  const replace = <K extends UnversionedPart>(part: K, value: LiveStreamState[K]) => {
    changedMeanwhile.add(part);
    update((s) => ({ ...s, [part]: value }));
  };
  const stop = listen(socket, {
    "stream:changed": (snapshot) => snapshot.slug === slug && update((s) => applySnapshot(s, snapshot)),
    "hand:changed": (hand) => hand.slug === slug && replace("hand", hand),
    "hand:queue-changed": (queue) => queue.slug === slug && replace("queue", queue),
    "stream:attendance": (attendance) => attendance.slug === slug && update((s) => ({ ...s, attendance: newerAttendance(s.attendance, attendance) })),
    "caption:added": (line) => line.slug === slug && update((s) => applyCaption(s, line)),
    connect: () => void sync(),
    disconnect: () => update((s) => ({ ...s, synced: false })),
  });
  if (socket.connected) void sync();
  return () => {
    alive = false;
    stop();
  };
}
