/**
 * One pass of the poll storm against a running server (Plenary or the bare floor): the crowd gets in
 * (pass.ts), the moderator launches a live single-choice poll as the poll console's "Launch now" does,
 * every audience socket answers once, open loop, spread evenly over the window; then the totals are
 * read back as the moderator's console reads them and compared with what every socket last heard.
 */
import { addCounts, now, sleep, SLUG, STEP_LIMIT_MS } from "./common";
import type { Server } from "./harness";
import { openCrowd, stormTotals, type CrowdFigures, type StormReply } from "./pass";
import { mean, observed, quantileMs, scrape } from "./server-metrics";
import { median, percentile } from "./stats";

/** The poll the moderator launches: results live for everyone, as a moderator shows them in the room. */
const DRAFT = {
  kind: "single",
  question: "Which matters most for sustainment over the next decade?",
  options: ["Speed of delivery", "Cost", "Training", "Export rules"],
  resultsVisibility: "live",
};

export interface PollPass extends CrowdFigures {
  /** `poll:create` with `open: true`, from send to ack. */
  launchMs: number;
  answers: {
    sent: number;
    acked: number;
    refused: Record<string, number>;
    /** Respondents in the moderator's `poll:sync` (counted from the database) after the storm. */
    counted: number;
    /** Respondents in the last `poll:results` the first audience socket received (null: none). */
    lastBroadcast: number | null;
    ackP50: number;
    ackP95: number;
    ackP99: number;
    ackMax: number;
    lastAckAfterMs: number;
    /** The latest any answer was sent after its scheduled moment (the client processes keeping up). */
    lateMs: number;
    /** The server's own histograms over the storm (`GET /metrics`; the floor has none). */
    server?: {
      handlerP50: number;
      handlerP99: number;
      batchWaitP99: number;
      batchWriteMean: number;
      batchSizeMean: number;
      batches: number;
      statementMean: number;
      loopLagP99: number;
    };
  };
  results: {
    /** `poll:results` received per socket: median, fewest, most. */
    broadcasts: [median: number, min: number, max: number];
    /** Per socket: the arrival of the first results holding the final total, after the last answer's ack (never: +∞). */
    finalP50: number;
    finalP95: number;
    finalP99: number;
    /** Until every socket held the final total, after the last answer's ack (+∞ if one never did). */
    everyMs: number;
    /** Sockets that never received the final total. */
    missing: number;
    payloadBytes: number | null;
  };
  disconnects: Record<string, number>;
}

interface PollSeen {
  broadcasts: number[];
  finalAt: Array<number | null>;
  lastTotal: number | null;
  payloadBytes: number | null;
  disconnects: Record<string, number>;
}

export async function runPollPass(server: Server, opts: { n: number; windowMs: number; workers: number }, log: (line: string) => void): Promise<PollPass> {
  const { n, windowMs } = opts;
  // The session page sends session:join, qa:sync, poll:sync; the poll console session:join, poll:sync.
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
        ["poll:sync", { slug: SLUG }],
      ],
    },
    log,
  );
  const { moderator, audience } = crowd;
  try {
    await sleep(1000);
    const { poll, ackMs: launchMs } = await moderator.call<{ poll: { id: string; options: Array<{ id: string }> }; ackMs: number }>("launchPoll", {
      slug: SLUG,
      draft: DRAFT,
    });
    await sleep(1000); // the launch reaches every phone before anyone answers

    // Open loop: person g answers at at + g/n × window, each option as often as the others.
    const payloads = Array.from({ length: n }, (_, g) => ({ pollId: poll.id, answer: { kind: "single", optionId: poll.options[g % poll.options.length].id } }));
    const metricsBefore = await scrape(server.url);
    const at = now() + 500;
    const storms = await Promise.all(
      audience.map((w) => w.call<StormReply>("storm", { event: "poll:answer", at, spreadMs: windowMs, total: n, payloads }, windowMs + STEP_LIMIT_MS)),
    );
    const { ackMs, acked, lastAckAt, lateMs, refused } = stormTotals(storms);
    const metricsAfter = metricsBefore && (await scrape(server.url));
    const serverSide = metricsAfter && {
      handlerP50: quantileMs(metricsBefore, metricsAfter, "plenary_command_duration_seconds", { event: "poll:answer" }, 0.5),
      handlerP99: quantileMs(metricsBefore, metricsAfter, "plenary_command_duration_seconds", { event: "poll:answer" }, 0.99),
      batchWaitP99: quantileMs(metricsBefore, metricsAfter, "plenary_batch_wait_seconds", { batcher: "poll_answers" }, 0.99),
      batchWriteMean: mean(metricsBefore, metricsAfter, "plenary_batch_write_seconds", { batcher: "poll_answers" }) * 1000,
      batchSizeMean: mean(metricsBefore, metricsAfter, "plenary_batch_size", { batcher: "poll_answers" }),
      batches: observed(metricsBefore, metricsAfter, "plenary_batch_size", { batcher: "poll_answers" }),
      // The batch's one statement (server/polls/queries.ts answersIfOpen), as the event loop waits for it.
      statementMean: mean(metricsBefore, metricsAfter, "plenary_db_operation_duration_seconds", { operation: "insert into poll_responses" }) * 1000,
      loopLagP99: (metricsAfter.get("nodejs_eventloop_lag_p99_seconds") ?? NaN) * 1000,
    };
    await sleep(1500); // several results ticks after the last answer
    const counted = await moderator.call<number>("pollTotal", { slug: SLUG, pollId: poll.id });

    // Wait until every socket holds the counted total, but no longer than 15 s after the last ack.
    let seen: PollSeen[] = [];
    for (;;) {
      seen = await Promise.all(audience.map((w) => w.call<PollSeen>("pollSeen", { pollId: poll.id, total: counted })));
      if (seen.every((s) => s.finalAt.every((t) => t !== null)) || now() > lastAckAt + 15_000) break;
      await sleep(250);
    }
    const final = seen
      .flatMap((s) => s.finalAt)
      .map((t) => (t === null ? Infinity : t - lastAckAt))
      .sort((a, b) => a - b);
    const broadcasts = seen.flatMap((s) => s.broadcasts);
    const disconnects: Record<string, number> = {};
    for (const s of seen) addCounts(disconnects, s.disconnects);
    return {
      ...crowd.figures,
      launchMs,
      answers: {
        sent: ackMs.length,
        acked,
        refused,
        counted,
        lastBroadcast: seen[0].lastTotal,
        ackP50: percentile(ackMs, 50),
        ackP95: percentile(ackMs, 95),
        ackP99: percentile(ackMs, 99),
        ackMax: ackMs.at(-1) ?? NaN,
        lastAckAfterMs: lastAckAt - at,
        lateMs,
        server: serverSide,
      },
      results: {
        broadcasts: [median(broadcasts), Math.min(...broadcasts), Math.max(...broadcasts)],
        finalP50: percentile(final, 50),
        finalP95: percentile(final, 95),
        finalP99: percentile(final, 99),
        everyMs: final.at(-1) ?? NaN,
        missing: final.filter((x) => x === Infinity).length,
        payloadBytes: seen[0].payloadBytes,
      },
      disconnects,
    };
  } finally {
    await crowd.close();
  }
}
