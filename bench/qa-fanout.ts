/**
 * Q&A fan-out, measured the way Plenary is deployed (not a test). Each run:
 *
 *  1. starts the built server as `npm run demo` does (`node scripts/start.mjs --demo`: Next in the
 *     process, PGlite on disk in a fresh temporary DATA_DIR, or a fresh Postgres database with
 *     `--postgres`) on a free loopback port, with the clock inside the Day 2 session below;
 *  2. a moderator worker process signs in the cheapest real way, the demo sign-in (`POST
 *     /api/demo/sign-in` as the seeded Day 2 moderator), and reads the room code off the room screen
 *     (`GET /sessions/<slug>/screen`), as staff do;
 *  3. two audience worker processes join N people through the room code (`POST /api/join`, which
 *     signs the device in by cookie), connect N sockets with those cookies, and send `session:join`,
 *     `qa:sync` and `poll:sync` like the session page;
 *  4. some of those people ask questions over their sockets (one each: asking is limited per person);
 *  5. quiet: the moderator approves them open-loop at a fixed rate (1/s), never waiting for deliveries;
 *  6. storms (24 by default): every socket votes once within one second while the moderator goes on
 *     approving at 1/s, its clock started at the middle of the k-th of K equal parts of the second in
 *     storm k so that approvals meet every part of a storm (those sent within the second the votes are
 *     sent are "during the storm", the rest "after"); each storm's votes go to another approved question;
 *  7. the server is stopped and waited for; then a bare socket.io server (no application: same HTTP
 *     routes answered from memory, same event names, the same approval payload, a 200 ms vote tick)
 *     runs the same clients through the same steps.
 *
 * A delivery that never arrives counts as +∞ in the percentiles and is reported as missing; so is a
 * vote never acknowledged. Votes: acknowledged vs counted in the database (the moderator's `qa:sync`)
 * vs the last `question:votes` broadcast one audience socket saw. Server RSS is read from
 * /proc/<pid>/status (VmRSS) 2 s and 15 s after start (idle, settled) and after everyone is in. Each figure is printed per run and as the
 * median (min–max) of the runs, with the ratio of the medians to the bare floor.
 *
 *   npx tsx bench/qa-fanout.ts [--sockets 2000] [--runs 3] [--approvals 25] [--storms 24] [--storm-approvals 1] [--postgres] [--skip-bare] [--per-storm]
 *
 * The parts live in bench/fanout/ (shared with bench/poll-storm.ts): common (scenario, clocks, socket
 * helpers), child (what the worker and bare processes run), workers (the client processes), bare (the
 * floor), harness (processes and databases), pass (the crowd, and one pass of this scenario), runners
 * (Plenary, then the floor, run after run), stats and report.
 *
 * Loopback only and bounded: every step has a time limit, the whole run has a watchdog, and every
 * process it starts (server, workers) is stopped when it ends, however it ends.
 */
import { arg, intArg } from "./fanout/common";
import { startWatchdog } from "./fanout/harness";
import { runPass } from "./fanout/pass";
import { printMachine, printRun, printSummary } from "./fanout/report";
import { runAll } from "./fanout/runners";

async function main(): Promise<void> {
  const n = intArg("sockets", 2000, 30, 20_000);
  const runs = intArg("runs", 3, 1, 10);
  const approvals = intArg("approvals", 25, 2, 100);
  // One approval lands in each storm, and a p99 over the deliveries of a few is the tail of the worst
  // one or two broadcasts: over nine it moved from 1.18× to 1.70× the floor between sets of the same
  // build (docs/benchmarks.md, 6 December). So many storms of one approval each, not a few of three.
  const storms = intArg("storms", 24, 1, 99);
  const stormApprovals = intArg("storm-approvals", 1, 1, 20);
  const postgres = arg("postgres") === "true";
  const skipBare = arg("skip-bare") === "true";
  const perStorm = arg("per-storm") === "true";
  if (approvals + storms * stormApprovals > n) throw new Error("more questions than people");
  if (approvals <= storms) throw new Error("each storm votes for other approved questions: --approvals must exceed --storms");

  startWatchdog("qa-fanout", runs * 25 * 60_000);
  const log = (line: string) => console.log(line);
  log(
    `qa-fanout (production): ${n} audience sockets in 2 worker processes + 1 moderator process, ${approvals} approvals at 1/s, then ${storms} vote storms of 1 s, each with ${stormApprovals} approvals at 1/s, ${postgres ? "Postgres" : "PGlite on disk"}, ${runs} runs — ${new Date().toISOString()}`,
  );
  printMachine(log);

  const results = await runAll(
    { name: "qa-fanout", runs, postgres, skipBare, log },
    (server) => runPass(server, { n, approvals, storms, stormApprovals, workers: 2, perStorm }, log),
    (app) => {
      if (!app.sample) throw new Error("no approval payload was captured from Plenary");
      return app.sample;
    },
    printRun,
  );
  printSummary(results, n);
  const ok = results.every(
    ({ app }) =>
      app.quiet.missing === 0 &&
      app.storm.missing === 0 &&
      app.afterStorm.missing === 0 &&
      app.votes.acked === app.votes.sent &&
      app.votes.counted === app.votes.acked &&
      app.votes.lastBroadcast === app.votes.counted,
  );
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error("qa-fanout failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
