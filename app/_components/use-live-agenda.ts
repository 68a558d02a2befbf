"use client";
import { useEffect, useState } from "react";
import type { AgendaItem } from "@/lib/agenda";
import { getSocket } from "./realtime";

function sortItems(items: AgendaItem[]): AgendaItem[] {
  return [...items].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || Date.parse(a.endsAt) - Date.parse(b.endsAt));
}

/**
 * The agenda kept current: `agenda:changed` facts replace one item (newer versions only), and after a
 * reconnect the whole programme is fetched again so nothing missed while offline stays stale.
 */
export function useLiveAgenda(initial: AgendaItem[]): { items: AgendaItem[]; lastChange: AgendaItem | null } {
  const [items, setItems] = useState(initial);
  const [lastChange, setLastChange] = useState<AgendaItem | null>(null);

  useEffect(() => {
    const socket = getSocket();
    const onChanged = ({ item }: { item: AgendaItem }) => {
      setItems((current) => {
        const existing = current.find((i) => i.slug === item.slug);
        if (existing && existing.version >= item.version) return current;
        return sortItems([...current.filter((i) => i.slug !== item.slug), item]);
      });
      setLastChange(item);
    };
    let connectedBefore = socket.connected;
    const onConnect = async () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      const res = await fetch("/api/agenda", { cache: "no-store" });
      if (res.ok) setItems(sortItems(((await res.json()) as { items: AgendaItem[] }).items));
    };
    socket.on("agenda:changed", onChanged);
    socket.on("connect", onConnect);
    return () => {
      socket.off("agenda:changed", onChanged);
      socket.off("connect", onConnect);
    };
  }, []);

  return { items, lastChange };
}
