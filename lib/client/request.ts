/**
 * One typed way to send a command and to listen for facts, generic over the socket contract
 * (lib/realtime/contract.ts): a misspelt event name or a payload of the wrong shape fails `tsc`.
 * Browser-safe; every command whose answer a page waits for is sent through `request`.
 */
import { MAX_FRAME_BYTES, type AckResult, type ClientToServerEvents, type ServerToClientEvents } from "../realtime/contract";
import { isRetryableFailure } from "../save-failures";

export type CommandName = keyof ClientToServerEvents;
export type FactName = keyof ServerToClientEvents;

/** A command's payload: the first parameter of its contract function. */
export type PayloadOf<E extends CommandName> = Parameters<ClientToServerEvents[E]>[0];
/** What a command's ack carries when it succeeds: the `T` of the `Ack<T>` that is its last parameter. */
export type ResultOf<E extends CommandName> = Parameters<ClientToServerEvents[E]> extends [...unknown[], (result: AckResult<infer R>) => void] ? R : never;

/** The code of the refusal `request` makes up itself when the server did not answer in time. */
export const TIMEOUT = "timeout";

/** The part of a socket.io client socket that sends commands (a typed `PlenarySocket` is one). */
export interface CommandSocket {
  emit<E extends CommandName>(event: E, ...args: Parameters<ClientToServerEvents[E]>): unknown;
}

/** The part of a socket.io client socket that listens for facts (a typed `PlenarySocket` is one). */
export interface FactSocket {
  // Loose here on purpose (socket.io's own listener type does not narrow for a generic name):
  // `listen`'s handler map is what ties each listener to its fact's payload.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: ListenName, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: ListenName, listener: (...args: any[]) => void): unknown;
}

/**
 * How long a sync (`qa:sync`, `poll:sync`) may take before it is asked again. A sync waits its turn
 * behind the work queued on the server, and syncs are answered in batches: one asked again after a
 * short timeout would queue behind the first, and when every page of a crashed instance reconnects
 * at once, each batch can outlast the timeout of all the syncs in it, so none is ever answered in
 * time. While the connection lives its answer will come (a lost connection ends the wait through
 * `disconnect`), so wait long.
 */
export const SYNC_TIMEOUT_MS = 45_000;

/** How long to wait before asking again for a sync the server could not give, when it names no wait. */
export const SYNC_RETRY_MS = 2000;

/**
 * When to ask again for a sync that was refused, or null when asking again would only repeat the
 * refusal (no such session, not allowed). No answer, a rate limit and a fault on the server (the
 * database briefly away) pass: left alone, the page would show what it held before, or nothing.
 */
export function syncRetryMs(error: { code: string; retryAfterMs?: number }): number | null {
  const passing = error.code === TIMEOUT || error.code === "rate_limited" || isRetryableFailure(error.code);
  return passing ? (error.retryAfterMs ?? SYNC_RETRY_MS) : null;
}

export interface RequestOptions {
  /** How long to wait for the ack; then the result is a `timeout` refusal. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Sends one command and resolves with its ack, or with `{ ok: false, error: { code: "timeout" } }`
 * when none came in time (the command may still have been applied: resend it with the same key).
 * A command too large for one frame is not sent (the server would cut the connection without a
 * word): it is refused here as `invalid_payload`, as the server refuses a bad payload.
 * Never rejects. A late ack after the timeout is ignored.
 */
export function request<E extends CommandName>(
  socket: CommandSocket,
  event: E,
  payload: PayloadOf<E>,
  opts: RequestOptions = {},
): Promise<AckResult<ResultOf<E>>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const bytes = frameBytes(event, payload);
  if (bytes > MAX_FRAME_BYTES) {
    const message = `This is too large to send (${Math.ceil(bytes / 1024)} KB; at most ${MAX_FRAME_BYTES / 1024} KB). Shorten it and try again.`;
    return Promise.resolve({ ok: false, error: { code: "invalid_payload", message } });
  }
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      resolve({ ok: false, error: { code: TIMEOUT, message: "The server did not answer in time." } });
    }, timeoutMs);
    const ack = (result: AckResult<ResultOf<E>>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(result);
    };
    const args: [PayloadOf<E>, (result: AckResult<ResultOf<E>>) => void] = [payload, ack];
    socket.emit(event, ...(args as Parameters<ClientToServerEvents[E]>));
  });
}

/** About the size of the frame socket.io sends for a command: `<type><ack id>["event",payload]`, UTF-8. */
function frameBytes(event: string, payload: unknown): number {
  return new TextEncoder().encode(JSON.stringify([event, payload])).length + 12;
}

/** The facts, and the connection's own events a client resyncs on. */
export type ListenName = FactName | "connect" | "disconnect";
export type FactHandlers = { [E in FactName]?: ServerToClientEvents[E] } & { connect?: () => void; disconnect?: (reason: string) => void };

/** Listens for several facts at once; returns the function that stops listening to all of them. */
export function listen(socket: FactSocket, handlers: FactHandlers): () => void {
  const names = Object.keys(handlers) as ListenName[];
  for (const name of names) bind(socket, name, handlers, "on");
  return () => {
    for (const name of names) bind(socket, name, handlers, "off");
  };
}

function bind<E extends ListenName>(socket: FactSocket, name: E, handlers: FactHandlers, how: "on" | "off"): void {
  const handler = handlers[name];
  if (handler) socket[how](name, handler);
}
