"use client";
import { useCallback, useEffect, useReducer, useRef } from "react";
import type { MyAnswer, PollResults } from "@/lib/polls";
import type { PollFact } from "@/lib/realtime/contract";
import { command, initialPolls, reducePolls, type PollsAction } from "@/lib/client/polls";
import { listen, type CommandName, type PayloadOf } from "@/lib/client/request";
import { getSocket } from "../realtime";

export { CommandError, currentPoll, type PollEvent, type PollsState } from "@/lib/client/polls";

/**
 * A session's polls as this viewer may see them, kept current: joins the session's rooms, takes a
 * snapshot (`poll:sync`), applies facts (newer poll versions, newer results), and takes a fresh
 * snapshot after every reconnect or when a staff client sees a gap in the session's poll counter.
 */
export function usePolls(slug: string, opts: { view?: "screen" } = {}) {
  const view = opts.view;
  const [state, dispatch] = useReducer(reducePolls, initialPolls);
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
        await command(socket, "session:join", view ? { slug, view } : { slug });
        const snapshot = await command(socket, "poll:sync", { slug });
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
    const fact = (kind: Extract<PollsAction, { type: "fact" }>["kind"]) => (f: PollFact) => {
      // Staff see every change; a jump in the counter means one was missed (e.g. a brief drop).
      if (manageRef.current && versionRef.current && f.version > versionRef.current + 1) void sync();
      dispatch({ type: "fact", kind, fact: f });
    };
    const stop = listen(socket, {
      "poll:created": fact("created"),
      "poll:updated": fact("updated"),
      "poll:opened": fact("opened"),
      "poll:closed": fact("closed"),
      "poll:reopened": fact("reopened"),
      "poll:published": fact("published"),
      "poll:deleted": (p: { pollId: string; version: number }) => dispatch({ type: "deleted", pollId: p.pollId, version: p.version }),
      "poll:results": (results: PollResults) => dispatch({ type: "results", results }),
      "poll:answered": (mine: MyAnswer) => dispatch({ type: "answered", mine }),
      connect: onConnect,
      disconnect: onDisconnect,
    });
    if (socket.connected) void sync();
    return () => {
      alive = false;
      stop();
      // Navigating away in the same tab: the tab's socket stops being this session's screen.
      if (view && socket.connected) socket.emit("session:leave", { slug }, () => {});
    };
  }, [slug, view]);

  const send = useCallback(<E extends CommandName>(event: E, payload: PayloadOf<E>) => command(getSocket(), event, payload), []);
  const recordAnswer = useCallback((mine: MyAnswer) => dispatch({ type: "answered", mine }), []);
  return { state, command: send, recordAnswer, resync: () => resync.current() };
}
