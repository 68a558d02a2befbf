/**
 * The stream client engine without React: what a stream view holds and how the server's answers and
 * facts change it (newer versions only). app/_components/stream/use-stream-state.ts wraps it in a hook.
 * Browser-safe.
 */
import type { StreamStateResult } from "../realtime/contract";
import type { CaptionLine, HandQueue, MyHand, StreamAttendance, StreamSnapshot } from "../streaming";
import { request, type CommandSocket } from "./request";

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

/** Joins the session and loads its stream state; null when either was refused or not answered. */
export async function loadStream(socket: CommandSocket, slug: string): Promise<StreamStateResult | null> {
  const joined = await request(socket, "session:join", { slug });
  if (!joined.ok) return null;
  const res = await request(socket, "stream:state", { slug });
  return res.ok ? res.data : null;
}

export function applyLoaded(s: LiveStreamState, loaded: StreamStateResult): LiveStreamState {
  return {
    ...s,
    stream: loaded.stream.version >= s.stream.version ? loaded.stream : s.stream,
    hand: loaded.hand,
    attendance: loaded.attendance ?? s.attendance,
    queue: loaded.queue ?? s.queue,
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
