/**
 * Poll storm, measured the way Plenary is deployed (not a test). Each run:
 *
 *  1. starts the built server as `npm run demo` does (`node scripts/start.mjs --demo`: Next in the
 *     process, PGlite on disk in a fresh temporary DATA_DIR, or a fresh Postgres database with
 *     `--postgres`) on a free loopback port, with the clock inside the Day 2 session;
 *  2. a moderator worker process signs in (`POST /api/demo/sign-in`), reads the room code off the room
 *     screen (`GET /sessions/<slug>/screen`) and opens the poll console's commands (session:join, poll:sync);
 *  3. two audience worker processes join N people by room code (`POST /api/join`), connect N sockets
 *     with those cookies and send what the session page sends (session:join, qa:sync, poll:sync);
 *  4. the moderator launches a live single-choice poll as the console's "Launch now" does (one
 *     `poll:create` with `open: true`);
 *  5. every audience socket answers once (`poll:answer`), open loop: answer g is sent at its moment,
 *     spread evenly over the window (default 1 s), never waiting for other acks;
 *  6. the totals are read back as the moderator's console reads them (`poll:sync`: respondents counted
 *     from the database) and compared with the `poll:results` broadcasts every socket received;
 *  7. the server is stopped and waited for; then a bare socket.io server (no application: the same
 *     HTTP routes and poll commands answered from memory, totals broadcast on Plenary's 250 ms
 *     results tick, same payload shapes) runs the same clients through the same steps.
 *
 * Measured: answer ack latency (p50/p95/p99; never acknowledged = +∞ and counted), results broadcasts
 * per socket, when each socket first held the final total (after the last answer's ack; never = +∞,
 * counted as missing) and when every socket did; answers sent → acked → counted → last broadcast.
 * Each figure is printed per run and as the median (min–max) of the runs with the ratio to the floor.
 * Exit 1 if anyone could not get in, or any answer was refused, never acknowledged, lost between ack
 * and count or missing from the final broadcast, or a socket never received the final totals.
 *
 *   npx tsx bench/poll-storm.ts [--sockets 2000] [--runs 3] [--window-ms 1000] [--postgres] [--skip-bare]
 *
 * The parts are bench/fanout/ (shared with bench/qa-fanout.ts); this scenario is fanout/poll-pass.ts.
 * Loopback only and bounded: every step has a time limit, the whole run has a watchdog, and every
 * process it starts (server, workers) is stopped when it ends, however it ends.
 */
import { arg, intArg } from "./fanout/common";
import { startWatchdog } from "./fanout/harness";
import { runPollPass } from "./fanout/poll-pass";
import { printMachine, printPollRun, printPollSummary } from "./fanout/report";
import { runAll } from "./fanout/runners";

async function main(): Promise<void> {
  const n = intArg("sockets", 2000, 30, 20_000);
  const runs = intArg("runs", 3, 1, 10);
  const windowMs = intArg("window-ms", 1000, 0, 600_000);
  const postgres = arg("postgres") === "true";
  const skipBare = arg("skip-bare") === "true";

  startWatchdog("poll-storm", runs * 25 * 60_000 + 2 * runs * windowMs);
  const log = (line: string) => console.log(line);
  log(
    `poll-storm (production): ${n} audience sockets in 2 worker processes + 1 moderator process, one live single-choice poll, every socket answers once within ${windowMs} ms, ${postgres ? "Postgres" : "PGlite on disk"}, ${runs} runs — ${new Date().toISOString()}`,
  );
  printMachine(log);

  const results = await runAll(
    { name: "poll-storm", runs, postgres, skipBare, log },
    (server) => runPollPass(server, { n, windowMs, workers: 2 }, log),
    () => null, // the floor builds its poll payloads itself, in Plenary's shapes
    printPollRun,
  );
  printPollSummary(results, n);
  const ok = results.every(
    ({ app }) =>
      app.connected === n &&
      Object.keys(app.joinFailures).length === 0 &&
      app.answers.sent === n &&
      app.answers.acked === app.answers.sent &&
      app.answers.counted === app.answers.acked &&
      app.answers.lastBroadcast === app.answers.counted &&
      app.results.missing === 0,
  );
  if (!ok) console.error("poll-storm: someone could not get in, or answers were refused, lost or missing from the final totals");
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error("poll-storm failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
