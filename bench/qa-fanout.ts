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
 *     signs the device in by cookie), connect N sockets with those cookies, and `session:join` +
 *     `qa:sync` like the session page;
 *  4. some of those people ask questions over their sockets (one each: asking is limited per person);
 *  5. quiet: the moderator approves them open-loop at a fixed rate (1/s), never waiting for deliveries;
 *  6. storm: every socket votes once within one second while the moderator goes on approving at 1/s
 *     (the approvals sent before the last vote is acknowledged are "during the storm", the rest "after");
 *  7. the server is stopped and waited for; then a bare socket.io server (no application: same HTTP
 *     routes answered from memory, same event names, the same approval payload, a 200 ms vote tick)
 *     runs the same clients through the same steps.
 *
 * A delivery that never arrives counts as +∞ in the percentiles and is reported as missing; so is a
 * vote never acknowledged. Votes: acknowledged vs counted in the database (the moderator's `qa:sync`)
 * vs the last `question:votes` broadcast one audience socket saw. Server RSS is read from
 * /proc/<pid>/status (VmRSS) when idle and with N connected. Each figure is printed per run and as the
 * median (min–max) of the runs, with the ratio of the medians to the bare floor.
 *
 *   npx tsx bench/qa-fanout.ts [--sockets 2000] [--runs 3] [--approvals 15] [--storm-approvals 5] [--postgres] [--skip-bare]
 *
 * Loopback only and bounded: every step has a time limit, the whole run has a watchdog, and every
 * process it starts (server, workers) is stopped when it ends, however it ends.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io as connect, type Socket } from "socket.io-client";

const SLUG = "defense-industry-perspectives";
/** Day 2, inside the session (09:45–11:15 New York time) with its Q&A open. */
const NOW = "2024-05-24T10:00:00-04:00";
const MODERATOR = "moderator.friday@example.org";
const STEP_LIMIT_MS = 180_000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v && !v.startsWith("--") ? v : "true";
}

type AckReply<T = unknown> = { ok: boolean; data?: T; error?: { code: string; message: string } };

function emitAck<T = unknown>(s: Socket, event: string, payload: unknown, ms = 60_000): Promise<AckReply<T>> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ ok: false, error: { code: "timeout", message: `no ack for ${event} within ${ms} ms` } }), ms);
    s.emit(event, payload, (r: AckReply<T>) => {
      clearTimeout(t);
      resolve(r);
    });
  });
}

