/**
 * Q&A fan-out benchmark (not a test): N audience sockets in one session, moderators approving
 * questions in a quiet room, then a vote storm (every socket votes at once) during which the
 * moderator goes on approving. Prints the p50/p95/p99 delivery latency of each approved question to
 * every socket — quiet and during the storm — the votes sent vs. counted, and the same on a bare
 * socket.io server (no application logic; it acks votes and broadcasts counts on the same tick)
 * measured in the same run, with the ratios.
 *
 *   npx tsx bench/qa-fanout.ts [--sockets 2000] [--approvals 20] [--storm-approvals 5] [--postgres] [--skip-bare]
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

async function serveApp(n: number, questions: number, postgres: boolean): Promise<void> {
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
      .values(
        Array.from({ length: size }, (_, i) => ({
          kind: "person" as const,
          name: `Bench ${start + i}`,
          attendanceMode: (start + i) % 3 ? ("remote" as const) : ("in_person" as const),
        })),
      )
      .returning({ id: users.id });
    const batch = rows.map((r) => ({ token: newSecret(), userId: r.id }));
    await db.insert(authSessions).values(batch.map((b) => ({ tokenHash: hashSecret(b.token), userId: b.userId, expires, method: "demo" })));
    tokens.push(...batch.map((b) => b.token));
  }
  const moderators = [];
  for (let i = 0; i < 2; i++)
    moderators.push(
      (await createPerson(server.services, { name: `Moderator ${i}`, email: `bench-mod${i}@example.org`, roles: [{ slug: SLUG, role: "moderator" }] })).token,
    );
  // The questions to approve, each from another person (asking is limited per person and minute).
  for (let i = 0; i < questions; i++) {
    const { actor } = await server.services.auth.resolveToken(tokens[i]);
    await server.services.qa.submit(actor, {
      slug: SLUG,
      key: `bench-question-${i}`,
      text: `Benchmark question ${i}: how do partner nations plan sustainment for the next decade?`,
      anonymous: true,
    });
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
  const votes = new Map<string, number>();
  let dirty = false;
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    bare.to("session").emit("question:votes", { sessionId: "bench", counts: [...votes.entries()] });
  }, 200).unref();
  bare.on("connection", (socket) => {
    socket.on("question:vote", (p: { questionId: string }, ack: (r: unknown) => void) => {
      const n = (votes.get(p.questionId) ?? 0) + 1;
      votes.set(p.questionId, n);
      dirty = true;
      ack({ ok: true, data: { questionId: p.questionId, up: true, votes: n } });
    });
    socket.on("qa:sync", (_p: unknown, ack: (r: unknown) => void) => {
      void socket.join("session");
      ack({ ok: true });
    });
    socket.on("question:moderate", (p: { questionId: string }, ack: (r: unknown) => void) => {
      version++;
      bare.to("session").emit("question:changed", {
        sessionId: "bench",
        version,
        question: {
          id: p.questionId,
          text: "Benchmark question: how do partner nations plan sustainment for the next decade?",
          status: "approved",
          votes: 0,
          author: null,
          createdAt: new Date().toISOString(),
          answeredAt: null,
          version: 2,
        },
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
  const child = spawn(
    process.execPath,
    ["--import", "tsx", self, "--serve", mode, "--sockets", String(n), "--approvals", String(approvals), ...(postgres ? ["--postgres"] : [])],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start in time`)), PHASE_LIMIT_MS);
    child.stdout.on("data", (d) => {
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

function ack<T = unknown>(
  s: Socket,
  event: string,
  payload: unknown,
  ms = 60_000,
): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }> {
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
  approvals: number;
  samples: number;
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface Room {
  sockets: Socket[];
  moderator: Socket;
  connectMs: number;
  joinMs: number;
}

/** Connects N audience sockets and a moderator, and joins them all to the session. */
async function fillRoom(ready: Ready, label: string): Promise<Room> {
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
  return { sockets, moderator, connectMs, joinMs };
}

/**
 * The moderator approves the questions one by one; for each, the time from the send to its arrival at
 * every audience socket. `until`, when given, stops early once it resolves (the last vote acknowledged),
 * so every approval measured was sent while the storm ran (the first one always is).
 */
