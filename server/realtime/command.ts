import { commandSchemas, type AckError, type AckResult, type CommandInput, type CommandName, type CommandResult } from "../../lib/realtime/contract";
import type { Actor } from "../auth/actor";
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

/** Who sent a command, read when it arrives: the socket and the person its handshake signed in. */
export interface CommandContext {
  socket: PlenarySocket;
  actor: Actor | null;
}

export type CommandHandler<E extends CommandName> = (input: CommandInput<E>, ctx: CommandContext) => Promise<CommandResult<E>>;

/** How a capability's handler file adds its commands to the router. */
export type CommandRegistrar = <E extends CommandName>(event: E, handler: CommandHandler<E>, rate?: BucketRule) => void;

interface Route {
  schema: (typeof commandSchemas)[CommandName];
  handler: CommandHandler<CommandName>;
  rate: BucketRule;
}

/**
 * Every socket command, registered once per server, with the shape every command follows: rate
 * limit, parse with the contract's zod schema for this event, run, answer through the ack. A refusal
 * or bad payload is answered with `{ ok: false, error: { code, message } }` and changes nothing.
 * Errors are mapped to a code here, once (server/errors.ts): an internal fault is logged by its kind,
 * never sent. Each socket gets the one shared listener (no closures per socket and command: that was
 * a third of a connected socket's memory).
 */
export class CommandRouter {
  private readonly routes = new Map<string, Route>();
  private readonly listener: (this: Socket, event: string, payload: unknown, ack: unknown) => void;

  constructor(private readonly deps: CommandDeps) {
    // socket.io calls "any" listeners with the socket as `this`, so one function serves every socket.
    const dispatch = (socket: PlenarySocket, event: string, payload: unknown, ack: unknown) => this.dispatch(socket, event, payload, ack);
    this.listener = function (this: Socket, event: string, payload: unknown, ack: unknown) {
      void dispatch(this as PlenarySocket, event, payload, ack);
    };
  }

  readonly on: CommandRegistrar = (event, handler, rate = DEFAULT_RATE) => {
    if (this.routes.has(event)) throw new Error(`socket command ${event} is registered twice`);
    this.routes.set(event, { schema: commandSchemas[event], handler, rate });
  };

  /** Wires a new socket to every command. */
  attach(socket: PlenarySocket): void {
    (socket as Socket).onAny(this.listener);
  }

  private async dispatch(socket: PlenarySocket, event: string, payload: unknown, ack: unknown): Promise<void> {
    const route = this.routes.get(event);
    if (!route) return; // not a command: nothing to answer
    if (typeof ack !== "function") return; // every command must be acknowledged; fire-and-forget is ignored
    const reply = (result: AckResult<unknown>) => (ack as (r: AckResult<unknown>) => void)(result);
    const deps = this.deps;
    try {
      await deps.limiter.take(`${socket.data.actor?.userId ?? socket.id}:${event}`, route.rate);
      const input = parseInput(route.schema, payload) as CommandInput<CommandName>;
      reply({ ok: true, data: await route.handler(input, { socket, actor: socket.data.actor }) });
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
  }
}
