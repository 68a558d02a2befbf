/**
 * Poll storm: N real socket.io clients answer one live poll within a time window, against the real
 * Plenary server (auth handshake, policy, database write before ack, coalesced results broadcast to
 * every client), and then the same fan-out against a bare socket.io server with no app logic, in the
 * same run, on the same machine. Prints answers sent vs acknowledged vs counted in the database, ack
 * latency, results-broadcast latency, and the ratios app / bare.
 *
 *   npx tsx bench/poll-storm.ts [--sockets 2000] [--window 10] [--tick 250] [--database pglite|postgres]
 *
 * Loopback only (127.0.0.1), bounded: every phase has a deadline, and the process exits by itself.
 * `--database postgres` needs TEST_DATABASE_URL (scripts/services.sh start).
 */
import http from "node:http";
import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { authSessions, sessionRoles, sessions, users } from "../db/schema";
import type { PollResults, PollView } from "../lib/polls";
import type { AckResult } from "../lib/realtime/contract";
import { hashSecret, newSecret } from "../server/auth/tokens";
import { SESSION_COOKIE } from "../server/auth/cookies";
import { startTestServer } from "../server/testing/test-server";

const { values: args } = parseArgs({
  options: {
    sockets: { type: "string", default: "2000" },
    window: { type: "string", default: "10" },
    tick: { type: "string", default: "250" },
    database: { type: "string", default: "pglite" },
  },
});
const SOCKETS = Number(args.sockets);
const WINDOW_MS = Number(args.window) * 1000;
const TICK_MS = Number(args.tick);
const DATABASE = args.database === "postgres" ? "postgres" : "pglite";
const SLUG = "defense-industry-perspectives"; // on the record: polls run at any hour
const HARD_LIMIT_MS = 10 * 60_000;

const hardStop = setTimeout(() => {
  console.error(`poll-storm: gave up after ${HARD_LIMIT_MS / 60_000} minutes`);
  process.exit(2);
}, HARD_LIMIT_MS);
hardStop.unref();

type AnyAck = AckResult<unknown>;

function emitAck(socket: Socket, event: string, payload: unknown, timeoutMs = 30_000): Promise<AnyAck> {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, res: AnyAck) => {
      resolve(err ? { ok: false, error: { code: "timeout", message: err.message } } : res);
    });
  });
}

function client(url: string, cookie?: string): Promise<Socket> {
  const socket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    extraHeaders: cookie ? { cookie, origin: url } : { origin: url },
    reconnection: false,
    forceNew: true,
    timeout: 30_000,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((x, j) => fn(x, i + j)))));
  return out;
}

function quantiles(values: number[]) {
  const v = [...values].sort((a, b) => a - b);
  const q = (p: number) => (v.length ? v[Math.min(v.length - 1, Math.floor(p * v.length))] : NaN);
  return { n: v.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: v.at(-1) ?? NaN };
}

/** Each socket answers once, at an even spread over the window. */
async function storm(sockets: Socket[], send: (s: Socket, i: number) => Promise<AnyAck>) {
  const ackMs: number[] = [];
  let acked = 0;
  const refused = new Map<string, number>();
  const started = Date.now();
  await Promise.all(
    sockets.map(
      (s, i) =>
        new Promise<void>((resolve) => {
          setTimeout(
            async () => {
              const t = performance.now();
              const r = await send(s, i);
              ackMs.push(performance.now() - t);
              if (r.ok) acked++;
              else refused.set(r.error.code, (refused.get(r.error.code) ?? 0) + 1);
              resolve();
            },
            (i * WINDOW_MS) / sockets.length,
          );
        }),
    ),
  );
  return { acked, refused: Object.fromEntries(refused), ackMs, elapsedMs: Date.now() - started };
}

// ── The real server ──────────────────────────────────────────────────────────────────────────────