async function approveAndMeasure(room: Room, label: string, questionIds: string[], versions: number[], until?: Promise<unknown>): Promise<Delivery> {
  const { sockets, moderator } = room;
  let over = false;
  void until?.then(() => (over = true));
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const arrived = new Map<string, number>();
  const onChanged = (f: { question: { id: string; status: string } }) => {
    const start = sentAt.get(f.question.id);
    if (start === undefined || f.question.status !== "approved") return;
    latencies.push(performance.now() - start);
    arrived.set(f.question.id, (arrived.get(f.question.id) ?? 0) + 1);
  };
  for (const s of sockets) s.on("question:changed", onChanged);
  let missing = 0;
  let approved = 0;
  for (let i = 0; i < questionIds.length && !over; i++) {
    const id = questionIds[i];
    sentAt.set(id, performance.now());
    const r = await ack(
      moderator,
      "question:moderate",
      { slug: SLUG, key: `approve-${label}-${i}-${Date.now()}`, questionId: id, expectedVersion: versions[i], action: { type: "approve" } },
      PHASE_LIMIT_MS,
    );
    if (!r.ok) throw new Error(`${label}: approval refused: ${r.error?.code} ${r.error?.message}`);
    const deadline = Date.now() + 30_000;
    while ((arrived.get(id) ?? 0) < sockets.length && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    missing += sockets.length - (arrived.get(id) ?? 0);
    approved++;
    await new Promise((res) => setTimeout(res, 100));
  }
  for (const s of sockets) s.off("question:changed", onChanged);
  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    approvals: approved,
    samples: latencies.length,
    missing,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? NaN),
  };
}

interface Run {
  room: Room;
  quiet: Delivery;
  storm: Delivery;
  votes: Awaited<ReturnType<typeof voteStorm>>;
}

/** One server's run: fill the room, approve in quiet, then approve during a vote storm. */
async function run(
  ready: Ready,
  label: string,
  quietIds: string[],
  quietVersions: number[],
  stormIds: string[],
  stormVersions: number[],
  voteIds: string[],
): Promise<Run> {
  const room = await fillRoom(ready, label);
  const quiet = await approveAndMeasure(room, label, quietIds, quietVersions);
  let acked!: () => void;
  const stormOver = new Promise<void>((resolve) => (acked = resolve));
  const storming = voteStorm(room.sockets, room.moderator, voteIds, acked);
  const storm = await approveAndMeasure(room, `${label}-storm`, stormIds, stormVersions, stormOver);
  const votes = await storming;
  for (const s of [...room.sockets, room.moderator]) s.close();
  return { room, quiet, storm, votes };
}

/**
 * Every audience socket votes once, all at once; then the counts are read back. `onAcked` is called
 * when the last vote is acknowledged (the storm is over then).
 */
