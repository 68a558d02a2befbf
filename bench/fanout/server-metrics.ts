/**
 * The server's own view of a storm, from its Prometheus histograms (GET /metrics, loopback needs no
 * token): read before and after, the difference is the storm's. It splits a vote's ack time, as a
 * client sees it, into the part inside the server's handler and the rest (the server's event loop
 * before the handler runs, the kernel, the client processes).
 */

/** Every sample of a scrape, by its name and labels as printed (`name{a="x",le="0.1"}`). */
export type Scrape = Map<string, number>;

/** The floor has no /metrics: undefined there. */
export async function scrape(url: string): Promise<Scrape | undefined> {
  const res = await fetch(`${url}/metrics`).catch(() => undefined);
  return res?.ok ? parse(await res.text()) : undefined;
}

/** Prometheus's text format, comments skipped. */
export function parse(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** Labels of a printed sample name, e.g. `{event="question:vote",le="0.1"}` → { event, le }. */
function labels(key: string): Record<string, string> {
  const open = key.indexOf("{");
  if (open < 0) return {};
  return Object.fromEntries([...key.slice(open + 1, -1).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/**
 * What one series of a histogram (`_bucket`, `_sum`, `_count`) gained between two scrapes, for the
 * samples whose labels include `match`, each with its labels. A sample absent before counts from 0.
 */
function gained(before: Scrape, after: Scrape, series: string, match: Record<string, string>): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const [key, value] of after) {
    if (key !== series && !key.startsWith(`${series}{`)) continue;
    const l = labels(key);
    if (Object.entries(match).every(([k, v]) => l[k] === v)) out.push({ labels: l, value: value - (before.get(key) ?? 0) });
  }
  return out;
}

/**
 * The q-quantile (0–1), in ms, of what a histogram observed between two scrapes, interpolated inside
 * its bucket as Prometheus's histogram_quantile does; NaN if it observed nothing. Past the last finite
 * bucket it answers that bucket's bound (the true value is at least that).
 */
export function quantileMs(before: Scrape, after: Scrape, name: string, match: Record<string, string>, q: number): number {
  // Series that differ in a label not matched (e.g. the outcome) add up, bucket by bucket.
  const byBound = new Map<number, number>();
  for (const b of gained(before, after, `${name}_bucket`, match)) {
    const le = b.labels.le === "+Inf" ? Infinity : Number(b.labels.le);
    byBound.set(le, (byBound.get(le) ?? 0) + b.value);
  }
  const buckets = [...byBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (!total) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lower * 1000;
      return (lower + ((b.le - lower) * (rank - below)) / Math.max(1, b.count - below)) * 1000;
    }
    lower = b.le;
    below = b.count;
  }
  return lower * 1000;
}

/** What a histogram's series (`sum`, `count`) gained between two scrapes, summed over the matching labels. */
function total(before: Scrape, after: Scrape, name: string, series: "sum" | "count", match: Record<string, string>): number {
  return gained(before, after, `${name}_${series}`, match).reduce((sum, s) => sum + s.value, 0);
}

/** How many observations a histogram made between two scrapes (e.g. batches written). */
export function observed(before: Scrape, after: Scrape, name: string, match: Record<string, string>): number {
  return total(before, after, name, "count", match);
}

/** The mean of what a histogram observed between two scrapes (its _sum over its _count); NaN if nothing. */
export function mean(before: Scrape, after: Scrape, name: string, match: Record<string, string>): number {
  const count = total(before, after, name, "count", match);
  return count > 0 ? total(before, after, name, "sum", match) / count : NaN;
}
