/** What the benchmark prints: every figure of every run, then the summary table (median (min–max), ratio). */
import type { Pass } from "./pass";
import { fmtMs, median, spread } from "./stats";

export function printRun(r: number, app: Pass, bare?: Pass): void {
  for (const [name, p] of [
    ["plenary", app],
    ["bare", bare],
  ] as const) {
    if (!p) continue;
    const v = p.votes;
    console.log(
      `  run ${r + 1} ${name}: joins ${fmtMs(p.joinMs)} ms, connect ${fmtMs(p.connectMs)} ms, enter ${fmtMs(p.enterMs)} ms, failures ${JSON.stringify(p.joinFailures)}; ` +
        `RSS idle ${p.rssIdle} MiB, connected ${p.rssConnected} MiB; ` +
        `quiet p50/p95/p99 ${fmtMs(p.quiet.p50)}/${fmtMs(p.quiet.p95)}/${fmtMs(p.quiet.p99)} ms (missing ${p.quiet.missing} of ${p.quiet.samples}); ` +
        `storm ${fmtMs(p.storm.p50)}/${fmtMs(p.storm.p95)}/${fmtMs(p.storm.p99)} ms (${p.storm.approvals} approvals, missing ${p.storm.missing} of ${p.storm.samples}); ` +
        `after the storm ${fmtMs(p.afterStorm.p50)}/${fmtMs(p.afterStorm.p95)}/${fmtMs(p.afterStorm.p99)} ms (${p.afterStorm.approvals} approvals, missing ${p.afterStorm.missing} of ${p.afterStorm.samples}); ` +
        `votes sent ${v.sent} acked ${v.acked} counted ${v.counted} last broadcast ${v.lastBroadcast} refused ${JSON.stringify(v.refused)}; ack p50/p99 ${fmtMs(v.ackP50)}/${fmtMs(v.ackP99)} ms, last ack ${fmtMs(v.lastAckAfterMs)} ms after the storm began; disconnects ${JSON.stringify(v.disconnects)}`,
    );
  }
}

export function printSummary(results: Array<{ app: Pass; bare?: Pass }>, n: number): void {
  const rows: Array<[string, (p: Pass) => number]> = [
    [`${n} room-code joins (POST /api/join), ms`, (p) => p.joinMs],
    [`connect ${n} sockets, ms`, (p) => p.connectMs],
    [`session:join + qa:sync on ${n} sockets, ms`, (p) => p.enterMs],
    ["approval delivery, quiet, p50 ms", (p) => p.quiet.p50],
    ["approval delivery, quiet, p95 ms", (p) => p.quiet.p95],
    ["approval delivery, quiet, p99 ms", (p) => p.quiet.p99],
    ["deliveries missing, quiet", (p) => p.quiet.missing],
    ["approvals sent during the vote storm", (p) => p.storm.approvals],
    ["approval delivery, vote storm, p50 ms", (p) => p.storm.p50],
    ["approval delivery, vote storm, p95 ms", (p) => p.storm.p95],
    ["approval delivery, vote storm, p99 ms", (p) => p.storm.p99],
    ["deliveries missing, vote storm", (p) => p.storm.missing],
    ["approval delivery, after the storm, p99 ms", (p) => p.afterStorm.p99],
    ["deliveries missing, after the storm", (p) => p.afterStorm.missing],
    ["vote ack p50 ms", (p) => p.votes.ackP50],
    ["vote ack p99 ms", (p) => p.votes.ackP99],
    ["last vote ack after the storm began, ms", (p) => p.votes.lastAckAfterMs],
    ["votes acked − counted (lost)", (p) => p.votes.acked - p.votes.counted],
    ["votes counted − last broadcast", (p) => p.votes.counted - p.votes.lastBroadcast],
    ["votes not acked", (p) => p.votes.sent - p.votes.acked],
    ["server RSS idle, MiB", (p) => p.rssIdle],
    [`server RSS with ${n} connected, MiB`, (p) => p.rssConnected],
  ];
  const hasBare = results.every((r) => r.bare);
  console.log("");
  console.log(`| measure (median (min–max) of ${results.length} runs) | Plenary | bare socket.io | ratio |`);
  console.log("|---|---:|---:|---:|");
  for (const [name, f] of rows) {
    const a = results.map((r) => f(r.app));
    const b = hasBare ? results.map((r) => f(r.bare!)) : [];
    const ratio = hasBare && median(b) > 0 && Number.isFinite(median(a)) ? (median(a) / median(b)).toFixed(1) + "×" : "";
    console.log(`| ${name} | ${spread(a)} | ${hasBare ? spread(b) : ""} | ${ratio} |`);
  }
}
