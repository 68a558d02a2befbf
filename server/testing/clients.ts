import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../lib/realtime/contract";

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The untyped face of a test socket: bad-input tests send forged and malformed frames on purpose. */
export function untyped(socket: TestSocket | Socket): Socket {
  return socket as Socket;
}

export interface ConnectOptions {
  origin?: string;
  cookie?: string;
  auth?: Record<string, unknown>;
}

/** A real socket.io client on loopback; resolves once connected, rejects with the server's refusal. */
export function connectClient(url: string, opts: ConnectOptions = {}): Promise<TestSocket> {
  const headers: Record<string, string> = {};
  if (opts.origin) headers.origin = opts.origin;
  if (opts.cookie) headers.cookie = opts.cookie;
  const socket: TestSocket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    extraHeaders: headers,
    auth: opts.auth,
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Resolves with the next payload of `event`, or rejects after `ms`. */
export function nextEvent<T = unknown>(socket: TestSocket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    untyped(socket).once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Collects every payload of `event` until read. */
export function collect<T = unknown>(socket: TestSocket, event: string): T[] {
  const out: T[] = [];
  untyped(socket).on(event, (p: T) => out.push(p));
  return out;
}
