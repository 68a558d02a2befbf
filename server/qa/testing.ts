/** Helpers for the Q&A tests and benchmark: real socket.io clients on loopback, the real client engine. */
import { io as connect, type Socket } from "socket.io-client";
import { keepConnected } from "../../lib/client/socket";
import { QaClient, memoryStore, type OutboxStore } from "../../lib/client/qa-client";
import type { AckResult } from "../../lib/realtime/contract";
import { newClientKey, type QaSync, type QaView } from "../../lib/qa";
import { untyped, type TestSocket } from "../testing/clients";

export const key = newClientKey;

export function call<T = unknown>(s: TestSocket | Socket, event: string, payload: unknown, ms = 10_000): Promise<AckResult<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} within ${ms} ms`)), ms);
    untyped(s).emit(event, payload, (r: AckResult<T>) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}

export async function ok<T = unknown>(s: TestSocket | Socket, event: string, payload: unknown): Promise<T> {
  const r = await call<T>(s, event, payload);
  if (!r.ok) throw new Error(`${event} refused: ${r.error.code}: ${r.error.message}`);
  return r.data;
}

export async function refused(
  s: TestSocket | Socket,
  event: string,
  payload: unknown,
): Promise<{ code: string; message: string; retryAfterMs?: number; current?: unknown }> {
  const r = await call(s, event, payload);
  if (r.ok) throw new Error(`${event} was accepted, expected a refusal`);
  return r.error;
}

export function sync(s: TestSocket | Socket, slug: string, view?: QaView, since?: number): Promise<QaSync> {
  return ok<QaSync>(s, "qa:sync", { slug, ...(view ? { view } : {}), ...(since !== undefined ? { since } : {}) });
}

/** Every event a socket receives, in order. */
export function recorder(s: TestSocket | Socket): Array<{ event: string; payload: unknown }> {
  const out: Array<{ event: string; payload: unknown }> = [];
  untyped(s).onAny((event: string, payload: unknown) => out.push({ event, payload }));
  return out;
}

export async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A browser-like client: a socket that reconnects (with the same policy as the pages) and the Q&A
 * engine the pages use. `store` stands for the browser's localStorage, `owner` for the outbox key
 * the page was rendered with, `now` for the server's clock as the page knows it.
 */
export function browserLike(
  url: string,
  opts: { cookie?: string; slug: string; view?: QaView; store?: OutboxStore; ackTimeoutMs?: number; owner?: string; now?: () => number },
) {
  const socket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    extraHeaders: { origin: url, ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  keepConnected(socket, undefined);
  const client = new QaClient(socket, {
    slug: opts.slug,
    view: opts.view,
    owner: opts.owner,
    store: opts.store ?? memoryStore(),
    ackTimeoutMs: opts.ackTimeoutMs ?? 3000,
    now: opts.now,
  });
  client.start();
  return {
    socket,
    client,
    live: () => waitFor(() => client.getState().status === "live", 10_000, "the client to be live"),
    close: () => {
      client.stop();
      socket.close();
    },
  };
}
