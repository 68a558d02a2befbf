/**
 * One pass against a running server (Plenary or the bare floor): the crowd every scenario starts with
 * (moderator signed in, N people joined by room code, connected and in the session), then the Q&A
 * scenario (approve, vote storm). The poll storm is poll-pass.ts.
 */
import { randomUUID } from "node:crypto";
import { addCounts, now, sleep, SLUG, STEP_LIMIT_MS, type Command, type Question } from "./common";
import { rssMiB, startWorker, type Server, type Worker } from "./harness";
import { mean, quantileMs, scrape } from "./server-metrics";
import { deliveries, fmtMs, percentile, type Delivery } from "./stats";

/** What getting the crowd in cost. */
export interface CrowdFigures {
  joinMs: number;
  joinFailures: Record<string, number>;
  connectMs: number;
  connected: number;
  enterMs: number;
  /** RSS 2 s after the server said it is ready: start-up's garbage not yet collected. */
  rssStart: number;
  /** RSS once idle for `SETTLE_MS` (V8's memory reducer has run): what the server holds waiting. */
  rssIdle: number;
  /** RSS 2 s after everyone is in. */
  rssEntered: number;
  /** RSS with everyone connected, settled as `rssIdle`. */
  rssConnected: number;
}

/**
 * How long the server is left alone before its memory is read. V8 frees start-up's garbage (and
 * the heap grown for it) only after a few idle seconds, about 10 s here: read 2 s after start, the
 * idle figure was some 35 MiB higher than the same server a few seconds later (docs/benchmarks.md).
 */
const SETTLE_MS = 15_000;

export interface Crowd {
  figures: CrowdFigures;
  moderator: Worker;
  audience: Worker[];
  /** The global indices of the people worker w holds. */
  mine(w: number): number[];
  /** Stops every worker of the crowd (their sockets close with them). */
  close(): Promise<void>;
}

/**
 * Idle RSS, then the moderator signs in (and sends `moderatorCommands`), N people join by room code
 * in `workers` worker processes, connect, and send `audienceCommands`; RSS again once they are in.
 */