/** Runs `fn` over the items with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

function openSocket(url: string, cookie: string): Promise<Socket> {
  const socket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 60_000,
    extraHeaders: { origin: url, ...(cookie ? { cookie } : {}) },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (e) => reject(e));
  });
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

// ── Workers (child processes holding the clients), driven over IPC ────────────────────────────────

type Handler = (args: never) => Promise<unknown>;

function serveRpc(handlers: Record<string, Handler>): void {
  process.on("message", (m: { id: number; cmd: string; args: unknown }) => {
    const h = handlers[m.cmd] as ((a: unknown) => Promise<unknown>) | undefined;
    if (!h) return process.send!({ id: m.id, error: `unknown command ${m.cmd}` });
    h(m.args).then(
      (result) => process.send!({ id: m.id, result }),
      (err: unknown) => process.send!({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  // The driver gone (killed, crashed): nothing to hold sockets open for.
  process.on("disconnect", () => process.exit(0));
}

interface Question {
  id: string;
  version: number;
}

/** An audience worker: the people with global index g where g % workers === w. */
function audienceWorker(): void {
  let url = "";
  let people: Array<{ g: number; cookie: string; socket?: Socket }> = [];
  const arrivals = new Map<string, number[]>();
  const lastBroadcast = new Map<string, number>();
  let broadcasts = 0;
  const disconnects = new Map<string, number>();
  let sample: unknown = null;

  serveRpc({
    async join(a: { url: string; code: string; indices: number[]; concurrency: number }) {
      url = a.url;
      const failures = new Map<string, number>();
      const t0 = now();
      const ms: number[] = [];
      people = (
        await pool(a.indices, a.concurrency, async (g) => {
          const s = now();
          try {
            const res = await fetch(`${url}/api/join`, {
              method: "POST",
              headers: { origin: url, "content-type": "application/json" },
              body: JSON.stringify({ code: a.code }),
              signal: AbortSignal.timeout(60_000),
            });
            await res.text();
            ms.push(now() - s);
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            const cookie = cookiesOf(res);
            if (!cookie.includes("session-token")) throw new Error("no sign-in cookie");
            return { g, cookie };
          } catch (err) {
            const k = err instanceof Error ? err.message : String(err);
            failures.set(k, (failures.get(k) ?? 0) + 1);
            return null;
          }
        })
      ).filter((p): p is { g: number; cookie: string } => p !== null);
      return { ms: now() - t0, requestMs: ms, failures: Object.fromEntries(failures) };
    },
    async connect(a: { concurrency: number }) {
      const t0 = now();
      const failures = new Map<string, number>();
      await pool(people, a.concurrency, async (p) => {
        try {
          p.socket = await openSocket(url, p.cookie);
          p.socket.on("disconnect", (reason) => disconnects.set(reason, (disconnects.get(reason) ?? 0) + 1));
          p.socket.on("question:changed", (f: { question: { id: string; status: string } }) => {
            if (f.question.status !== "approved") return;
            const t = now();
            sample ??= f;
            const list = arrivals.get(f.question.id);
            if (list) list.push(t);
            else arrivals.set(f.question.id, [t]);
          });
        } catch (err) {
          const k = err instanceof Error ? err.message : String(err);
          failures.set(k, (failures.get(k) ?? 0) + 1);
        }
      });
      const first = people.find((p) => p.socket)?.socket;
      first?.on("question:votes", (f: { counts: Array<[string, number]> }) => {
        broadcasts++;
        for (const [id, n] of f.counts) lastBroadcast.set(id, n);
      });
      return { ms: now() - t0, connected: people.filter((p) => p.socket).length, failures: Object.fromEntries(failures) };
    },
    async enter(a: { slug: string; concurrency: number }) {
      const t0 = now();
      const refused = new Map<string, number>();
      await pool(
        people.filter((p) => p.socket),
        a.concurrency,
        async (p) => {
          for (const [event, payload] of [
            ["session:join", { slug: a.slug }],
            ["qa:sync", { slug: a.slug }],
          ] as const) {
            const r = await emitAck(p.socket!, event, payload);
            if (!r.ok) refused.set(`${event}: ${r.error?.code}`, (refused.get(`${event}: ${r.error?.code}`) ?? 0) + 1);
          }
        },
      );
      return { ms: now() - t0, refused: Object.fromEntries(refused) };
    },
    async submit(a: { slug: string; indices: number[] }) {
      const out: Array<Question & { g: number }> = [];
      for (const g of a.indices) {
        const p = people.find((x) => x.g === g);
        if (!p?.socket) throw new Error(`person ${g} has no socket`);
        const r = await emitAck<{ question: Question }>(p.socket, "question:submit", {
          slug: a.slug,
          key: `bench-q-${g}-${randomUUID().slice(0, 8)}`,
          text: `Benchmark question ${g}: how do partner nations plan sustainment for the next decade?`,
          anonymous: true,
        });
        if (!r.ok || !r.data) throw new Error(`question:submit refused: ${r.error?.code} ${r.error?.message}`);
        out.push({ g, id: r.data.question.id, version: r.data.question.version });
      }
      return out;
    },
    async arrivals(a: { ids: string[] }) {
      return { sockets: people.filter((p) => p.socket).length, times: a.ids.map((id) => arrivals.get(id) ?? []) };
    },
    /** Every socket votes once at its moment in [at, at + spreadMs]; resolves when every vote is acknowledged or timed out. */
    async storm(a: { slug: string; at: number; spreadMs: number; total: number; target: (string | null)[] }) {
      const refused = new Map<string, number>();
      const ackMs: number[] = [];
      let acked = 0;
      let lastAckAt = 0;
      await Promise.all(
        people.map(async (p) => {
          const questionId = a.target[p.g];
          if (!p.socket || !questionId) return;
          await sleep(Math.max(0, a.at + (p.g / a.total) * a.spreadMs - now()));
          const sent = now();
          const r = await emitAck(
            p.socket,
            "question:vote",
            { slug: a.slug, key: `bench-v-${p.g}-${randomUUID().slice(0, 8)}`, questionId, up: true },
            120_000,
          );
          if (r.error?.code === "timeout") ackMs.push(Infinity);
          else ackMs.push(now() - sent);
          lastAckAt = Math.max(lastAckAt, now());
          if (r.ok) acked++;
          else refused.set(r.error!.code, (refused.get(r.error!.code) ?? 0) + 1);
        }),
      );
      return { sent: ackMs.length, acked, ackMs, lastAckAt, refused: Object.fromEntries(refused) };
    },
    async votesSeen() {
      return { broadcasts, last: Object.fromEntries(lastBroadcast), disconnects: Object.fromEntries(disconnects), sample };
    },
    async close() {
      for (const p of people) p.socket?.close();
      setTimeout(() => process.exit(0), 100);
      return null;
    },
  });
}

