/** Percentiles (with +∞ for what never came), medians and spreads, and collecting one set of deliveries. */
import { now, sleep } from "./common";
import type { Worker } from "./harness";

/** p-th percentile (nearest rank) with +∞ for what never came. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Delivery {
  approvals: number;
  refused: number;
  samples: number;
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Per approval: its first delivery (≈ when the server began the broadcast) and its ack, median and max over the approvals. */
  firstP50: number;
  firstMax: number;
  ackP50: number;
  ackMax: number;
}

export async function deliveries(
  audience: Worker[],
  sent: Array<{ id: string; sentAt: number; ackMs: number; ok: boolean }>,
  graceMs: number,
): Promise<Delivery> {
  if (!sent.length)
    return { approvals: 0, refused: 0, samples: 0, missing: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, firstP50: NaN, firstMax: NaN, ackP50: NaN, ackMax: NaN };
  const ids = sent.filter((s) => s.ok).map((s) => s.id);
  // Wait for every delivery, but no longer than graceMs after the last approval was sent.
  const deadline = Math.max(...sent.map((s) => s.sentAt)) + graceMs;
  let results: Array<{ sockets: number; times: number[][] }> = [];
  for (;;) {
    results = await Promise.all(audience.map((w) => w.call<{ sockets: number; times: number[][] }>("arrivals", { ids })));
    const complete = results.every((r) => r.times.every((t) => t.length >= r.sockets));
    if (complete || now() > deadline) break;
    await sleep(250);
  }
  const latencies: number[] = [];
  const firsts: number[] = [];
  let missing = 0;
  ids.forEach((id, k) => {
    const sentAt = sent.find((s) => s.id === id)!.sentAt;
    firsts.push(Math.min(...results.flatMap((r) => r.times[k])) - sentAt);
    for (const r of results) {
      for (const t of r.times[k]) latencies.push(t - sentAt);
      for (let i = r.times[k].length; i < r.sockets; i++) latencies.push(Infinity);
      missing += Math.max(0, r.sockets - r.times[k].length);
    }
  });
  const refusedCount = sent.length - ids.length;
  const sockets = results.reduce((n, r) => n + r.sockets, 0);
  for (let i = 0; i < refusedCount * sockets; i++) latencies.push(Infinity);
  latencies.sort((a, b) => a - b);
  const acks = sent.filter((s) => s.ok).map((s) => s.ackMs);
  return {
    approvals: sent.length,
    refused: refusedCount,
    samples: latencies.length,
    missing: missing + refusedCount * sockets,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    firstP50: firsts.length ? median(firsts) : NaN,
    firstMax: firsts.length ? Math.max(...firsts) : NaN,
    ackP50: acks.length ? median(acks) : NaN,
    ackMax: acks.length ? Math.max(...acks) : NaN,
  };
}

export const fmtMs = (x: number) => (Number.isNaN(x) ? "n/a" : !Number.isFinite(x) ? "∞" : Number.isInteger(x) ? String(x) : x.toFixed(x < 100 ? 1 : 0));
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const spread = (xs: number[]) => `${fmtMs(median(xs))} (${fmtMs(Math.min(...xs))}–${fmtMs(Math.max(...xs))})`;