async function runPlenary() {
  const server = await startTestServer({ database: DATABASE, polls: { tickMs: TICK_MS } });
  const app = server.services;
  try {
    const [session] = await app.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(sql`${sessions.slug} = ${SLUG}`);
    // People and sign-ins in bulk (the way the server stores them: only a token's hash).
    const people = Array.from({ length: SOCKETS + 1 }, (_, i) => ({ i, token: newSecret() }));
    const ids: string[] = [];
    for (let b = 0; b < people.length; b += 500) {
      const batch = people
        .slice(b, b + 500)
        .map((p) => ({ name: `Bench voter ${p.i}`, email: `bench${p.i}@bench.example`, attendanceMode: "in_person" as const }));
      ids.push(...(await app.db.insert(users).values(batch).returning({ id: users.id })).map((r) => r.id));
    }
    const expires = new Date(Date.now() + 86_400_000);
    for (let b = 0; b < people.length; b += 500) {
      await app.db
        .insert(authSessions)
        .values(people.slice(b, b + 500).map((p, j) => ({ tokenHash: hashSecret(p.token), userId: ids[b + j], expires, method: "demo" })));
    }
    await app.db.insert(sessionRoles).values({ sessionId: session.id, userId: ids[SOCKETS], role: "moderator" });

    const moderator = await client(server.url, `${SESSION_COOKIE}=${people[SOCKETS].token}`);
    await emitAck(moderator, "session:join", { slug: SLUG });
    const t0 = Date.now();
    const sockets = await inBatches(people.slice(0, SOCKETS), 100, async (p) => {
      const s = await client(server.url, `${SESSION_COOKIE}=${p.token}`);
      const joined = await emitAck(s, "session:join", { slug: SLUG });
      if (!joined.ok) throw new Error(`session:join refused: ${joined.error.code}`);
      return s;
    });
    const connectMs = Date.now() - t0;

    const created = await emitAck(moderator, "poll:create", {
      slug: SLUG,
      clientKey: `bench-${Date.now()}`,
      draft: { kind: "single", question: "Which matters most?", options: ["Speed", "Cost", "Training", "Exports"], resultsVisibility: "live" },
      open: true,
    });
    if (!created.ok) throw new Error(`poll:create refused: ${created.error.code}`);
    const poll = created.data as PollView;

    // Every client hears the results; latency = arrival − the server's time of the totals.
    const latency: number[] = [];
    let broadcasts = 0;
    let lastSeen = 0;
    let settledAt = 0;
    const target = { respondents: -1 };
    moderator.on("poll:results", (r: PollResults) => {
      if (r.pollId === poll.id) broadcasts++;
    });
    for (const s of sockets) {
      s.on("poll:results", (r: PollResults) => {
        const now = Date.now();
        latency.push(now - Date.parse(r.at));
        lastSeen = Math.max(lastSeen, typeof r.respondents === "number" ? r.respondents : 0);
        if (r.respondents === target.respondents) settledAt = Math.max(settledAt, now);
      });
    }

    const result = await storm(sockets, (s, i) => emitAck(s, "poll:answer", { pollId: poll.id, answer: { kind: "single", optionId: poll.options[i % 4].id } }));
    const stormEnded = Date.now();
    const counted = Number(
      ((await app.db.execute(sql`SELECT count(*)::int AS n FROM poll_responses WHERE poll_id = ${poll.id}`)) as unknown as { rows: Array<{ n: number }> })
        .rows[0].n,
    );
    target.respondents = counted;
    // Wait for the final totals to reach every client (bounded).
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (lastSeen < counted || settledAt === 0)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, TICK_MS * 2));
    for (const s of [moderator, ...sockets]) s.close();
    return {
      connectMs,
      ...result,
      sent: sockets.length,
      counted,
      broadcasts,
      fanout: quantiles(latency),
      finalTotalsAfterLastAckMs: settledAt ? settledAt - stormEnded : NaN,
    };
  } finally {
    await server.close();
  }
}

// ── The bare socket.io server: the same traffic, no auth, no policy, no database ─────────────────

