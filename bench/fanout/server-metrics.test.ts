import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { mean, observed, parse, quantileMs } from "./server-metrics";

describe("the server's histograms between two scrapes", () => {
  it("answers the quantile of what was observed between them only, interpolated in its bucket", async () => {
    const registry = new Registry();
    const h = new Histogram({ name: "t_seconds", help: "t", labelNames: ["event"], buckets: [0.1, 0.2, 0.4], registers: [registry] });
    for (let i = 0; i < 50; i++) h.observe({ event: "question:vote" }, 0.05); // before: not counted
    const before = parse(await registry.metrics());
    for (let i = 0; i < 80; i++) h.observe({ event: "question:vote" }, 0.05);
    for (let i = 0; i < 20; i++) h.observe({ event: "question:vote" }, 0.3);
    for (let i = 0; i < 1000; i++) h.observe({ event: "other" }, 5);
    const after = parse(await registry.metrics());
    const q = (x: number) => quantileMs(before, after, "t_seconds", { event: "question:vote" }, x);
    expect(q(0.5)).toBeCloseTo(62.5); // rank 50 of the 80 in 0–100 ms
    expect(q(0.9)).toBeCloseTo(300); // rank 90: half-way through the 20 in 200–400 ms
    expect(q(0.99)).toBeCloseTo(390);
    expect(quantileMs(after, after, "t_seconds", { event: "question:vote" }, 0.5)).toBeNaN();
    expect(mean(before, after, "t_seconds", { event: "question:vote" })).toBeCloseTo((80 * 0.05 + 20 * 0.3) / 100);
    expect(mean(after, after, "t_seconds", { event: "question:vote" })).toBeNaN();
  });

  it("adds up the series that differ in a label not asked about", async () => {
    const registry = new Registry();
    const h = new Histogram({ name: "v_seconds", help: "v", labelNames: ["batcher", "outcome"], buckets: [0.1, 0.2], registers: [registry] });
    const before = parse(await registry.metrics());
    for (let i = 0; i < 3; i++) h.observe({ batcher: "qa_votes", outcome: "ok" }, 0.05);
    h.observe({ batcher: "qa_votes", outcome: "error" }, 0.15);
    h.observe({ batcher: "poll_answers", outcome: "ok" }, 0.15);
    const after = parse(await registry.metrics());
    expect(mean(before, after, "v_seconds", { batcher: "qa_votes" })).toBeCloseTo((3 * 0.05 + 0.15) / 4);
    expect(quantileMs(before, after, "v_seconds", { batcher: "qa_votes" }, 0.75)).toBeCloseTo(100); // rank 3 of 4: the top of 0–100 ms
    expect(quantileMs(before, after, "v_seconds", { batcher: "qa_votes" }, 1)).toBeCloseTo(200);
    expect(observed(before, after, "v_seconds", { batcher: "qa_votes" })).toBe(4);
    expect(observed(before, after, "v_seconds", { batcher: "poll_answers" })).toBe(1);
  });

  it("answers the last finite bound for what lies beyond it", async () => {
    const registry = new Registry();
    const h = new Histogram({ name: "u_seconds", help: "u", buckets: [0.1, 0.2], registers: [registry] });
    const before = parse(await registry.metrics());
    for (let i = 0; i < 10; i++) h.observe(3);
    expect(quantileMs(before, parse(await registry.metrics()), "u_seconds", {}, 0.99)).toBe(200);
  });
});
