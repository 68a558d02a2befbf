"use client";
import { useCallback, useEffect, useReducer, useRef } from "react";
import type { MyAnswer, PollEntry, PollResults, PollSnapshot, PollView } from "@/lib/polls";
import type { AckResult, PollFact } from "@/lib/realtime/contract";
import { getSocket, type PlenarySocket } from "../realtime";

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

/** Sends one command and waits for its ack. */
export function request<T>(socket: PlenarySocket, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!socket.connected) {
      reject(new CommandError("offline", "You are offline. It will be sent when the connection is back."));
      return;
    }
    (socket.timeout(timeoutMs) as unknown as { emit(e: string, p: unknown, cb: (err: Error | null, r: AckResult<T>) => void): void }).emit(
      event,
      payload,
      (err, res) => {
        if (err) return reject(new CommandError("timeout", "The server did not answer in time. It will be sent again when the connection is back."));
        if (res.ok) resolve(res.data);
        else reject(new CommandError(res.error.code, res.error.message, res.error.current));
      },
    );
  });
}

export type PollEvent =
  | { type: "opened" | "closed" | "reopened" | "published"; poll: PollView }
  | { type: "answered"; pollId: string };

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

type Action =
  | { type: "snapshot"; snapshot: PollSnapshot }
  | { type: "fact"; kind: "opened" | "closed" | "reopened" | "published" | "created" | "updated"; fact: PollFact }
  | { type: "deleted"; pollId: string; version: number }
  | { type: "results"; results: PollResults }
  | { type: "answered"; mine: MyAnswer }
  | { type: "connection"; connection: PollsState["connection"]; error?: string | null };

const initial: PollsState = {
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

function reduce(state: PollsState, action: Action): PollsState {
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
      return { ...state, mine: { ...state.mine, [action.mine.pollId]: action.mine }, lastEvent: { type: "answered", pollId: action.mine.pollId, at: Date.now() } };
    case "connection":
      return { ...state, connection: action.connection, error: action.error === undefined ? state.error : action.error };
  }
}

/**
 * A session's polls as this viewer may see them, kept current: joins the session's rooms, takes a
 * snapshot (`poll:sync`), applies facts (newer poll versions, newer results), and takes a fresh
 * snapshot after every reconnect or when a staff client sees a gap in the session's poll counter.
 */
export function usePolls(slug: string, opts: { view?: "screen" } = {}) {
  const view = opts.view;
  const [state, dispatch] = useReducer(reduce, initial);
  const versionRef = useRef(0);
  const manageRef = useRef(false);
  versionRef.current = state.version;
  manageRef.current = state.can.manage;

  const resync = useRef<() => void>(() => {});

  useEffect(() => {
    const socket = getSocket();
    let alive = true;
    const sync = async () => {
      try {
        // The room screen joins as the screen: the server then sends it only what the room may see.
        await request(socket, "session:join", view ? { slug, view } : { slug });
        const snapshot = await request<PollSnapshot>(socket, "poll:sync", { slug });
        if (alive) {
          dispatch({ type: "snapshot", snapshot });
          dispatch({ type: "connection", connection: "live", error: null });
        }
      } catch (err) {
        if (alive) dispatch({ type: "connection", connection: socket.connected ? "live" : "offline", error: (err as Error).message });
      }
    };
    resync.current = () => void sync();
    const onConnect = () => void sync();
    const onDisconnect = () => dispatch({ type: "connection", connection: "offline" });
    const fact = (kind: Extract<Action, { type: "fact" }>["kind"]) => (f: PollFact) => {
      // Staff see every change; a jump in the counter means one was missed (e.g. a brief drop).
      if (manageRef.current && versionRef.current && f.version > versionRef.current + 1) void sync();
      dispatch({ type: "fact", kind, fact: f });
    };
    const handlers = {
      "poll:created": fact("created"),
      "poll:updated": fact("updated"),
      "poll:opened": fact("opened"),
      "poll:closed": fact("closed"),
      "poll:reopened": fact("reopened"),
      "poll:published": fact("published"),
      "poll:deleted": (p: { pollId: string; version: number }) => dispatch({ type: "deleted", pollId: p.pollId, version: p.version }),
      "poll:results": (results: PollResults) => dispatch({ type: "results", results }),
      "poll:answered": (mine: MyAnswer) => dispatch({ type: "answered", mine }),
    } as const;
    const on = socket as unknown as { on(e: string, h: (...a: never[]) => void): void; off(e: string, h: (...a: never[]) => void): void };
    for (const [event, handler] of Object.entries(handlers)) on.on(event, handler);
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    if (socket.connected) void sync();
    return () => {
      alive = false;
      for (const [event, handler] of Object.entries(handlers)) on.off(event, handler);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      // Navigating away in the same tab: the tab's socket stops being this session's screen.
      if (view && socket.connected) socket.emit("session:leave", { slug }, () => {});
    };
  }, [slug, view]);

  const command = useCallback(<T,>(event: string, payload: unknown) => request<T>(getSocket(), event, payload), []);
  const recordAnswer = useCallback((mine: MyAnswer) => dispatch({ type: "answered", mine }), []);
  return { state, command, recordAnswer, resync: () => resync.current() };
}

/** The poll to show first: the most recently opened open poll, else the most recently closed one. */
export function currentPoll(entries: PollEntry[]): PollEntry | null {
  const byOpened = (a: PollEntry, b: PollEntry) => Date.parse(b.poll.openedAt ?? "") - Date.parse(a.poll.openedAt ?? "");
  const open = entries.filter((e) => e.poll.status === "open").sort(byOpened);
  if (open.length) return open[0];
  const closed = entries.filter((e) => e.poll.status === "closed").sort((a, b) => Date.parse(b.poll.closedAt ?? "") - Date.parse(a.poll.closedAt ?? ""));
  return closed[0] ?? null;
}
