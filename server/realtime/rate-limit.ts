import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors";

export interface BucketRule {
  /** Most actions in a burst. */
  capacity: number;
  /** Actions regained per second, on average. */
  perSecond: number;
}

export interface RateLimiterOptions {
  /**
   * A connected node-redis client (REDIS_URL): the counters live in Redis, so a person whose sockets
   * are spread over several instances gets one budget, not one per instance. None: this process's memory.
   */
  redis?: unknown;
  /** Keeps the keys of separate deployments (or test runs) on one Redis apart. */
  prefix?: string;
}

/**
 * Per-person, per-action limits (rate-limiter-flexible). A rule is two windows, as its
 * BurstyRateLimiter composes them: the sustained rate (`perSecond` per second; below one a second,
 * one per 1/perSecond seconds), and when that is spent a burst allowance of the rest of `capacity`
 * per `capacity / perSecond` seconds. So a fresh person gets exactly `capacity` at once, and whoever
 * spent the burst still gets the sustained rate, with a retry time under a window — close to the token
 * bucket this replaced. With Redis, a Redis outage falls back to per-instance memory counters rather
 * than refusing everyone or letting floods through. (Room-code guessing is counted in the database
 * instead: server/auth.)
 */
export class RateLimiter {
  private readonly limiters = new Map<string, { consume(key: string, points: number): Promise<unknown> }>();

  constructor(private readonly opts: RateLimiterOptions = {}) {}

  /** Whether the counters are shared through Redis (for /metrics and the docs' claims). */
  get shared(): boolean {
    return this.opts.redis !== undefined;
  }

  /** Counts one action; refuses with `rate_limited` (and `retryAfterMs`) when the budget is spent. */
  async take(key: string, rule: BucketRule): Promise<void> {
    try {
      await this.limiterFor(rule).consume(key, 1);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      const retryAfterMs = Math.max(1, res.msBeforeNext);
      throw new AppError("rate_limited", `You are going too fast. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });
    }
  }

  private limiterFor(rule: BucketRule) {
    const id = `${rule.capacity}/${rule.perSecond}`;
    let limiter = this.limiters.get(id);
    if (limiter) return limiter;
    const sustained = rule.perSecond >= 1 ? { points: Math.round(rule.perSecond), duration: 1 } : { points: 1, duration: Math.round(1 / rule.perSecond) };
    const burstPoints = rule.capacity - sustained.points;
    const prefix = `${this.opts.prefix ?? "plenary"}:rl:${id}`;
    const main = this.store(`${prefix}:rate`, sustained.points, sustained.duration);
    limiter =
      burstPoints > 0 ? new BurstyRateLimiter(main, this.store(`${prefix}:burst`, burstPoints, Math.max(1, Math.round(rule.capacity / rule.perSecond)))) : main;
    this.limiters.set(id, limiter);
    return limiter;
  }

  private store(keyPrefix: string, points: number, duration: number) {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!this.opts.redis) return memory;
    return new RateLimiterRedis({
      storeClient: this.opts.redis,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      keyPrefix,
      points,
      duration,
      insuranceLimiter: memory,
    });
  }
}
