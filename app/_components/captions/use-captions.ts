"use client";
import { useSyncExternalStore } from "react";
import { listen, request } from "@/lib/client/request";
import { applyCaptionFeed, applyCaptionLine, initialCaptions, type CaptionsState } from "@/lib/client/captions";
import { getSocket } from "../realtime";

/**
 * One caption store per session and tab, shared by every caption view on the page (the region, the
 * overlay, the screen band, the staff panel): it joins the session, loads the feed and follows
 * `caption:added` / `caption:feed`, and loads the feed again after a reconnect (missed facts are not
 * replayed; missed lines are simply gone, captions being live only).
 */
interface Store {
  state: CaptionsState;
  subscribers: Set<() => void>;
  stop?: () => void;
}

const stores = new Map<string, Store>();

function storeFor(slug: string): Store {
  let store = stores.get(slug);
  if (!store) {
    store = { state: initialCaptions, subscribers: new Set() };
    stores.set(slug, store);
  }
  return store;
}

function set(store: Store, next: CaptionsState) {
  if (next === store.state) return;
  store.state = next;
  for (const s of store.subscribers) s();
}

function start(slug: string, store: Store) {
  const socket = getSocket();
  const sync = async () => {
    await request(socket, "session:join", { slug });
    const res = await request(socket, "caption:state", { slug });
    if (res.ok) set(store, { ...applyCaptionFeed(store.state, res.data.feed), can: res.data.can });
  };
  const stop = listen(socket, {
    "caption:added": (line) => line.slug === slug && set(store, applyCaptionLine(store.state, line)),
    "caption:feed": (feed) => feed.slug === slug && set(store, applyCaptionFeed(store.state, feed)),
    connect: () => void sync(),
  });
  if (socket.connected) void sync();
  return stop;
}

export function useCaptions(slug: string): CaptionsState {
  const store = storeFor(slug);
  return useSyncExternalStore(
    (notify) => {
      store.subscribers.add(notify);
      if (!store.stop) store.stop = start(slug, store);
      return () => {
        store.subscribers.delete(notify);
        if (store.subscribers.size === 0) {
          store.stop?.();
          store.stop = undefined;
        }
      };
    },
    () => store.state,
    () => initialCaptions,
  );
}
