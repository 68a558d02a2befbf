/** What the benchmarks print: the machine, every figure of every run, then the summary table (median (min–max), ratio). */
import { execSync } from "node:child_process";
import os from "node:os";
import { root } from "./common";
import type { CrowdFigures, Pass } from "./pass";
import type { PollPass } from "./poll-pass";
import { fmtMs, median, spread, type Delivery } from "./stats";

/** The machine, node, commit and load, printed with every table. */
export function printMachine(log: (line: string) => void): void {
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { cwd: root }).toString().trim();
  } catch {
    // not a git checkout: the table says "unknown"
  }
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, commit ${commit}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
}

/** The crowd's part of a run's line. */
export function crowdLine(p: CrowdFigures): string {
  return (
    `joins ${fmtMs(p.joinMs)} ms, connect ${fmtMs(p.connectMs)} ms, enter ${fmtMs(p.enterMs)} ms, failures ${JSON.stringify(p.joinFailures)}; ` +
    `RSS 2 s after start ${p.rssStart} MiB, idle ${p.rssIdle} MiB, 2 s after all are in ${p.rssEntered} MiB, connected ${p.rssConnected} MiB`
  );
}

export type Row<P> = [name: string, figure: (p: P) => number];

/** The crowd's rows of the summary table: getting in first, memory last. */
export function crowdRows(n: number, enter: string): { first: Row<CrowdFigures>[]; last: Row<CrowdFigures>[] } {
  return {
    first: [
      [`${n} room-code joins (POST /api/join), ms`, (p) => p.joinMs],
      [`connect ${n} sockets, ms`, (p) => p.connectMs],
      [`${enter} on ${n} sockets, ms`, (p) => p.enterMs],
      // The joining goal compares this with the floor's connect alone; the ratio column compares it with the floor's same three steps.
      [`everyone in: joins + connect + ${enter.split(" ")[0]}…, ms`, (p) => p.joinMs + p.connectMs + p.enterMs],
    ],
    last: [
      ["server RSS 2 s after start, MiB", (p) => p.rssStart],
      ["server RSS idle (settled), MiB", (p) => p.rssIdle],
      [`server RSS 2 s after ${n} are in, MiB`, (p) => p.rssEntered],
      [`server RSS with ${n} connected (settled), MiB`, (p) => p.rssConnected],
      // Both settled, so neither holds start-up's or the joins' uncollected garbage.
      ["server RSS per connected socket (settled), KiB", (p) => Math.round(((p.rssConnected - p.rssIdle) * 1024) / Math.max(1, p.connected))],
    ],
  };
}

