/** One pass of the scenario against a running server (Plenary or the bare floor): join, connect, enter, approve, storm. */
import { now, sleep, SLUG, STEP_LIMIT_MS, type Question } from "./common";
import { rssMiB, startWorker, type Server } from "./harness";
import { deliveries, percentile, type Delivery } from "./stats";

export interface Pass {
  joinMs: number;
  joinFailures: Record<string, number>;
  connectMs: number;
  connected: number;
  enterMs: number;
  rssIdle: number;
  rssConnected: number;
  quiet: Delivery;
  /** Approvals sent while the storm ran (from its first vote to its last vote's ack). */
  storm: Delivery;
  /** The storm's other approvals, sent after the last vote was acknowledged. */
  afterStorm: Delivery;
  votes: {
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
  };
  sample: unknown;
}

export async function runPass(
  server: Server,
  opts: { n: number; approvals: number; stormApprovals: number; workers: number },
  log: (line: string) => void,
): Promise<Pass> {
  const { n, approvals, stormApprovals, workers } = opts;
  await sleep(2000);
  const rssIdle = rssMiB(server.pid);
  const moderator = startWorker("moderator");
  const audience = Array.from({ length: workers }, () => startWorker("audience"));
  try {
    const { code } = await moderator.call<{ code: string }>("signIn", { url: server.url, slug: SLUG });
    const mine = (w: number) => Array.from({ length: n }, (_, g) => g).filter((g) => g % workers === w);

    let t0 = now();
    const joins = await Promise.all(
      audience.map((w, i) =>
        w.call<{ failures: Record<string, number> }>("join", { url: server.url, code, indices: mine(i), concurrency: 32 }, 10 * STEP_LIMIT_MS),
      ),
    );
    const joinMs = now() - t0;
    const joinFailures: Record<string, number> = {};
    for (const j of joins) for (const [k, v] of Object.entries(j.failures)) joinFailures[k] = (joinFailures[k] ?? 0) + v;

    t0 = now();
    const conns = await Promise.all(audience.map((w) => w.call<{ connected: number; failures: Record<string, number> }>("connect", { concurrency: 250 })));
    const connectMs = now() - t0;
    const connected = conns.reduce((s, c) => s + c.connected, 0);
    for (const c of conns) for (const [k, v] of Object.entries(c.failures)) joinFailures[`connect: ${k}`] = (joinFailures[`connect: ${k}`] ?? 0) + v;

    t0 = now();
    const entered = await Promise.all(
      audience.map((w) => w.call<{ refused: Record<string, number> }>("enter", { slug: SLUG, concurrency: 200 }, 5 * STEP_LIMIT_MS)),
    );
    const enterMs = now() - t0;
    for (const e of entered) for (const [k, v] of Object.entries(e.refused)) joinFailures[k] = (joinFailures[k] ?? 0) + v;
    log(`  ${connected}/${n} connected; joins ${joinMs.toFixed(0)} ms, connect ${connectMs.toFixed(0)} ms, enter ${enterMs.toFixed(0)} ms`);
    await sleep(2000);
    const rssConnected = rssMiB(server.pid);

    // The questions: people 0 … Q-1 ask one each.
    const total = approvals + stormApprovals;
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

    // Storm: every socket votes once within one second, for an approved question not its own;
    // meanwhile the moderator approves at 1/s from the storm's first moment.
    const target = Array.from({ length: n }, (_, g) => quietQs[(g + 1) % quietQs.length].id);
    const at = now() + 500;
    const [storms, stormSent] = await Promise.all([
      Promise.all(
        audience.map((w) =>
          w.call<{ sent: number; acked: number; ackMs: number[]; lastAckAt: number; refused: Record<string, number> }>(
            "storm",
            { slug: SLUG, at, spreadMs: 1000, total: n, target },
            STEP_LIMIT_MS,
          ),
        ),
      ),
      moderator.call<Array<{ id: string; sentAt: number; ackMs: number; ok: boolean; error?: string }>>(
        "approve",
        { slug: SLUG, questions: stormQs, startAt: at, intervalMs: 1000 },
        stormApprovals * 1000 + STEP_LIMIT_MS,
      ),
    ]);
    const lastAckAt = Math.max(...storms.map((s) => s.lastAckAt));
    const storm = await deliveries(
      audience,
      stormSent.filter((s) => s.sentAt <= lastAckAt),
      15_000,
    );
    const afterStorm = await deliveries(
      audience,
      stormSent.filter((s) => s.sentAt > lastAckAt),
      15_000,
    );
    await sleep(1500); // the last vote ticks
    const counts = await moderator.call<Record<string, number>>("counts", { slug: SLUG });
    const seen = await audience[0].call<{ broadcasts: number; last: Record<string, number>; disconnects: Record<string, number>; sample: unknown }>(
      "votesSeen",
    );
    const disconnects: Record<string, number> = {};
    for (const w of audience)
      for (const [k, v] of Object.entries((await w.call<{ disconnects: Record<string, number> }>("votesSeen")).disconnects))
        disconnects[k] = (disconnects[k] ?? 0) + v;
    const ackMs = storms.flatMap((s) => s.ackMs).sort((a, b) => a - b);
    const refused: Record<string, number> = {};
    for (const s of storms) for (const [k, v] of Object.entries(s.refused)) refused[k] = (refused[k] ?? 0) + v;
    const sum = (m: Record<string, number>) => quietQs.reduce((s, q) => s + (m[q.id] ?? 0), 0);
    return {
      joinMs,
      joinFailures,
      connectMs,
      connected,
      enterMs,
      rssIdle,
      rssConnected,
      quiet,
      storm,
      afterStorm,
      votes: {
        sent: ackMs.length,
        acked: storms.reduce((s, x) => s + x.acked, 0),
        refused,
        counted: sum(counts),
        lastBroadcast: sum(seen.last),
        broadcasts: seen.broadcasts,
        ackP50: percentile(ackMs, 50),
        ackP99: percentile(ackMs, 99),
        lastAckAfterMs: lastAckAt - at,
        disconnects,
      },
      sample: seen.sample,
    };
  } finally {
    await Promise.all([moderator, ...audience].map((w) => w.call("close", undefined, 10_000).catch(() => w.child.kill("SIGKILL"))));
  }
}