/** The moderator's worker: one signed-in person with the staff view. */
function moderatorWorker(): void {
  let socket: Socket | undefined;
  serveRpc({
    async signIn(a: { url: string; slug: string }) {
      const res = await fetch(`${a.url}/api/demo/sign-in`, {
        method: "POST",
        headers: { origin: a.url, "content-type": "application/json" },
        body: JSON.stringify({ email: MODERATOR }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`demo sign-in: HTTP ${res.status} ${await res.text()}`);
      const cookie = cookiesOf(res);
      const page = await fetch(`${a.url}/sessions/${a.slug}/screen`, { headers: { cookie }, signal: AbortSignal.timeout(120_000) });
      const html = (await page.text()).replace(/<!-- -->/g, "");
      const code = /data-testid="screen-code"[^>]*>\s*([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(html)?.[1];
      if (!code) throw new Error(`no room code on the screen page (HTTP ${page.status})`);
      socket = await openSocket(a.url, cookie);
      for (const [event, payload] of [
        ["session:join", { slug: a.slug }],
        ["qa:sync", { slug: a.slug, view: "staff" }],
      ] as const) {
        const r = await emitAck(socket, event, payload);
        if (!r.ok) throw new Error(`moderator ${event} refused: ${r.error?.code} ${r.error?.message}`);
      }
      return { code };
    },
    /** Open loop: approval k is sent at startAt + k × intervalMs whatever happened to the ones before. */
    async approve(a: { slug: string; questions: Question[]; startAt: number; intervalMs: number }) {
      return Promise.all(
        a.questions.map(async (q, k) => {
          await sleep(Math.max(0, a.startAt + k * a.intervalMs - now()));
          const sentAt = now();
          const r = await emitAck(
            socket!,
            "question:moderate",
            { slug: a.slug, key: `bench-a-${randomUUID().slice(0, 12)}`, questionId: q.id, expectedVersion: q.version, action: { type: "approve" } },
            STEP_LIMIT_MS,
          );
          return { id: q.id, sentAt, ackMs: now() - sentAt, ok: r.ok, error: r.error ? `${r.error.code} ${r.error.message}` : undefined };
        }),
      );
    },
    async counts(a: { slug: string }) {
      const r = await emitAck<{ votes: Record<string, number> }>(socket!, "qa:sync", { slug: a.slug, view: "staff" }, STEP_LIMIT_MS);
      if (!r.ok) throw new Error(`moderator qa:sync refused: ${r.error?.code} ${r.error?.message}`);
      return r.data!.votes;
    },
    async close() {
      socket?.close();
      setTimeout(() => process.exit(0), 100);
      return null;
    },
  });
}

// ── The bare floor: socket.io and node:http with no application behind them ───────────────────────

async function serveBare(port: number, samplePayload: string): Promise<void> {
  const { Server } = await import("socket.io");
  const code = "BARE-CODE";
  const page = `<!doctype html><p class="code-display" data-testid="screen-code">${code}</p>`;
  const httpServer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const cookie = (name: string) => `${name}=${randomUUID()}; Path=/; HttpOnly; SameSite=Lax`;
      if (req.method === "POST" && (req.url === "/api/join" || req.url === "/api/demo/sign-in")) {
        res.writeHead(200, {
          "content-type": "application/json",
          "set-cookie": [cookie("next-auth.session-token"), cookie("plenary-device")],
          "cache-control": "no-store",
        });
        return res.end(JSON.stringify({ session: { slug: SLUG, title: "Bare" }, redirect: `/sessions/${SLUG}`, echo: body.length }));
      }
      if (req.method === "GET" && req.url?.endsWith("/screen")) {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end(page);
      }
      res.writeHead(404).end();
    });
  });
  const io = new Server(httpServer, { path: "/socket.io", serveClient: false, maxHttpBufferSize: 16 * 1024 });
  const template = JSON.parse(samplePayload) as { question: { id: string; version: number } };
  const votes = new Map<string, number>();
  const changed = new Set<string>();
  // Plenary coalesces vote counts per 200 ms tick (server/realtime/publishers/qa.ts, VOTE_TICK_MS).
  setInterval(() => {
    if (!changed.size) return;
    const counts = [...changed].map((id) => [id, votes.get(id) ?? 0]);
    changed.clear();
    io.to("session").emit("question:votes", { sessionId: "bare", counts });
  }, 200).unref();
  io.on("connection", (socket) => {
    socket.on("session:join", (_p: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: { sessionId: "bare", slug: SLUG } }));
    socket.on("qa:sync", (p: { view?: string }, ack: (r: unknown) => void) => {
      void socket.join(p.view === "staff" ? ["session", "staff"] : "session");
      ack({ ok: true, data: { votes: Object.fromEntries(votes) } });
    });
    socket.on("question:submit", (_p: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: { question: { id: randomUUID(), version: 1 } } }));
    socket.on("question:vote", (p: { questionId: string }, ack: (r: unknown) => void) => {
      const n = (votes.get(p.questionId) ?? 0) + 1;
      votes.set(p.questionId, n);
      changed.add(p.questionId);
      ack({ ok: true, data: { questionId: p.questionId, up: true, votes: n } });
    });
    socket.on("question:moderate", (p: { questionId: string }, ack: (r: unknown) => void) => {
      // The same payload Plenary sent for an approval (same size), with this question's id.
      io.to("session").emit("question:changed", { ...template, question: { ...template.question, id: p.questionId } });
      ack({ ok: true, data: null });
    });
  });
  httpServer.listen(port, "127.0.0.1", () => process.stdout.write(`Bare server ready on http://127.0.0.1:${port}\n`));
  process.on("SIGTERM", () => io.close(() => process.exit(0)));
}

