import type { z } from "zod";
import type { AckResult } from "../../lib/realtime/contract";
import { AppError, toAppError } from "../errors";
import type { Logger } from "../log";
import type { PlenarySocket } from "./io";
import type { BucketRule, RateLimiter } from "./rate-limit";

export interface CommandDeps {
  log: Logger;
  limiter: RateLimiter;
}

/** A generous default: bursts of 20, 5 a second sustained. Commands that need less set their own. */
export const DEFAULT_RATE: BucketRule = { capacity: 20, perSecond: 5 };

/**
 * Registers one socket command with the shape every command follows: rate limit, parse with the
 * shared zod schema, run, answer through the ack. A refusal or bad payload is answered with
 * `{ ok: false, error: { code, message } }` and changes nothing; internal faults are logged, not sent.
 */
export function onCommand<S extends z.ZodType, R>(
  socket: PlenarySocket,
  deps: CommandDeps,
  event: string,
  schema: S,
  handler: (input: z.output<S>) => Promise<R>,
  rate: BucketRule = DEFAULT_RATE,
): void {
  (socket as unknown as { on(e: string, l: (...args: unknown[]) => void): void }).on(event, async (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== "function") return; // every command must be acknowledged; fire-and-forget is ignored
    const reply = ack as (r: AckResult<R>) => void;
    try {
      await deps.limiter.take(`${socket.data.actor?.userId ?? socket.id}:${event}`, rate);
      const parsed = schema.safeParse(args.length > 1 ? args[0] : undefined);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AppError("invalid_payload", `${issue.path.join(".") || "payload"}: ${issue.message}`);
      }
      reply({ ok: true, data: await handler(parsed.data) });
    } catch (err) {
      const e = toAppError(err);
      if (e.code === "internal") deps.log.error("socket command failed", { event, err });
      const retryAfterMs = typeof e.details?.retryAfterMs === "number" ? e.details.retryAfterMs : undefined;
      reply({ ok: false, error: { code: e.code, message: e.message, ...(retryAfterMs ? { retryAfterMs } : {}), ...(e.details?.current ? { current: e.details.current } : {}) } });
    }
  });
}
