/**
 * Q&A fan-out benchmark (not a test): N audience sockets in one session, moderators approving
 * questions, then a vote storm. Prints the p50/p95/p99 delivery latency of each approved question to
 * every socket, the votes sent vs. counted, and the same delivery on a bare socket.io server (no
 * application logic) measured in the same run, with the ratio.
 *
 *   npx tsx bench/qa-fanout.ts [--sockets 2000] [--approvals 20] [--postgres] [--skip-bare]
 *
 * Loopback only and bounded: each server runs in a child process on 127.0.0.1 (so the server and the
 * clients use separate cores, as they would on real machines); every phase has a time limit and the
 * script exits when done, killing its children.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io as connect, type Socket } from "socket.io-client";

const SLUG = "defense-industry-perspectives";
const NOW = "2024-05-24T10:00:00-04:00";
const PHASE_LIMIT_MS = 180_000;

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v && !v.startsWith("--") ? v : "true";
}

interface Ready {
  url: string;
  tokens: string[];
  moderators: string[];
}

// ── Child: the Plenary server, with N people signed in ──────────────────────────────────────────────

async function serveApp(n: number, approvals: number, postgres: boolean): Promise<void> {
  const { startTestServer } = await import("../server/testing/test-server");
  const { createPerson } = await import("../server/testing/people");
  const { hashSecret, newSecret } = await import("../server/auth/tokens");
  const { authSessions, users } = await import("../db/schema");
  const server = await startTestServer({ now: NOW, database: postgres ? "postgres" : "pglite", logSink: () => {} });
  const db = server.services.db;
  const tokens: string[] = [];
  const expires = new Date(Date.now() + 86_400_000);
  for (let start = 0; start < n; start += 1000) {
    const size = Math.min(1000, n - start);
    const rows = await db
      .insert(users)
      .values(Array.from({ length: size }, (_, i) => ({ kind: "person" as const, name: `Bench ${start + i}`, attendanceMode: (start + i) % 3 ? ("remote" as const) : ("in_person" as const) })))
      .returning({ id: users.id });
    const batch = rows.map((r) => ({ token: newSecret(), userId: r.id }));
    await db.insert(authSessions).values(batch.map((b) => ({ tokenHash: hashSecret(b.token), userId: b.userId, expires, method: "demo" })));
    tokens.push(...batch.map((b) => b.token));
  }
  const moderators = [];
  for (let i = 0; i < 2; i++) moderators.push((await createPerson(server.services, { name: `Moderator ${i}`, email: `bench-mod${i}@example.org`, roles: [{ slug: SLUG, role: "moderator" }] })).token);
  // The questions to approve, each from another person (asking is limited per person and minute).
  for (let i = 0; i < approvals; i++) {
    const { actor } = await server.services.auth.resolveToken(tokens[i]);
    await server.services.qa.submit(actor, { slug: SLUG, key: `bench-question-${i}`, text: `Benchmark question ${i}: how do partner nations plan sustainment for the next decade?` });
  }
  const file = path.join(os.tmpdir(), `plenary-bench-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify({ url: server.url, tokens, moderators } satisfies Ready));
  process.stdout.write(`READY ${file}\n`);
  process.on("SIGTERM", () => void server.close().finally(() => process.exit(0)));
}

/** The baseline: socket.io with no application logic, one room, the same payload shape. */
async function serveBare(n: number): Promise<void> {
  const { Server } = await import("socket.io");
  const httpServer = http.createServer();
  const bare = new Server(httpServer, { path: "/socket.io", serveClient: false, maxHttpBufferSize: 16 * 1024 });
  let version = 0;
  bare.on("connection", (socket) => {
    socket.on("qa:sync", (_p: unknown, ack: (r: unknown) => void) => {
      void socket.join("session");
      ack({ ok: true });
    });
    socket.on("question:moderate", (p: { questionId: string }, ack: (r: unknown) => void) => {
      version++;
      bare.to("session").emit("question:changed", {
        sessionId: "bench",
        version,
        question: { id: p.questionId, text: "Benchmark question: how do partner nations plan sustainment for the next decade?", status: "approved", votes: 0, author: null, createdAt: new Date().toISOString(), answeredAt: null, version: 2 },
      });
      ack({ ok: true, data: null });
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", () => resolve()));
  const port = (httpServer.address() as { port: number }).port;
  const file = path.join(os.tmpdir(), `plenary-bench-bare-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify({ url: `http://127.0.0.1:${port}`, tokens: Array.from({ length: n }, () => ""), moderators: [""] } satisfies Ready));
  process.stdout.write(`READY ${file}\n`);
  process.on("SIGTERM", () => bare.close(() => process.exit(0)));
}

// ── Parent: the clients and the measurements ────────────────────────────────────────────────────────

const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((c) => c.kill("SIGKILL")));

function startChild(mode: "app" | "bare", n: number, approvals: number, postgres: boolean): Promise<{ ready: Ready; child: ChildProcess }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ["--import", "tsx", self, "--serve", mode, "--sockets", String(n), "--approvals", String(approvals), ...(postgres ? ["--postgres"] : [])], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start in time`)), PHASE_LIMIT_MS);
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const ready = JSON.parse(fs.readFileSync(m[1], "utf8")) as Ready;
        fs.rmSync(m[1], { force: true });
        resolve({ ready, child });
      }
    });
    child.on("exit", (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
}

function open(url: string, token: string): Promise<Socket> {
  const socket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 30_000,
    extraHeaders: { origin: url, ...(token ? { cookie: `next-auth.session-token=${token}` } : {}) },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (e) => reject(e));
  });
}

function ack<T = unknown>(s: Socket, event: string, payload: unknown, ms = 60_000): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ ok: false, error: { code: "timeout", message: `no ack for ${event}` } }), ms);
    s.emit(event, payload, (r: { ok: boolean; data?: T; error?: { code: string; message: string } }) => {
      clearTimeout(t);
      resolve(r);
    });
  });
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((x, j) => fn(x, i + j)))));
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Delivery {
  samples: number;
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  connectMs: number;
  joinMs: number;
}

/** Connects N sockets, joins the session, approves `approvals` questions one by one, measuring arrival at every socket. */
async function measureDelivery(ready: Ready, label: string, approvals: number, questionIds: string[], versions: number[]): Promise<{ delivery: Delivery; sockets: Socket[]; moderator: Socket }> {
  const t0 = Date.now();
  const sockets = await inBatches(ready.tokens, 250, (token) => open(ready.url, token));
  const connectMs = Date.now() - t0;
  const t1 = Date.now();
  const joins = await inBatches(sockets, 200, (s) => ack(s, "qa:sync", { slug: SLUG }));
  const refused = joins.filter((j) => !j.ok);
  if (refused.length) throw new Error(`${label}: ${refused.length} joins refused: ${refused[0].error?.code} ${refused[0].error?.message}`);
  const joinMs = Date.now() - t1;
  const moderator = await open(ready.url, ready.moderators[0]);
  if (ready.moderators[0]) await ack(moderator, "qa:sync", { slug: SLUG });

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const arrived = new Map<string, number>();
  for (const s of sockets) {
    s.on("question:changed", (f: { question: { id: string; status: string } }) => {
      const start = sentAt.get(f.question.id);
      if (start === undefined || f.question.status !== "approved") return;
      latencies.push(performance.now() - start);
      arrived.set(f.question.id, (arrived.get(f.question.id) ?? 0) + 1);
    });
  }
  let missing = 0;
  for (let i = 0; i < approvals; i++) {
    const id = questionIds[i];
    sentAt.set(id, performance.now());
    const r = await ack(moderator, "question:moderate", { slug: SLUG, key: `bench-approve-${label}-${i}-${Date.now()}`, questionId: id, expectedVersion: versions[i], action: { type: "approve" } });
    if (!r.ok) throw new Error(`${label}: approval refused: ${r.error?.code} ${r.error?.message}`);
    const until = Date.now() + 30_000;
    while ((arrived.get(id) ?? 0) < sockets.length && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
    missing += sockets.length - (arrived.get(id) ?? 0);
    await new Promise((res) => setTimeout(res, 100));
  }
  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    delivery: {
      samples: latencies.length,
      missing,
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? NaN),
      connectMs,
      joinMs,
    },
    sockets,
    moderator,
  };
}

/** Every audience socket votes once, all at once; then the counts are read back. */
async function voteStorm(sockets: Socket[], moderator: Socket, questionIds: string[]) {
  const lastBroadcast = new Map<string, number>();
  let broadcasts = 0;
  sockets[0].on("question:votes", (f: { counts: Array<[string, number]> }) => {
    broadcasts++;
    for (const [id, n] of f.counts) lastBroadcast.set(id, n);
  });
  const dropped = new Map<string, number>();
  for (const s of [...sockets, moderator]) s.on("disconnect", (reason) => dropped.set(reason, (dropped.get(reason) ?? 0) + 1));
  const t0 = Date.now();
  const ackMs: number[] = [];
  const results = await Promise.all(
    sockets.map((s, i) =>
      ack(s, "question:vote", { slug: SLUG, key: `bench-vote-${i}-${Date.now()}`, questionId: questionIds[i % questionIds.length], up: true }, 10 * 60_000).then((r) => {
        ackMs.push(Date.now() - t0);
        return r;
      }),
    ),
  );
  const stormMs = Date.now() - t0;
  ackMs.sort((a, b) => a - b);
  const refused = new Map<string, number>();
  for (const r of results) if (!r.ok) refused.set(r.error!.code, (refused.get(r.error!.code) ?? 0) + 1);
  await new Promise((res) => setTimeout(res, 1500)); // the last ticks
  const snap = await ack<{ votes: Record<string, number> }>(moderator, "qa:sync", { slug: SLUG }, 5 * 60_000);
  if (!snap.ok) throw new Error(`could not read the counts back: ${snap.error?.code}; disconnects ${JSON.stringify(Object.fromEntries(dropped))}`);
  const counted = questionIds.reduce((sum, id) => sum + (snap.data?.votes[id] ?? 0), 0);
  const broadcastTotal = questionIds.reduce((sum, id) => sum + (lastBroadcast.get(id) ?? 0), 0);
  return {
    sent: sockets.length,
    acknowledged: results.filter((r) => r.ok).length,
    refused: Object.fromEntries(refused),
    counted,
    broadcastTotal,
    broadcasts,
    stormMs,
    ackP50: percentile(ackMs, 50),
    ackP99: percentile(ackMs, 99),
    disconnects: Object.fromEntries(dropped),
  };
}

async function main(): Promise<void> {
  const serve = arg("serve");
  const n = Number(arg("sockets", "2000"));
  const approvals = Number(arg("approvals", "20"));
  const postgres = arg("postgres") === "true";
  if (!Number.isInteger(n) || n < 1 || n > 20_000) throw new Error("--sockets must be 1–20000");
  if (!Number.isInteger(approvals) || approvals < 1 || approvals > 50) throw new Error("--approvals must be 1–50");
  if (serve === "app") return serveApp(n, approvals, postgres);
  if (serve === "bare") return serveBare(n);

  const watchdog = setTimeout(() => {
    console.error("qa-fanout: time limit reached, stopping");
    process.exit(2);
  }, 15 * 60_000);
  watchdog.unref();
  console.log(`qa-fanout: ${n} audience sockets, ${approvals} approvals, ${postgres ? "Postgres" : "PGlite"} — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);

  // Plenary.
  const app = await startChild("app", n, approvals, postgres);
  const probe = await open(app.ready.url, app.ready.moderators[1]);
  const staff = await ack<{ questions: Array<{ id: string; version: number; status: string }> }>(probe, "qa:sync", { slug: SLUG });
  const pending = (staff.data?.questions ?? []).filter((q) => q.status === "pending");
  probe.close();
  const appRun = await measureDelivery(
    app.ready,
    "app",
    approvals,
    pending.map((q) => q.id),
    pending.map((q) => q.version),
  );
  const votes = await voteStorm(appRun.sockets, appRun.moderator, pending.map((q) => q.id));
  for (const s of [...appRun.sockets, appRun.moderator]) s.close();
  app.child.kill("SIGTERM");

  // The bare socket.io baseline, same clients, same measurement.
  let bareRun: Awaited<ReturnType<typeof measureDelivery>> | undefined;
  if (arg("skip-bare") !== "true") {
    const bare = await startChild("bare", n, approvals, false);
    const ids = Array.from({ length: approvals }, (_, i) => `bare-${i}`);
    bareRun = await measureDelivery(bare.ready, "bare", approvals, ids, ids.map(() => 1));
    for (const s of [...bareRun.sockets, bareRun.moderator]) s.close();
    bare.child.kill("SIGTERM");
  }

  const a = appRun.delivery;
  const b = bareRun?.delivery;
  const ratio = (x: number, y?: number) => (y ? (x / y).toFixed(2) : "n/a");
  console.log("");
  console.log("delivery of approved questions to every socket (ms, from the moderator's send to each socket's receipt)");
  console.log(`             samples  missing   p50     p95     p99     max    connect  join`);
  console.log(`  plenary    ${String(a.samples).padStart(7)}  ${String(a.missing).padStart(7)}  ${fmt(a.p50)}  ${fmt(a.p95)}  ${fmt(a.p99)}  ${fmt(a.max)}  ${String(a.connectMs).padStart(6)}  ${String(a.joinMs).padStart(6)}`);
  if (b) console.log(`  bare       ${String(b.samples).padStart(7)}  ${String(b.missing).padStart(7)}  ${fmt(b.p50)}  ${fmt(b.p95)}  ${fmt(b.p99)}  ${fmt(b.max)}  ${String(b.connectMs).padStart(6)}  ${String(b.joinMs).padStart(6)}`);
  if (b) console.log(`  ratio                         ${ratio(a.p50, b.p50).padStart(6)}  ${ratio(a.p95, b.p95).padStart(6)}  ${ratio(a.p99, b.p99).padStart(6)}`);
  console.log("");
  console.log(
    `vote storm: ${votes.sent} sent, ${votes.acknowledged} acknowledged, refused ${JSON.stringify(votes.refused)}, ${votes.counted} counted in the database, ` +
      `${votes.broadcastTotal} in the last broadcast counts (${votes.broadcasts} coalesced broadcasts), lost ${votes.acknowledged - votes.counted}; ` +
      `all acknowledged after ${votes.stormMs} ms (ack p50 ${votes.ackP50} ms, p99 ${votes.ackP99} ms), disconnects ${JSON.stringify(votes.disconnects)}`,
  );
  process.exit(a.missing === 0 && votes.acknowledged === votes.counted ? 0 : 1);
}

function fmt(x: number): string {
  return x.toFixed(1).padStart(6);
}

main().catch((err) => {
  console.error("qa-fanout failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
