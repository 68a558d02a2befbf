/**
 * The polls client engine without React: the command helper, the state a view holds and the reducer
 * that applies snapshots and facts to it. app/_components/polls/use-polls.ts wraps it in a hook.
 * Browser-safe.
 */
import type { MyAnswer, PollEntry, PollResults, PollSnapshot, PollView } from "../polls";
import type { PollFact } from "../realtime/contract";
import {
  SYNC_TIMEOUT_MS,
  TIMEOUT,
  listen,
  request,
  syncRetryMs,
  type CommandName,
  type CommandSocket,
  type FactSocket,
  type PayloadOf,
  type ResultOf,
} from "./request";

/** A refused or failed command, with the server's stable code ("timeout" / "offline" when it never answered). */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly current?: unknown,
  ) {
    super(message);
  }
}

/** Sends one command and resolves with its result, or throws a `CommandError` (offline, timeout, refused). */
export async function command<E extends CommandName>(
  socket: CommandSocket & { readonly connected: boolean },
  event: E,
  payload: PayloadOf<E>,
  timeoutMs = 10_000,
): Promise<ResultOf<E>> {
  if (!socket.connected) throw new CommandError("offline", "You are offline. It will be sent when the connection is back.");
  const res = await request(socket, event, payload, { timeoutMs });
  if (res.ok) return res.data;
  if (res.error.code === TIMEOUT) throw new CommandError(TIMEOUT, "The server did not answer in time. It will be sent again when the connection is back.");
  throw new CommandError(res.error.code, res.error.message, res.error.current);
}

export type PollEvent = { type: "opened" | "closed" | "reopened" | "published"; poll: PollView } | { type: "answered"; pollId: string };

export interface PollsState {
  connection: "connecting" | "live" | "offline";
  error: string | null;
  snapshot: boolean;
  can: PollSnapshot["can"];
  chathamHouse: boolean;
  version: number;
  entries: PollEntry[];
  mine: Record<string, MyAnswer>;
  /** The latest fact, for announcements (facts from snapshots are not announced). */
  lastEvent: (PollEvent & { at: number }) | null;
}

export type PollsAction =
  | { type: "snapshot"; snapshot: PollSnapshot }
  | { type: "fact"; kind: "opened" | "closed" | "reopened" | "published" | "created" | "updated"; fact: PollFact }
  | { type: "deleted"; pollId: string; version: number }
  | { type: "results"; results: PollResults }
  | { type: "answered"; mine: MyAnswer }
  | { type: "connection"; connection: PollsState["connection"]; error?: string | null };

export const initialPolls: PollsState = {
  connection: "connecting",
  error: null,
  snapshot: false,
  can: { manage: false, viewResults: false, answer: false },
  chathamHouse: false,
  version: 0,
  entries: [],
  mine: {},
  lastEvent: null,
};

function sortEntries(entries: PollEntry[]): PollEntry[] {
  return [...entries].sort((a, b) => Date.parse(a.poll.createdAt) - Date.parse(b.poll.createdAt) || (a.poll.id < b.poll.id ? -1 : 1));
}

/** Applies a snapshot, a fact or a connection change: newer poll versions and newer result ticks only. */
export function reducePolls(state: PollsState, action: PollsAction): PollsState {
  switch (action.type) {
    case "snapshot": {
      const s = action.snapshot;
      return {
        ...state,
        snapshot: true,
        error: null,
        can: s.can,
        chathamHouse: s.chathamHouse,
        version: s.version,
        entries: sortEntries(s.polls),
        mine: Object.fromEntries(s.mine.map((m) => [m.pollId, m])),
      };
    }
    case "fact": {
      const { poll, version } = action.fact;
      const existing = state.entries.find((e) => e.poll.id === poll.id);
      if (existing && existing.poll.version >= poll.version) return { ...state, version: Math.max(state.version, version) };
      const seesResults = state.can.manage || state.can.viewResults || poll.resultsPublic;
      const entry: PollEntry = { poll, results: seesResults ? (existing?.results ?? null) : null };
      const announce = action.kind === "created" || action.kind === "updated" ? state.lastEvent : { type: action.kind, poll, at: Date.now() };
      return {
        ...state,
        version: Math.max(state.version, version),
        entries: sortEntries([...state.entries.filter((e) => e.poll.id !== poll.id), entry]),
        lastEvent: announce,
      };
    }
    case "deleted":
      return { ...state, version: Math.max(state.version, action.version), entries: state.entries.filter((e) => e.poll.id !== action.pollId) };
    case "results": {
      const r = action.results;
      const entry = state.entries.find((e) => e.poll.id === r.pollId);
      if (!entry) return state;
      if (entry.results && entry.results.seq > r.seq) return state; // an older tick arriving late
      if (!(state.can.manage || state.can.viewResults || entry.poll.resultsPublic)) return state;
      return { ...state, entries: state.entries.map((e) => (e === entry ? { ...e, results: r } : e)) };
    }
    case "answered":
      return {
        ...state,
        mine: { ...state.mine, [action.mine.pollId]: action.mine },
        lastEvent: { type: "answered", pollId: action.mine.pollId, at: Date.now() },
      };
    case "connection":
      return { ...state, connection: action.connection, error: action.error === undefined ? state.error : action.error };
  }
}