export async function openCrowd(
  server: Server,
  opts: { n: number; workers: number; audienceCommands: Command[]; moderatorCommands: Command[] },
  log: (line: string) => void,
): Promise<Crowd> {
  const { n, workers } = opts;
  await sleep(2000);
  const rssStart = rssMiB(server.pid);
  await sleep(SETTLE_MS - 2000);
  const rssIdle = rssMiB(server.pid);
  const moderator = startWorker("moderator");
  const audience = Array.from({ length: workers }, () => startWorker("audience"));
  const close = async () => {
    await Promise.all([moderator, ...audience].map((w) => w.call("close", undefined, 10_000).catch(() => w.child.kill("SIGKILL"))));
  };
  try {
    const { code } = await moderator.call<{ code: string }>("signIn", { url: server.url, slug: SLUG, commands: opts.moderatorCommands });
    const mine = (w: number) => Array.from({ length: n }, (_, g) => g).filter((g) => g % workers === w);

    let t0 = now();
    const joins = await Promise.all(
      audience.map((w, i) =>
        w.call<{ failures: Record<string, number> }>("join", { url: server.url, code, indices: mine(i), concurrency: 32 }, 10 * STEP_LIMIT_MS),
      ),
    );
    const joinMs = now() - t0;
    const joinFailures: Record<string, number> = {};
    for (const j of joins) addCounts(joinFailures, j.failures);

    t0 = now();
    const conns = await Promise.all(audience.map((w) => w.call<{ connected: number; failures: Record<string, number> }>("connect", { concurrency: 250 })));
    const connectMs = now() - t0;
    const connected = conns.reduce((s, c) => s + c.connected, 0);
    for (const c of conns) addCounts(joinFailures, c.failures, "connect: ");

    t0 = now();
    const entered = await Promise.all(
      audience.map((w) => w.call<{ refused: Record<string, number> }>("enter", { commands: opts.audienceCommands, concurrency: 200 }, 5 * STEP_LIMIT_MS)),
    );
    const enterMs = now() - t0;
    for (const e of entered) addCounts(joinFailures, e.refused);
    log(`  ${connected}/${n} connected; joins ${joinMs.toFixed(0)} ms, connect ${connectMs.toFixed(0)} ms, enter ${enterMs.toFixed(0)} ms`);
    await sleep(2000);
    const rssEntered = rssMiB(server.pid);
    await sleep(SETTLE_MS - 2000);
    const rssConnected = rssMiB(server.pid);
    return {
      moderator,
      audience,
      mine,
      close,
      figures: { joinMs, joinFailures, connectMs, connected, enterMs, rssStart, rssIdle, rssEntered, rssConnected },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** What one worker's `storm` answers. A never-acknowledged send is +∞, which IPC (JSON) carries as null. */
export type StormReply = { sent: number; acked: number; ackMs: Array<number | null>; lastAckAt: number; lateMs: number; refused: Record<string, number> };
/** Every worker's storm, taken together: ack latencies sorted (+∞: never acknowledged), refusals by code. */
export function stormTotals(storms: StormReply[]) {
  const refused: Record<string, number> = {};
  for (const s of storms) addCounts(refused, s.refused);
  return {
    ackMs: storms.flatMap((s) => s.ackMs.map((x) => x ?? Infinity)).sort((a, b) => a - b),
    acked: storms.reduce((sum, s) => sum + s.acked, 0),
    lastAckAt: Math.max(...storms.map((s) => s.lastAckAt)),
    lateMs: Math.max(...storms.map((s) => s.lateMs)),
    refused,
  };
}

/** How long a storm's votes are spread over. */
const STORM_MS = 1000;

export interface Pass extends CrowdFigures {
  quiet: Delivery;
  /** Approvals sent in the second a storm's votes were sent, over every storm. */
  storm: Delivery;
  /** The storms' other approvals, sent after that second. */
  afterStorm: Delivery;
  votes: {
    /** How many storms (each: every socket votes once within a second); the figures cover them all. */
    storms: number;
    sent: number;
    acked: number;
    refused: Record<string, number>;
    counted: number;
    lastBroadcast: number;
    broadcasts: number;
    ackP50: number;
    ackP99: number;
    lastAckAfterMs: number;
    disconnects: Record<string, number>;
    /** The server's histograms over the storms (Plenary only): how much of the ack time is inside it. */
    server?: {
      handlerP50: number;
      handlerP99: number;
      batchWaitP99: number;
      batchWriteP99: number;
      batchWriteMean: number;
      batchSizeMean: number;
      statementMean: number;
      loopLagP99: number;
    };
  };
  sample: unknown;
}

export async function runPass(
  server: Server,
  opts: { n: number; approvals: number; storms: number; stormApprovals: number; workers: number; perStorm?: boolean },
  log: (line: string) => void,
): Promise<Pass> {
  const { n, approvals, storms, stormApprovals } = opts;
  // What the session page sends (the session, its Q&A, its polls); the moderation console: the staff view.
  const crowd = await openCrowd(
    server,
    {
      n,
      workers: opts.workers,
      audienceCommands: [
        ["session:join", { slug: SLUG }],
        ["qa:sync", { slug: SLUG }],
        ["poll:sync", { slug: SLUG }],
      ],
      moderatorCommands: [
        ["session:join", { slug: SLUG }],
        ["qa:sync", { slug: SLUG, view: "staff" }],
      ],
    },
    log,
  );
  const { moderator, audience, mine } = crowd;
  try {
    // The questions: people 0 … Q-1 ask one each.
    const total = approvals + storms * stormApprovals;
    const asked = (
      await Promise.all(audience.map((w, i) => w.call<Array<Question & { g: number }>>("submit", { slug: SLUG, indices: mine(i).filter((g) => g < total) })))
    )
      .flat()
      .sort((a, b) => a.g - b.g);
    if (asked.length < total) throw new Error(`only ${asked.length} of ${total} questions were asked`);
    const quietQs = asked.slice(0, approvals);
    const stormQs = asked.slice(approvals);
    await sleep(1000);

    // Quiet: open loop at 1/s.
    const quietSent = await moderator.call<Array<{ id: string; sentAt: number; ackMs: number; ok: boolean; error?: string }>>(
      "approve",
      { slug: SLUG, questions: quietQs, startAt: now() + 200, intervalMs: 1000 },
      approvals * 1000 + STEP_LIMIT_MS,
    );
    const refusedQuiet = quietSent.find((s) => !s.ok);
    if (refusedQuiet) log(`  an approval was refused: ${refusedQuiet.error}`);
    const quiet = await deliveries(audience, quietSent, 15_000);

    // Storms: every socket votes once within one second, for an approved question not its own (a
    // different one each storm); meanwhile the moderator approves at 1/s. The approval clock starts
    // later in each storm, at the middle of its k-th of K equal parts (1/6, 1/2, 5/6 of the second
    // for 3), so that over the storms approvals meet its start, middle and end, and none falls on
    // the edge of the window where timer jitter would decide whether it counts as during or after.
    const salt = randomUUID().slice(0, 8);
    const stormAcks: number[] = [];
    const stormRefused: Record<string, number> = {};
    let stormAcked = 0;
    let lastAckAfterMs = 0;
    const during: typeof quietSent = [];
    const after: typeof quietSent = [];
    const metricsBefore = await scrape(server.url);
    for (let k = 0; k < storms; k++) {
      const votes = Array.from({ length: n }, (_, g) => ({
        slug: SLUG,
        key: `bench-v-${g}-${salt}-${k}`,
        questionId: quietQs[(g + 1 + k) % quietQs.length].id,
        up: true,
      }));
      const at = now() + 500;
      const approving = stormQs.slice(k * stormApprovals, (k + 1) * stormApprovals);
      const [replies, sent] = await Promise.all([
        Promise.all(
          audience.map((w) => w.call<StormReply>("storm", { event: "question:vote", at, spreadMs: STORM_MS, total: n, payloads: votes }, STEP_LIMIT_MS)),
        ),
        moderator.call<typeof quietSent>(
          "approve",
          { slug: SLUG, questions: approving, startAt: at + Math.round(((k + 0.5) * STORM_MS) / storms), intervalMs: 1000 },
          stormApprovals * 1000 + STEP_LIMIT_MS,
        ),
      ]);
      const totals = stormTotals(replies);
      if (opts.perStorm)
        log(
          `  storm ${k + 1}: vote ack p50/p99 ${fmtMs(percentile(totals.ackMs, 50))}/${fmtMs(percentile(totals.ackMs, 99))} ms, last ${fmtMs(totals.lastAckAt - at)} ms after it began; approval ack ${sent.map((s) => fmtMs(s.ackMs)).join(", ")} ms`,
        );
      stormAcks.push(...totals.ackMs);
      stormAcked += totals.acked;
      addCounts(stormRefused, totals.refused);
      lastAckAfterMs = Math.max(lastAckAfterMs, totals.lastAckAt - at);
      // The same window for Plenary and the floor: the second in which the votes are sent.
      during.push(...sent.filter((s) => s.sentAt < at + STORM_MS));
      after.push(...sent.filter((s) => s.sentAt >= at + STORM_MS));
      await sleep(1500); // the storm's last vote ticks, before the next storm
    }
    stormAcks.sort((a, b) => a - b);
    const metricsAfter = metricsBefore && (await scrape(server.url));
    const serverSide = metricsAfter && {
      handlerP50: quantileMs(metricsBefore, metricsAfter, "plenary_command_duration_seconds", { event: "question:vote" }, 0.5),
      handlerP99: quantileMs(metricsBefore, metricsAfter, "plenary_command_duration_seconds", { event: "question:vote" }, 0.99),
      batchWaitP99: quantileMs(metricsBefore, metricsAfter, "plenary_batch_wait_seconds", { batcher: "qa_votes" }, 0.99),
      batchWriteP99: quantileMs(metricsBefore, metricsAfter, "plenary_batch_write_seconds", { batcher: "qa_votes" }, 0.99),
      batchWriteMean: mean(metricsBefore, metricsAfter, "plenary_batch_write_seconds", { batcher: "qa_votes" }) * 1000,
      batchSizeMean: mean(metricsBefore, metricsAfter, "plenary_batch_size", { batcher: "qa_votes" }),
      // The batch's one statement (server/qa/queries.ts upVotesIfApproved), as the event loop waits for it.
      statementMean: mean(metricsBefore, metricsAfter, "plenary_db_operation_duration_seconds", { operation: "with unnest" }) * 1000,
      // prom-client's lag gauge covers the time since the previous scrape: the storms and the pauses between them.
      loopLagP99: (metricsAfter.get("nodejs_eventloop_lag_p99_seconds") ?? NaN) * 1000,
    };
    const storm = await deliveries(audience, during, 15_000);
    const afterStorm = await deliveries(audience, after, 15_000);
    const counts = await moderator.call<Record<string, number>>("counts", { slug: SLUG });
    const seen = await audience[0].call<{ broadcasts: number; last: Record<string, number>; disconnects: Record<string, number>; sample: unknown }>(
      "votesSeen",
    );
    const disconnects: Record<string, number> = {};
    for (const w of audience) addCounts(disconnects, (await w.call<{ disconnects: Record<string, number> }>("votesSeen")).disconnects);
    const sum = (m: Record<string, number>) => quietQs.reduce((s, q) => s + (m[q.id] ?? 0), 0);
    return {
      ...crowd.figures,
      quiet,
      storm,
      afterStorm,
      votes: {
        storms,
        sent: stormAcks.length,
        acked: stormAcked,
        refused: stormRefused,
        counted: sum(counts),
        lastBroadcast: sum(seen.last),
        broadcasts: seen.broadcasts,
        ackP50: percentile(stormAcks, 50),
        ackP99: percentile(stormAcks, 99),
        lastAckAfterMs,
        disconnects,
        server: serverSide,
      },
      sample: seen.sample,
    };
  } finally {
    await crowd.close();
  }
}
