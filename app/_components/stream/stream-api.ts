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

export function setStreamState(slug: string, action: "start" | "end", opts: { emptyStage?: true } = {}): Promise<StreamSnapshot> {
  return api<StreamSnapshot>(`/api/sessions/${encodeURIComponent(slug)}/stream`, "POST", { action, ...opts });
}

/** The server answers a recording start within its budget (1.5 s); a request that hangs anyway is not left spinning. */
const RECORDING_ANSWER_MS = 5_000;

export function setRecording(slug: string, action: "start" | "stop"): Promise<StreamSnapshot> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No answer from Plenary within ${RECORDING_ANSWER_MS / 1000} seconds: check the REC mark before trying again.`)),
      RECORDING_ANSWER_MS,
    );
  });
  return Promise.race([api<StreamSnapshot>(`/api/sessions/${encodeURIComponent(slug)}/recording`, "POST", { action }), late]).finally(() =>
    clearTimeout(timer),
  );
}