/** The summary: each row's median (min–max) over the runs for Plenary and the floor, and the ratio of the medians. */
export function printTable<P>(results: Array<{ app: P; bare?: P }>, rows: Row<P>[]): void {
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

/** When each approval's broadcast began (its first delivery) and when it was acknowledged: the server's part of a delivery. */
const perApproval = (d: Delivery) =>
  `per approval: first delivery p50/max ${fmtMs(d.firstP50)}/${fmtMs(d.firstMax)} ms, ack p50/max ${fmtMs(d.ackP50)}/${fmtMs(d.ackMax)} ms`;

export function printRun(r: number, app: Pass, bare?: Pass): void {
  for (const [name, p] of [
    ["plenary", app],
    ["bare", bare],
  ] as const) {
    if (!p) continue;
    const v = p.votes;
    console.log(
      `  run ${r + 1} ${name}: ${crowdLine(p)}; ` +
        `quiet p50/p95/p99 ${fmtMs(p.quiet.p50)}/${fmtMs(p.quiet.p95)}/${fmtMs(p.quiet.p99)} ms (missing ${p.quiet.missing} of ${p.quiet.samples}; ${perApproval(p.quiet)}); ` +
        `${v.storms} storms ${fmtMs(p.storm.p50)}/${fmtMs(p.storm.p95)}/${fmtMs(p.storm.p99)} ms (${p.storm.approvals} approvals, missing ${p.storm.missing} of ${p.storm.samples}; ${perApproval(p.storm)}); ` +
        (p.afterStorm.approvals
          ? `after the storm ${fmtMs(p.afterStorm.p50)}/${fmtMs(p.afterStorm.p95)}/${fmtMs(p.afterStorm.p99)} ms (${p.afterStorm.approvals} approvals, missing ${p.afterStorm.missing} of ${p.afterStorm.samples}); `
          : "") +
        `votes sent ${v.sent} acked ${v.acked} counted ${v.counted} last broadcast ${v.lastBroadcast} refused ${JSON.stringify(v.refused)}; ack p50/p99 ${fmtMs(v.ackP50)}/${fmtMs(v.ackP99)} ms, last ack ${fmtMs(v.lastAckAfterMs)} ms after its storm began; ` +
        (v.server
          ? `inside the server: vote handler p50/p99 ${fmtMs(v.server.handlerP50)}/${fmtMs(v.server.handlerP99)} ms, batch wait p99 ${fmtMs(v.server.batchWaitP99)} ms, batch write p99 ${fmtMs(v.server.batchWriteP99)} ms (mean ${fmtMs(v.server.batchWriteMean)} ms for ${fmtMs(v.server.batchSizeMean)} votes, of which the statement ${fmtMs(v.server.statementMean)} ms), event loop lag p99 ${fmtMs(v.server.loopLagP99)} ms; `
          : "") +
        `disconnects ${JSON.stringify(v.disconnects)}`,
    );
  }
}

export function printSummary(results: Array<{ app: Pass; bare?: Pass }>, n: number): void {
  const crowd = crowdRows(n, "session:join + qa:sync + poll:sync");
  printTable<Pass>(results, [
    ...crowd.first,
    ["approval delivery, quiet, p50 ms", (p) => p.quiet.p50],
    ["approval delivery, quiet, p95 ms", (p) => p.quiet.p95],
    ["approval delivery, quiet, p99 ms", (p) => p.quiet.p99],
    ["deliveries missing, quiet", (p) => p.quiet.missing],
    ["approvals sent during the vote storms", (p) => p.storm.approvals],
    ["approval delivery, vote storms, p50 ms", (p) => p.storm.p50],
    ["approval delivery, vote storms, p95 ms", (p) => p.storm.p95],
    ["approval delivery, vote storms, p99 ms", (p) => p.storm.p99],
    ["deliveries missing, vote storms", (p) => p.storm.missing],
    // With one approval a storm (the default) none is sent after the storm's second.
    ...(results.some((r) => r.app.afterStorm.approvals > 0)
      ? ([
          ["approval delivery, after the storm, p99 ms", (p) => p.afterStorm.p99],
          ["deliveries missing, after the storm", (p) => p.afterStorm.missing],
        ] satisfies Row<Pass>[])
      : []),
    ["vote ack p50 ms", (p) => p.votes.ackP50],
    ["vote ack p99 ms", (p) => p.votes.ackP99],
    ["last vote ack after its storm began, ms", (p) => p.votes.lastAckAfterMs],
    // The server's histograms (interpolated in their buckets): how much of the ack is the server's handler.
    ["vote handler in the server p99 ms (histogram)", (p) => p.votes.server?.handlerP99 ?? NaN],
    ["server event loop lag p99 over the storms, ms", (p) => p.votes.server?.loopLagP99 ?? NaN],
    ["votes acked − counted (lost)", (p) => p.votes.acked - p.votes.counted],
    ["votes counted − last broadcast", (p) => p.votes.counted - p.votes.lastBroadcast],
    ["votes not acked", (p) => p.votes.sent - p.votes.acked],
    ...crowd.last,
  ]);
}

export function printPollRun(r: number, app: PollPass, bare?: PollPass): void {
  for (const [name, p] of [
    ["plenary", app],
    ["bare", bare],
  ] as const) {
    if (!p) continue;
    const a = p.answers;
    const x = p.results;
    console.log(
      `  run ${r + 1} ${name}: ${crowdLine(p)}; launch ack ${fmtMs(p.launchMs)} ms; ` +
        `answers sent ${a.sent} acked ${a.acked} counted ${a.counted} last broadcast ${a.lastBroadcast ?? "none"} refused ${JSON.stringify(a.refused)}; ` +
        `ack p50/p95/p99/max ${fmtMs(a.ackP50)}/${fmtMs(a.ackP95)}/${fmtMs(a.ackP99)}/${fmtMs(a.ackMax)} ms, last ack ${fmtMs(a.lastAckAfterMs)} ms after the storm began, sends up to ${fmtMs(a.lateMs)} ms late; ` +
        (a.server
          ? `inside the server: answer handler p50/p99 ${fmtMs(a.server.handlerP50)}/${fmtMs(a.server.handlerP99)} ms, batch wait p99 ${fmtMs(a.server.batchWaitP99)} ms, ${a.server.batches} batches of ${fmtMs(a.server.batchSizeMean)} answers written in ${fmtMs(a.server.batchWriteMean)} ms (the statement ${fmtMs(a.server.statementMean)} ms), event loop lag p99 ${fmtMs(a.server.loopLagP99)} ms; `
          : "") +
        `results broadcasts per socket ${x.broadcasts[0]} (${x.broadcasts[1]}–${x.broadcasts[2]}), ${x.payloadBytes ?? "?"} B; ` +
        `final totals after the last ack p50/p95/p99 ${fmtMs(x.finalP50)}/${fmtMs(x.finalP95)}/${fmtMs(x.finalP99)} ms, on every socket ${fmtMs(x.everyMs)} ms (missing ${x.missing}); ` +
        `disconnects ${JSON.stringify(p.disconnects)}`,
    );
  }
}

export function printPollSummary(results: Array<{ app: PollPass; bare?: PollPass }>, n: number): void {
  const crowd = crowdRows(n, "session:join + qa:sync + poll:sync");
  printTable<PollPass>(results, [
    ...crowd.first,
    ["poll launch (poll:create, open) ack, ms", (p) => p.launchMs],
    ["answer ack p50 ms", (p) => p.answers.ackP50],
    ["answer ack p95 ms", (p) => p.answers.ackP95],
    ["answer ack p99 ms", (p) => p.answers.ackP99],
    ["last answer ack after the storm began, ms", (p) => p.answers.lastAckAfterMs],
    ["answers not acked", (p) => p.answers.sent - p.answers.acked],
    ["answers refused", (p) => Object.values(p.answers.refused).reduce((s, v) => s + v, 0)],
    ["answers acked − counted (lost)", (p) => p.answers.acked - p.answers.counted],
    ["answers counted − last broadcast", (p) => p.answers.counted - (p.answers.lastBroadcast ?? 0)],
    ["results broadcasts per socket (median)", (p) => p.results.broadcasts[0]],
    ["final totals on a socket after the last ack, p50 ms", (p) => p.results.finalP50],
    ["final totals on a socket after the last ack, p95 ms", (p) => p.results.finalP95],
    ["final totals on a socket after the last ack, p99 ms", (p) => p.results.finalP99],
    ["final totals on every socket after the last ack, ms", (p) => p.results.everyMs],
    ["sockets without the final totals", (p) => p.results.missing],
    ...crowd.last,
  ]);
}
