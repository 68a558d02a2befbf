"use client";
import { useCallback, useEffect, useReducer, useRef } from "react";
import type { MyAnswer } from "@/lib/polls";
import { command, followPolls, initialPolls, reducePolls } from "@/lib/client/polls";
import type { CommandName, PayloadOf } from "@/lib/client/request";
import { getSocket } from "../realtime";

export { CommandError, currentPoll, type PollEvent, type PollsState } from "@/lib/client/polls";

/** A session's polls as this viewer may see them, kept current by `followPolls` (lib/client/polls.ts). */
export function usePolls(slug: string, opts: { view?: "screen" } = {}) {
  const view = opts.view;
  const [state, dispatch] = useReducer(reducePolls, initialPolls);
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    const socket = getSocket();
    const stop = followPolls(socket, slug, view, dispatch, () => stateRef.current);
    return () => {
      stop();
      // Navigating away in the same tab: the tab's socket stops being this session's screen.
      if (view && socket.connected) socket.emit("session:leave", { slug }, () => {});
    };
  }, [slug, view]);

  const send = useCallback(<E extends CommandName>(event: E, payload: PayloadOf<E>) => command(getSocket(), event, payload), []);
  const recordAnswer = useCallback((mine: MyAnswer) => dispatch({ type: "answered", mine }), []);
  return { state, command: send, recordAnswer };
}
