"use client";
import { useEffect, useState } from "react";
import type { AgendaItem } from "@/lib/agenda";
import { getSocket } from "./realtime";

function sortItems(items: AgendaItem[]): AgendaItem[] {
  return [...items].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || Date.parse(a.endsAt) - Date.parse(b.endsAt));
}

/** The items shown, each replaced by a newer version from `fresh` when there is one. */
function mergeNewer(current: AgendaItem[], fresh: AgendaItem[]): AgendaItem[] {
  const bySlug = new Map(fresh.map((i) => [i.slug, i]));
  let changed = false;
  const merged = current.map((item) => {
    const newer = bySlug.get(item.slug);
    if (!newer || newer.version <= item.version) return item;
    changed = true;
    return newer;
  });
  return changed ? sortItems(merged) : current;
}

/**
 * The agenda items a page shows, kept current: `agenda:changed` facts replace one item (newer versions
 * only), and on every connect — the first one too, since a change can land between the server
 * rendering the page and the socket joining the agenda room — the programme is fetched again and
 * merged by version, so nothing missed while not connected stays stale. `live` says whether the
 * page is connected (pages expose it as `data-live` for people and tests to see).
 */
export function useLiveAgenda(initial: AgendaItem[]): { items: AgendaItem[]; lastChange: AgendaItem | null; live: boolean } {
  const [items, setItems] = useState(initial);
  const [lastChange, setLastChange] = useState<AgendaItem | null>(null);
  const [live, setLive] = useState(false);

  useEffect(() => {
    const socket = getSocket();
    const shown = new Set(initial.map((i) => i.slug));
    const onChanged = ({ item }: { item: AgendaItem }) => {
      if (!shown.has(item.slug)) return;
      setItems((current) => mergeNewer(current, [item]));
      setLastChange(item);
    };
    const onConnect = async () => {
      setLive(true);
      const res = await fetch("/api/agenda", { cache: "no-store" }).catch(() => null);
      if (res?.ok) {
        const fresh = ((await res.json()) as { items: AgendaItem[] }).items;
        setItems((current) => mergeNewer(current, fresh));
      }
    };
    const onDisconnect = () => setLive(false);
    socket.on("agenda:changed", onChanged);
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    if (socket.connected) void onConnect();
    return () => {
      socket.off("agenda:changed", onChanged);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
    };
    // The items a page shows are fixed at render; only their contents change.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `initial` is the first render's items only.
  }, []);

  return { items, lastChange, live };
}