// ── The driver ────────────────────────────────────────────────────────────────────────────────────

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      c.kill("SIGKILL");
    }
  }
});

interface Worker {
  call<T>(cmd: string, args?: unknown, ms?: number): Promise<T>;
  child: ChildProcess;
}

function startWorker(kind: "audience" | "moderator"): Worker {
  const child = fork(self, ["--worker", kind], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  live.add(child);
  child.on("exit", () => live.delete(child));
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  child.on("message", (m: { id: number; result?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(`${kind} worker: ${m.error}`));
    else w?.resolve(m.result as never);
  });
  child.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`${kind} worker exited (${code})`));
    waiting.clear();
  });
  return {
    child,
    call<T>(cmd: string, args?: unknown, ms = STEP_LIMIT_MS) {
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${kind} worker: ${cmd} took over ${ms} ms`)), ms);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(t);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(t);
            reject(e);
          },
        });
        child.send({ id, cmd, args });
      });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a server process (its own process group) and waits for its "ready" line. */
async function startServer(cmd: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, cmd, { cwd: root, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  live.add(child);
  const log = fs.createWriteStream(logFile);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  void exited.then(() => live.delete(child));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Error(`the server did not start within 10 minutes (log: ${logFile})`)), 600_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      log.write(d);
      if (/ready on/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`the server exited before it was ready (log: ${logFile})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      process.kill(-child.pid!, "SIGTERM");
      const killed = await Promise.race([exited.then(() => false), sleep(20_000).then(() => true)]);
      if (killed) process.kill(-child.pid!, "SIGKILL");
      await exited;
      // Nothing of it may still run when the next server starts.
      for (let i = 0; i < 100 && fs.existsSync(`/proc/${child.pid}`); i++) await sleep(100);
    },
  };
}

