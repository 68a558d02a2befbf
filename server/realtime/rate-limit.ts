import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
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
 * Per-person, per-action limits (rate-limiter-flexible). A rule is a window of `capacity` actions
 * per `capacity / perSecond` seconds: the same burst and the same sustained rate as a token bucket.
 * With Redis, a Redis outage falls back to per-instance memory counters rather than refusing everyone
 * or letting floods through. (Room-code guessing is counted in the database instead: server/auth.)
 */
export class RateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

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

  private limiterFor(rule: BucketRule): RateLimiterAbstract {
    const id = `${rule.capacity}/${rule.perSecond}`;
    let limiter = this.limiters.get(id);
    if (limiter) return limiter;
    const points = rule.capacity;
    const duration = Math.max(1, Math.round(rule.capacity / rule.perSecond));
    const keyPrefix = `${this.opts.prefix ?? "plenary"}:rl:${id}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    limiter = this.opts.redis
      ? new RateLimiterRedis({ storeClient: this.opts.redis, useRedisPackage: true, rejectIfRedisNotReady: true, keyPrefix, points, duration, insuranceLimiter: memory })
      : memory;
    this.limiters.set(id, limiter);
    return limiter;
  }
}
