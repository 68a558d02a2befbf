import { AppError } from "../errors";

export interface BucketRule {
  /** Most actions in a burst. */
  capacity: number;
  /** Tokens regained per second. */
  perSecond: number;
}

/**
 * Token buckets in this process's memory, keyed by person and action. Per instance by design: a
 * limit meant to stop floods, not a quota (code guessing, which must hold across instances, is
 * counted in the database instead).
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  take(key: string, rule: BucketRule, now = Date.now()): void {
    const b = this.buckets.get(key) ?? { tokens: rule.capacity, at: now };
    b.tokens = Math.min(rule.capacity, b.tokens + ((now - b.at) / 1000) * rule.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      const retryAfterMs = Math.ceil(((1 - b.tokens) / rule.perSecond) * 1000);
      this.buckets.set(key, b);
      throw new AppError("rate_limited", `You are going too fast. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 100_000) this.sweep(now);
  }

  private sweep(now: number) {
    for (const [k, b] of this.buckets) if (now - b.at > 10 * 60_000) this.buckets.delete(k);
  }
}