/** p-th percentile (nearest rank) with +∞ for what never came. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Delivery {
  approvals: number;
  refused: number;
  samples: number;
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface Pass {
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

async function deliveries(audience: Worker[], sent: Array<{ id: string; sentAt: number; ok: boolean }>, graceMs: number): Promise<Delivery> {
  if (!sent.length) return { approvals: 0, refused: 0, samples: 0, missing: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const ids = sent.filter((s) => s.ok).map((s) => s.id);
  // Wait for every delivery, but no longer than graceMs after the last approval was sent.
  const deadline = Math.max(...sent.map((s) => s.sentAt)) + graceMs;
  let results: Array<{ sockets: number; times: number[][] }> = [];
  for (;;) {
    results = await Promise.all(audience.map((w) => w.call<{ sockets: number; times: number[][] }>("arrivals", { ids })));
    const complete = results.every((r) => r.times.every((t) => t.length >= r.sockets));
    if (complete || now() > deadline) break;
    await sleep(250);
  }
  const latencies: number[] = [];
  let missing = 0;
  ids.forEach((id, k) => {
    const sentAt = sent.find((s) => s.id === id)!.sentAt;
    for (const r of results) {
      for (const t of r.times[k]) latencies.push(t - sentAt);
      for (let i = r.times[k].length; i < r.sockets; i++) latencies.push(Infinity);
      missing += Math.max(0, r.sockets - r.times[k].length);
    }
  });
  const refusedCount = sent.length - ids.length;
  const sockets = results.reduce((n, r) => n + r.sockets, 0);
  for (let i = 0; i < refusedCount * sockets; i++) latencies.push(Infinity);
  latencies.sort((a, b) => a - b);
  return {
    approvals: sent.length,
    refused: refusedCount,
    samples: latencies.length,
    missing: missing + refusedCount * sockets,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
  };
}

async function runPass(
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

async function createDatabase(name: string): Promise<string> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("--postgres needs TEST_DATABASE_URL (a server this benchmark may create a database in)");
  const { Client } = (await import("pg")).default;
  const c = new Client({ connectionString: base });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const { Client } = (await import("pg")).default;
  const c = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
}

const fmtMs = (x: number) => (Number.isNaN(x) ? "n/a" : !Number.isFinite(x) ? "∞" : Number.isInteger(x) ? String(x) : x.toFixed(x < 100 ? 1 : 0));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs: number[]) => `${fmtMs(median(xs))} (${fmtMs(Math.min(...xs))}–${fmtMs(Math.max(...xs))})`;

async function main(): Promise<void> {
  const worker = arg("worker");
  if (worker === "audience") return audienceWorker();
  if (worker === "moderator") return moderatorWorker();
  if (arg("serve-bare")) return serveBare(Number(process.env.PORT), fs.readFileSync(arg("serve-bare")!, "utf8"));

  const n = Number(arg("sockets", "2000"));
  const runs = Number(arg("runs", "3"));
  const approvals = Number(arg("approvals", "15"));
  const stormApprovals = Number(arg("storm-approvals", "5"));
  const postgres = arg("postgres") === "true";
  const skipBare = arg("skip-bare") === "true";
  if (!Number.isInteger(n) || n < 30 || n > 20_000) throw new Error("--sockets must be 30–20000");
  if (!Number.isInteger(runs) || runs < 1 || runs > 10) throw new Error("--runs must be 1–10");
  if (!Number.isInteger(approvals) || approvals < 2 || approvals > 100) throw new Error("--approvals must be 2–100");
  if (!Number.isInteger(stormApprovals) || stormApprovals < 1 || stormApprovals > 20) throw new Error("--storm-approvals must be 1–20");
  if (approvals + stormApprovals > n) throw new Error("more questions than people");

  const watchdog = setTimeout(
    () => {
      console.error("qa-fanout: time limit reached, stopping");
      process.exit(2);
    },
    runs * 25 * 60_000,
  );
  watchdog.unref();
  const { execSync } = await import("node:child_process");
  const commit = (() => {
    try {
      return execSync("git rev-parse --short HEAD", { cwd: root }).toString().trim();
    } catch {
      return "unknown";
    }
  })();
  const log = (line: string) => console.log(line);
  log(
    `qa-fanout (production): ${n} audience sockets in 2 worker processes + 1 moderator process, ${approvals} approvals at 1/s, then a 1 s vote storm with ${stormApprovals} approvals at 1/s, ${postgres ? "Postgres" : "PGlite on disk"}, ${runs} runs — ${new Date().toISOString()}`,
  );
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, commit ${commit}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-qa-bench-"));
  const results: Array<{ app: Pass; bare?: Pass }> = [];
  try {
    for (let r = 0; r < runs; r++) {
      const dataDir = path.join(tmp, `data-${r}`);
      fs.mkdirSync(dataDir);
      const dbName = `plenary_bench_${process.pid}_${r}`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: dataDir,
        PLENARY_NOW: NOW,
        LOG_LEVEL: "warn",
        LIVEKIT_BIN: "off",
        NEXT_TELEMETRY_DISABLED: "1",
      };
      delete env.DATABASE_URL;
      delete env.REDIS_URL;
      delete env.PUBLIC_URL;
      if (postgres) env.DATABASE_URL = await createDatabase(dbName);
      log(`run ${r + 1}/${runs}: plenary (load ${os.loadavg()[0].toFixed(2)})`);
      const app = await startServer(["scripts/start.mjs", "--demo"], env, path.join(tmp, `plenary-${r}.log`));
      let appPass: Pass;
      try {
        appPass = await runPass(app, { n, approvals, stormApprovals, workers: 2 }, log);
      } finally {
        await app.stop();
        if (postgres) await dropDatabase(dbName).catch((e: unknown) => log(`  could not drop ${dbName}: ${String(e)}`));
      }
      let barePass: Pass | undefined;
      if (!skipBare) {
        // The product has exited (stop() waited for its process to be gone) before the floor starts.
        const sampleFile = path.join(tmp, "sample.json");
        if (!appPass.sample) throw new Error("no approval payload was captured from Plenary");
        fs.writeFileSync(sampleFile, JSON.stringify(appPass.sample));
        log(`run ${r + 1}/${runs}: bare (load ${os.loadavg()[0].toFixed(2)})`);
        const bare = await startServer(
          ["--import", "tsx", self, "--serve-bare", sampleFile],
          { ...process.env, NODE_ENV: "production" },
          path.join(tmp, `bare-${r}.log`),
        );
        try {
          barePass = await runPass(bare, { n, approvals, stormApprovals, workers: 2 }, log);
        } finally {
          await bare.stop();
        }
      }
      results.push({ app: appPass, bare: barePass });
      printRun(r, appPass, barePass);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
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

function printRun(r: number, app: Pass, bare?: Pass): void {
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

function printSummary(results: Array<{ app: Pass; bare?: Pass }>, n: number): void {
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

main().catch((err) => {
  console.error("qa-fanout failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
