"use client";
import type { StreamSnapshot, StreamToken } from "@/lib/streaming";
import { api } from "../admin-api";

/** A random id for this tab: LiveKit identities are unique per tab, so two tabs do not kick each other out. */
export const tabId: string = (() => {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
})();

export function requestStreamToken(slug: string, opts: { monitor?: boolean } = {}): Promise<StreamToken> {
  return api<StreamToken>(`/api/sessions/${encodeURIComponent(slug)}/stream-token`, "POST", { tab: tabId, ...(opts.monitor ? { monitor: true } : {}) });
}

export function setStreamState(slug: string, action: "start" | "end"): Promise<StreamSnapshot> {
  return api<StreamSnapshot>(`/api/sessions/${encodeURIComponent(slug)}/stream`, "POST", { action });
}

export function setRecording(slug: string, action: "start" | "stop"): Promise<StreamSnapshot> {
  return api<StreamSnapshot>(`/api/sessions/${encodeURIComponent(slug)}/recording`, "POST", { action });
}