async function voteStorm(sockets: Socket[], moderator: Socket, questionIds: string[], onAcked: () => void = () => {}) {
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
      ack(
        s,
        "question:vote",
        { slug: SLUG, key: `bench-vote-${i}-${Date.now()}`, questionId: questionIds[i % questionIds.length], up: true },
        10 * 60_000,
      ).then((r) => {
        ackMs.push(Date.now() - t0);
        return r;
      }),
    ),
  );
  const stormMs = Date.now() - t0;
  onAcked();
  ackMs.sort((a, b) => a - b);
  const refused = new Map<string, number>();
  for (const r of results) if (!r.ok) refused.set(r.error!.code, (refused.get(r.error!.code) ?? 0) + 1);
  await new Promise((res) => setTimeout(res, 1500)); // the last ticks
  const snap = await ack<{ votes?: Record<string, number> }>(moderator, "qa:sync", { slug: SLUG }, 5 * 60_000);
  if (!snap.ok) throw new Error(`could not read the counts back: ${snap.error?.code}; disconnects ${JSON.stringify(Object.fromEntries(dropped))}`);
  // Plenary: the database's counts as the moderator reads them back. The bare server keeps no store.
  const counted = snap.data?.votes ? questionIds.reduce((sum, id) => sum + (snap.data!.votes![id] ?? 0), 0) : null;
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
  const stormApprovals = Number(arg("storm-approvals", "5"));
  const postgres = arg("postgres") === "true";
  if (!Number.isInteger(n) || n < 1 || n > 20_000) throw new Error("--sockets must be 1–20000");
  if (!Number.isInteger(approvals) || approvals < 1 || approvals > 100) throw new Error("--approvals must be 1–100");
  if (!Number.isInteger(stormApprovals) || stormApprovals < 1 || stormApprovals > 50) throw new Error("--storm-approvals must be 1–50");
  // A child is told the total number of questions to seed as its --approvals.
  if (serve === "app") return serveApp(n, approvals, postgres);
  if (serve === "bare") return serveBare(n);
  const questions = approvals + stormApprovals;

  const watchdog = setTimeout(() => {
    console.error("qa-fanout: time limit reached, stopping");
    process.exit(2);
  }, 20 * 60_000);
  watchdog.unref();
  console.log(
    `qa-fanout: ${n} audience sockets, ${approvals} approvals, then a vote storm with up to ${stormApprovals} approvals during it, ${postgres ? "Postgres" : "PGlite"} — ${new Date().toISOString()}`,
  );
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );

  // Plenary.
  const app = await startChild("app", n, questions, postgres);
  const probe = await open(app.ready.url, app.ready.moderators[1]);
  const staff = await ack<{ questions: Array<{ id: string; version: number; status: string }> }>(probe, "qa:sync", { slug: SLUG });
  const pending = (staff.data?.questions ?? []).filter((q) => q.status === "pending");
  probe.close();
  if (pending.length < questions) throw new Error(`expected ${questions} pending questions, found ${pending.length}`);
  const quietQs = pending.slice(0, approvals);
  const stormQs = pending.slice(approvals, questions);
  const appRun = await run(
    app.ready,
    "app",
    quietQs.map((q) => q.id),
    quietQs.map((q) => q.version),
    stormQs.map((q) => q.id),
    stormQs.map((q) => q.version),
    quietQs.map((q) => q.id),
  );
  app.child.kill("SIGTERM");

  // The bare socket.io baseline, same clients, same measurements.
  let bareRun: Run | undefined;
  if (arg("skip-bare") !== "true") {
    const bare = await startChild("bare", n, questions, false);
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `bare-${from + i}`);
    bareRun = await run(
      bare.ready,
      "bare",
      ids(0, approvals),
      ids(0, approvals).map(() => 1),
      ids(approvals, stormApprovals),
      ids(approvals, stormApprovals).map(() => 1),
      ids(0, approvals),
    );
    bare.child.kill("SIGTERM");
  }

  const ratio = (x: number, y?: number) => (y ? (x / y).toFixed(2) : "n/a");
  const table = (title: string, a: Delivery, b?: Delivery) => {
    console.log("");
    console.log(title);
    console.log(`             approvals  samples  missing   p50     p95     p99     max`);
    const row = (name: string, d: Delivery) =>
      console.log(
        `  ${name.padEnd(10)} ${String(d.approvals).padStart(9)}  ${String(d.samples).padStart(7)}  ${String(d.missing).padStart(7)}  ${fmt(d.p50)}  ${fmt(d.p95)}  ${fmt(d.p99)}  ${fmt(d.max)}`,
      );
    row("plenary", a);
    if (b) row("bare", b);
    if (b)
      console.log(
        `  ratio                                   ${ratio(a.p50, b.p50).padStart(6)}  ${ratio(a.p95, b.p95).padStart(6)}  ${ratio(a.p99, b.p99).padStart(6)}`,
      );
  };
  console.log("");
  console.log(
    `connect ${n} sockets: plenary ${appRun.room.connectMs} ms${bareRun ? `, bare ${bareRun.room.connectMs} ms` : ""}; join (qa:sync): plenary ${appRun.room.joinMs} ms${bareRun ? `, bare ${bareRun.room.joinMs} ms` : ""}`,
  );
  table("delivery of approved questions to every socket, quiet room (ms, from the moderator's send to each socket's receipt)", appRun.quiet, bareRun?.quiet);
  table("delivery of approved questions to every socket, during the vote storm (ms)", appRun.storm, bareRun?.storm);
  const v = appRun.votes;
  console.log("");
  console.log(
    `vote storm (plenary): ${v.sent} sent, ${v.acknowledged} acknowledged, refused ${JSON.stringify(v.refused)}, ${v.counted} counted in the database, ` +
      `${v.broadcastTotal} in the last broadcast counts (${v.broadcasts} coalesced broadcasts), lost ${v.acknowledged - (v.counted ?? 0)}; ` +
      `all acknowledged after ${v.stormMs} ms (ack p50 ${v.ackP50} ms, p99 ${v.ackP99} ms), disconnects ${JSON.stringify(v.disconnects)}`,
  );
  if (bareRun) {
    const bv = bareRun.votes;
    console.log(
      `vote storm (bare): ${bv.sent} sent, ${bv.acknowledged} acknowledged, ${bv.broadcastTotal} in the last broadcast counts; all acknowledged after ${bv.stormMs} ms (ack p50 ${bv.ackP50} ms, p99 ${bv.ackP99} ms); ratio ${ratio(v.stormMs, bv.stormMs)}`,
    );
  }
  const ok =
    appRun.quiet.missing === 0 && appRun.storm.missing === 0 && v.acknowledged === v.sent && v.counted === v.acknowledged && v.broadcastTotal === v.counted;
  process.exit(ok ? 0 : 1);
}

function fmt(x: number): string {
  return x.toFixed(1).padStart(6);
}

main().catch((err) => {
  console.error("qa-fanout failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
