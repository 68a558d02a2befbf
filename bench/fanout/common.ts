/** What every part of the fan-out benchmarks (Q&A, poll storm) shares: the scenario, clocks, arguments and socket helpers. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io as connect, type Socket } from "socket.io-client";

export const SLUG = "defense-industry-perspectives";
/** Day 2, inside the session (09:45–11:15 New York time) with its Q&A and polls open. */
export const NOW = "2024-05-24T10:00:00-04:00";
export const MODERATOR = "moderator.friday@example.org";
export const STEP_LIMIT_MS = 180_000;
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** What worker processes and the bare server run (bench/fanout/child.ts, told which by a flag). */
export const entry = fileURLToPath(new URL("./child.ts", import.meta.url));

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine. */
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v && !v.startsWith("--") ? v : "true";
}

/** An integer argument within bounds, or the benchmark stops with a message saying which. */
export function intArg(name: string, fallback: number, min: number, max: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be ${min}–${max}`);
  return v;
}

/** Adds one tally of reasons to another (failures, refusals, disconnects from several workers). */
export function addCounts(into: Record<string, number>, from: Record<string, number>, prefix = ""): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[prefix + k] = (into[prefix + k] ?? 0) + v;
  return into;
}

/** A socket command and its payload, as a page sends it (e.g. `["session:join", { slug }]`). */
export type Command = [event: string, payload: unknown];

export type AckReply<T = unknown> = { ok: boolean; data?: T; error?: { code: string; message: string } };

export function emitAck<T = unknown>(s: Socket, event: string, payload: unknown, ms = 60_000): Promise<AckReply<T>> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ ok: false, error: { code: "timeout", message: `no ack for ${event} within ${ms} ms` } }), ms);
    s.emit(event, payload, (r: AckReply<T>) => {
      clearTimeout(t);
      resolve(r);
    });
  });
}

/** Runs `fn` over the items with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export function openSocket(url: string, cookie: string): Promise<Socket> {
  const socket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 60_000,
    extraHeaders: { origin: url, ...(cookie ? { cookie } : {}) },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (e) => reject(e));
  });
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
export function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export interface Question {
  id: string;
  version: number;
}