/** The poll to show first: the most recently opened open poll, else the most recently closed one. */
export function currentPoll(entries: PollEntry[]): PollEntry | null {
  const byOpened = (a: PollEntry, b: PollEntry) => Date.parse(b.poll.openedAt ?? "") - Date.parse(a.poll.openedAt ?? "");
  const open = entries.filter((e) => e.poll.status === "open").sort(byOpened);
  if (open.length) return open[0];
  const closed = entries.filter((e) => e.poll.status === "closed").sort((a, b) => Date.parse(b.poll.closedAt ?? "") - Date.parse(a.poll.closedAt ?? ""));
  return closed[0] ?? null;
}

type FactAction = Extract<PollsAction, { type: "fact" | "deleted" | "results" | "answered" }>;

/**
 * Keeps a polls view current over `socket` until the returned function is called: joins the session
 * (as the room screen with `view`), takes a snapshot (`poll:sync`) and applies facts; a fresh
 * snapshot after every reconnect, and when a staff view sees a gap in the session's poll counter.
 * Facts that arrive while a snapshot is on its way are held and applied after it, since the server
 * may have read the snapshot before their change (newer versions win, so one already in it is a
 * no-op). A snapshot refused for a passing reason (no answer, rate limit, a fault) is asked again:
 * left alone, the view would show what it held before the connection dropped.
 */
export function followPolls(
  socket: CommandSocket & FactSocket & { readonly connected: boolean },
  slug: string,
  view: "screen" | undefined,
  dispatch: (action: PollsAction) => void,
  current: () => Pick<PollsState, "version" | "can">,
): () => void {
  let alive = true;
  let generation = 0;
  let held: FactAction[] | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const sync = async () => {
    if (!alive || !socket.connected) return;
    clearTimeout(retry);
    const mine = ++generation;
    held = [];
    // The room screen joins as the screen: the server then sends it only what the room may see.
    const joined = await request(socket, "session:join", view ? { slug, view } : { slug });
    const res = joined.ok ? await request(socket, "poll:sync", { slug }, { timeoutMs: SYNC_TIMEOUT_MS }) : joined;
    if (!alive || mine !== generation) return; // a newer sync (after a reconnect) answers instead
    const facts = held;
    held = null;
    if (res.ok) dispatch({ type: "snapshot", snapshot: res.data });
    for (const action of facts) dispatch(action);
    if (res.ok) return dispatch({ type: "connection", connection: "live", error: null });
    dispatch({ type: "connection", connection: socket.connected ? "live" : "offline", error: res.error.message });
    const wait = syncRetryMs(res.error);
    if (wait !== null) retry = setTimeout(() => void sync(), wait);
  };
  const apply = (action: FactAction) => (held ? held.push(action) : dispatch(action));
  const fact = (kind: Extract<PollsAction, { type: "fact" }>["kind"]) => (f: PollFact) => {
    // Staff see every change; a jump in the counter means one was missed (e.g. a brief drop).
    const { version, can } = current();
    if (!held && can.manage && version && f.version > version + 1) void sync();
    apply({ type: "fact", kind, fact: f });
  };
  const stopListening = listen(socket, {
    "poll:created": fact("created"),
    "poll:updated": fact("updated"),
    "poll:opened": fact("opened"),
    "poll:closed": fact("closed"),
    "poll:reopened": fact("reopened"),
    "poll:published": fact("published"),
    "poll:deleted": (p) => apply({ type: "deleted", pollId: p.pollId, version: p.version }),
    "poll:results": (results) => apply({ type: "results", results }),
    "poll:answered": (mine) => apply({ type: "answered", mine }),
    connect: () => void sync(),
    disconnect: () => dispatch({ type: "connection", connection: "offline" }),
  });
  if (socket.connected) void sync();
  return () => {
    alive = false;
    clearTimeout(retry);
    stopListening();
  };
}
