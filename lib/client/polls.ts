/**
 * The polls client engine without React: the command helper, the state a view holds and the reducer
 * that applies snapshots and facts to it. app/_components/polls/use-polls.ts wraps it in a hook.
 * Browser-safe.
 */
import type { MyAnswer, PollEntry, PollResults, PollSnapshot, PollView } from "../polls";
import type { PollFact } from "../realtime/contract";
import { TIMEOUT, request, type CommandName, type CommandSocket, type PayloadOf, type ResultOf } from "./request";

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
