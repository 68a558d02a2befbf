"use client";
import { useEffect, useRef } from "react";
import type { QuestionView } from "@/lib/qa";
import { actionForKey, type ActionId } from "./moderation-actions";
import { TABS, type Tab } from "./moderation-state";

export type KeyCommand = { kind: "move"; delta: 1 | -1 } | { kind: "search" } | { kind: "undo" } | { kind: "tab"; tab: Tab } | { kind: "act"; id: ActionId };

export interface KeyContext {
  /** A dialog or the edit form is open: keys belong to it (as they do to an open action menu). */
  busy: boolean;
  /** The selected question as on screen (its version is the one an action carries). */
  current: QuestionView | null;
  onStage: string | null;
}

/** What a key press means on the console; null when it is not a shortcut here (typing, a dialog...). */
export function keyCommand(
  e: Pick<KeyboardEvent, "key" | "altKey" | "metaKey" | "ctrlKey" | "defaultPrevented" | "target">,
  ctx: KeyContext,
): KeyCommand | null {
  if (e.defaultPrevented || e.altKey || e.metaKey || e.ctrlKey) return null;
  const target = e.target instanceof Element ? e.target : null;
  if (ctx.busy || target?.closest('input, textarea, select, dialog, [role="menu"]')) return null;
  const k = e.key;
  const inList = Boolean(target?.closest(".qa-mod-list"));
  if (k === "j" || (k === "ArrowDown" && inList)) return { kind: "move", delta: 1 };
  if (k === "k" || (k === "ArrowUp" && inList)) return { kind: "move", delta: -1 };
  if (k === "/") return { kind: "search" };
  if (k === "u") return { kind: "undo" };
  const tab = TABS.find((t) => t.key === k);
  if (tab) return { kind: "tab", tab: tab.id };
  const q = ctx.current;
  const action = q ? actionForKey(k, q, q.id === ctx.onStage) : undefined;
  return action ? { kind: "act", id: action.id } : null;
}

/** Shortcuts work anywhere on the page except while typing or in a dialog. */
export function useModerationKeys(ctx: KeyContext, run: (c: KeyCommand) => void): void {
  const latest = useRef({ ctx, run });
  latest.current = { ctx, run };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => {
      const c = keyCommand(e, latest.current.ctx);
      if (!c) return;
      e.preventDefault();
      latest.current.run(c);
    };
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);
}
