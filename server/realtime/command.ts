import { commandSchemas, type AckError, type AckResult, type CommandInput, type CommandName, type CommandResult } from "../../lib/realtime/contract";
import type { Socket } from "socket.io";
import { databaseFault } from "../db-errors";
import { parseInput, toAppError } from "../errors";
import type { DatabaseHealth } from "../health";
import { errorName, type Logger } from "../log";
import { failureLog } from "../log-throttle";
import type { PlenarySocket } from "./io";
import type { BucketRule, RateLimiter } from "./rate-limit";

export interface CommandDeps {
  log: Logger;
  limiter: RateLimiter;
  /** Told of every failure a database fault caused, so /healthz and pages know at once. */
  health?: Pick<DatabaseHealth, "noteFailure">;
}

/** A generous default: bursts of 20, 5 a second sustained. Commands that need less set their own. */
export const DEFAULT_RATE: BucketRule = { capacity: 20, perSecond: 5 };

export type CommandHandler<E extends CommandName> = (input: CommandInput<E>) => Promise<CommandResult<E>>;

/**
 * Registers one socket command with the shape every command follows: rate limit, parse with the
 * contract's zod schema for this event, run, answer through the ack. A refusal or bad payload is
 * answered with `{ ok: false, error: { code, message } }` and changes nothing. Errors are mapped to a
 * code here, once (server/errors.ts): an internal fault is logged by its kind, never sent.
 */
export function onCommand<E extends CommandName>(
  socket: PlenarySocket,
  deps: CommandDeps,
  event: E,
  handler: CommandHandler<E>,
  rate: BucketRule = DEFAULT_RATE,
): void {
  const schema = commandSchemas[event];
  const listener = async (payload: unknown, ack: unknown) => {
    if (typeof ack !== "function") return; // every command must be acknowledged; fire-and-forget is ignored
    const reply = (result: AckResult<CommandResult<E>>) => (ack as (r: AckResult<CommandResult<E>>) => void)(result);
    try {
      await deps.limiter.take(`${socket.data.actor?.userId ?? socket.id}:${event}`, rate);
      reply({ ok: true, data: await handler(parseInput(schema, payload) as CommandInput<E>) });
    } catch (err) {
      const e = toAppError(err);
      const fault = databaseFault(err);
      if (e.code === "internal" || fault) {
        // Clients retry every few seconds through an outage: one line per kind and interval, with a count.
        deps.health?.noteFailure(err);
        failureLog(deps.log).error("socket command failed", fault?.reason ?? `${errorName(err)} in ${event}`, event, {
          err,
          ...(fault ? { code: fault.code } : {}),
        });
      }
      const error: AckError = { code: e.code, message: e.message };
      if (typeof e.details?.retryAfterMs === "number") error.retryAfterMs = e.details.retryAfterMs;
      if (e.details?.current) error.current = e.details.current;
      if (typeof e.details?.changedBy === "string") error.changedBy = e.details.changedBy;
      reply({ ok: false, error });
    }
  };
  // The listener takes a frame's arguments as unknown and checks each (a forged client may send
  // anything), so it fits every command; socket.io's typing cannot follow a generic event name, so
  // the registration goes through the socket's plain EventEmitter face.
  const name: string = event;
  (socket as Socket).on(name, listener);
}