async function runBare() {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { path: "/socket.io", serveClient: false });
  let count = 0;
  let seq = 0;
  let pending: NodeJS.Timeout | undefined;
  io.on("connection", (socket) => {
    void socket.join("session");
    socket.on("session:join", (_p: unknown, ack: (r: AnyAck) => void) => ack({ ok: true, data: null }));
    socket.on("poll:answer", (_p: unknown, ack: (r: AnyAck) => void) => {
      count++;
      seq++;
      ack({ ok: true, data: null });
      pending ??= setTimeout(() => {
        pending = undefined;
        io.to("session").emit("poll:results", { pollId: "bare", seq, respondents: count, rows: [], at: new Date().toISOString() });
      }, TICK_MS);
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(httpServer.address() as { port: number }).port}`;
  try {
    const t0 = Date.now();
    const sockets = await inBatches(
      Array.from({ length: SOCKETS }, (_, i) => i),
      100,
      async () => {
        const s = await client(url);
        await emitAck(s, "session:join", { slug: SLUG });
        return s;
      },
    );
    const connectMs = Date.now() - t0;
    const latency: number[] = [];
    let broadcasts = 0;
    let lastSeen = 0;
    sockets[0].on("poll:results", () => broadcasts++);
    for (const s of sockets) {
      s.on("poll:results", (r: { respondents: number; at: string }) => {
        latency.push(Date.now() - Date.parse(r.at));
        lastSeen = Math.max(lastSeen, r.respondents);
      });
    }
    const result = await storm(sockets, (s) => emitAck(s, "poll:answer", { pollId: "bare", answer: { kind: "single", optionId: "x" } }));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && lastSeen < count) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, TICK_MS * 2));
    for (const s of sockets) s.close();
    return { connectMs, ...result, sent: sockets.length, counted: count, broadcasts, fanout: quantiles(latency) };
  } finally {
    void io.close();
    await new Promise((r) => httpServer.close(() => r(null)));
  }
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toFixed(n < 10 ? 1 : 0) : "–";
}

async function main() {
  console.log(`poll-storm: ${SOCKETS} sockets answering within ${WINDOW_MS / 1000} s, results tick ${TICK_MS} ms, database ${DATABASE}`);
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${new Date().toISOString()}`,
  );
  const bare = await runBare();
  const app = await runPlenary();
  const ack = { app: quantiles(app.ackMs), bare: quantiles(bare.ackMs) };
  const rows: Array<[string, string, string, string]> = [
    ["", "Plenary", "bare socket.io", "ratio"],
    ["connect + join (ms)", fmt(app.connectMs), fmt(bare.connectMs), fmt(app.connectMs / bare.connectMs)],
    ["answers sent", String(app.sent), String(bare.sent), ""],
    ["answers acknowledged", String(app.acked), String(bare.acked), ""],
    ["answers counted (database / memory)", String(app.counted), String(bare.counted), ""],
    ["refused", JSON.stringify(app.refused), JSON.stringify(bare.refused), ""],
    ["storm duration (ms)", fmt(app.elapsedMs), fmt(bare.elapsedMs), fmt(app.elapsedMs / bare.elapsedMs)],
    ["ack latency p50 (ms)", fmt(ack.app.p50), fmt(ack.bare.p50), fmt(ack.app.p50 / ack.bare.p50)],
    ["ack latency p95 (ms)", fmt(ack.app.p95), fmt(ack.bare.p95), fmt(ack.app.p95 / ack.bare.p95)],
    ["results broadcasts (one client)", String(app.broadcasts), String(bare.broadcasts), ""],
    ["broadcast latency p50 (ms)", fmt(app.fanout.p50), fmt(bare.fanout.p50), fmt(app.fanout.p50 / bare.fanout.p50)],
    ["broadcast latency p95 (ms)", fmt(app.fanout.p95), fmt(bare.fanout.p95), fmt(app.fanout.p95 / bare.fanout.p95)],
    ["broadcast latency max (ms)", fmt(app.fanout.max), fmt(bare.fanout.max), fmt(app.fanout.max / bare.fanout.max)],
    ["final totals on every client after last ack (ms)", fmt(app.finalTotalsAfterLastAckMs), "", ""],
  ];
  const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join("  "));
  const ok = app.acked === app.sent && app.counted === app.acked && app.elapsedMs <= WINDOW_MS + 5_000;
  console.log(
    JSON.stringify({
      bench: "poll-storm",
      sockets: SOCKETS,
      windowMs: WINDOW_MS,
      tickMs: TICK_MS,
      database: DATABASE,
      app: { ...app, ackMs: ack.app },
      bare: { ...bare, ackMs: ack.bare },
    }),
  );
  if (!ok) {
    console.error("poll-storm: answers were lost or refused, or the storm overran its window");
    process.exitCode = 1;
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => clearTimeout(hardStop));
