import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AckResult } from "../../lib/realtime/contract";
import { Batcher } from "../batch";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";

const TOKEN = "metrics-token-for-tests-0123456789";
const DAY2 = "defense-industry-perspectives"; // on the record, Fri 24 May 09:45–11:15 EDT

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reading of the Prometheus text format (0.0.4): every line is HELP, TYPE or a sample; every
 * sample belongs to a family declared by TYPE before it; label values are quoted and escaped; values
 * are numbers (NaN and ±Inf as Prometheus's Go parser reads them). Anything else throws, naming the line.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const suffixes = ["_bucket", "_sum", "_count", "_total", ""];
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    if (/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$/.test(line)) continue;
    let m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      if (types.has(m[1])) throw new Error(`line ${i + 1}: TYPE of ${m[1]} declared twice`);
      types.set(m[1], m[2]);
      continue;
    }
    m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*)\})? ([+-]?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|nan|inf))(?: -?\d+)?$/i.exec(
        line,
      );
    if (!m) throw new Error(`line ${i + 1} is not in the text format: ${line}`);
    const name = m[1];
    const family = suffixes.map((s) => (s && name.endsWith(s) ? name.slice(0, -s.length) : name)).find((f) => types.has(f));
    if (!family) throw new Error(`line ${i + 1}: sample ${name} has no TYPE before it`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    // Values as Prometheus reads them (Go's ParseFloat): NaN and Inf in any case; prom-client writes "Nan".
    const v = m[3].toLowerCase();
    samples.push({ name, labels, value: v.endsWith("nan") ? NaN : v.endsWith("inf") ? (v.startsWith("-") ? -Infinity : Infinity) : Number(v) });
  }
  return { types, samples };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/metrics`, { headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }));
      })
      .on("error", reject);
  });
}

async function scrape(url: string) {
  const res = await get(url);
  expect(res.status).toBe(200);
  expect(res.type).toContain("text/plain");
  return parseExposition(res.body).samples;
}

function emit(socket: TestSocket, event: string, payload: unknown): Promise<AckResult<unknown>> {
  return new Promise((resolve) =>
    (socket as unknown as { emit(e: string, p: unknown, cb: (r: AckResult<unknown>) => void): void }).emit(event, payload, resolve),
  );
}

describe("GET /metrics", () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // The test's requests come from 127.0.0.1; trusting it as a proxy lets X-Forwarded-For stand in
    // for a scraper on another machine, read exactly as production reads it.
    server = await startTestServer({ now: "2024-05-24T10:00:00-04:00", config: { trustedProxies: ["127.0.0.1"], metricsToken: TOKEN } });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it("serves the Prometheus text format with process, event-loop, database, socket, command, batch, fan-out, Redis and LiveKit metrics", async () => {
    const res = await get(server.url);
    const { types, samples } = parseExposition(res.body);
    for (const [name, type] of [
      ["plenary_sockets_connected", "gauge"],
      ["plenary_commands_total", "counter"],
      ["plenary_command_duration_seconds", "histogram"],
      ["plenary_db_operation_duration_seconds", "histogram"],
      ["plenary_db_errors_total", "counter"],
      ["plenary_batch_size", "histogram"],
      ["plenary_batch_wait_seconds", "histogram"],
      ["plenary_fanout_emits_total", "counter"],
      ["plenary_redis_adapter_up", "gauge"],
      ["plenary_livekit_webhooks_total", "counter"],
      ["plenary_stream_viewers", "gauge"],
      ["process_cpu_user_seconds_total", "counter"],
      ["process_resident_memory_bytes", "gauge"],
      ["nodejs_eventloop_lag_p99_seconds", "gauge"],
    ]) {
      expect(types.get(name), name).toBe(type);
    }
    // Start-up ran migrations and the seed: the database histogram has counted statements.
    expect(value(samples, "plenary_db_operation_duration_seconds_count")).toBeGreaterThan(0);
    expect(value(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("moves when sockets connect, commands run or are refused, batches are written and facts fan out", async () => {
    const before = await scrape(server.url);
    const person = await createPerson(server.services, { name: "Mia Metrics", email: "mia.metrics@example.org" });
    const a = await connectClient(server.url, { origin: server.url, cookie: person.cookie });
    const b = await connectClient(server.url, { origin: server.url });
    sockets.push(a, b);
    const joined = await emit(a, "session:join", { slug: DAY2 });
    expect(joined.ok).toBe(true);
    const refused = await emit(a, "session:join", { slug: 42 });
    expect(refused.ok).toBe(false);
    server.services.io.to("agenda").emit("agenda:changed", { item: (await server.services.agenda.list())[0] });
    const batcher = new Batcher<number, number>({
      name: "metrics_test",
      max: 10,
      schedule: (job) => job(),
      write: async (batch) => batch.forEach((p) => p.resolve(p.item)),
    });
    await Promise.all([1, 2, 3].map((n) => batcher.add(n)));

    const after = await scrape(server.url);
    const sessionId = (await server.services.agenda.findRow(DAY2))!.id;
    expect(value(after, "plenary_sockets_connected", { view: "audience", session: sessionId })).toBe(
      value(before, "plenary_sockets_connected", { view: "audience", session: sessionId }) + 1,
    );
    expect(value(after, "plenary_sockets_connected", { view: "agenda" })).toBe(value(before, "plenary_sockets_connected", { view: "agenda" }) + 1);
    expect(value(after, "plenary_socket_events_total", { event: "connect" }) - value(before, "plenary_socket_events_total", { event: "connect" })).toBe(2);
    expect(
      value(after, "plenary_commands_total", { event: "session:join", code: "ok" }) -
        value(before, "plenary_commands_total", { event: "session:join", code: "ok" }),
    ).toBe(1);
    const refusalCode = (refused as { error: { code: string } }).error.code;
    expect(
      value(after, "plenary_commands_total", { event: "session:join", code: refusalCode }) -
        value(before, "plenary_commands_total", { event: "session:join", code: refusalCode }),
    ).toBe(1);
    expect(
      value(after, "plenary_command_duration_seconds_count", { event: "session:join" }) -
        value(before, "plenary_command_duration_seconds_count", { event: "session:join" }),
    ).toBe(2);
    expect(
      value(after, "plenary_fanout_emits_total", { event: "agenda:changed" }) - value(before, "plenary_fanout_emits_total", { event: "agenda:changed" }),
    ).toBe(1);
    expect(value(after, "plenary_batch_size_sum", { batcher: "metrics_test" })).toBe(3);
    expect(value(after, "plenary_batch_wait_seconds_count", { batcher: "metrics_test" })).toBe(3);
    expect(value(after, "plenary_db_operation_duration_seconds_count")).toBeGreaterThan(value(before, "plenary_db_operation_duration_seconds_count"));

    a.close();
    await new Promise((r) => setTimeout(r, 100));
    const closed = await scrape(server.url);
    expect(value(closed, "plenary_sockets_connected", { view: "audience", session: sessionId })).toBe(
      value(before, "plenary_sockets_connected", { view: "audience", session: sessionId }),
    );
  });

  it("counts a database error by operation and SQLSTATE, not by its text", async () => {
    const before = await scrape(server.url);
    await expect(server.services.db.execute("select * from no_such_table_for_metrics")).rejects.toBeTruthy();
    const after = await scrape(server.url);
    expect(value(after, "plenary_db_errors_total", { code: "42P01" }) - value(before, "plenary_db_errors_total", { code: "42P01" })).toBe(1);
    expect(after.some((s) => s.name === "plenary_db_errors_total" && s.labels.operation === "select no_such_table_for_metrics")).toBe(true);
  });

  it("counts LiveKit webhook deliveries, refused ones included", async () => {
    const before = await scrape(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/api/livekit/webhook`, { method: "POST", headers: { "content-type": "application/webhook+json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBeGreaterThanOrEqual(400);
    const after = await scrape(server.url);
    expect(value(after, "plenary_livekit_webhooks_total") - value(before, "plenary_livekit_webhooks_total")).toBe(1);
  });

  it("is refused to a client that is not on this machine, unless it brings METRICS_TOKEN", async () => {
    const remote = { "x-forwarded-for": "203.0.113.9" };
    const refused = await get(server.url, remote);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe("forbidden");
    expect(refused.body).not.toContain("plenary_");
    expect((await get(server.url, { ...remote, authorization: "Bearer wrong-token-wrong-token-00" })).status).toBe(403);
    expect((await get(server.url, { ...remote, authorization: `Bearer ${TOKEN}x` })).status).toBe(403);
    const allowed = await get(server.url, { ...remote, authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(parseExposition(allowed.body).samples.length).toBeGreaterThan(10);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("GET /metrics on Postgres", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database: "postgres" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("times pooled statements and transactions, and counts a failed one by SQLSTATE", async () => {
    const before = await scrape(server.url);
    await server.services.db.transaction(async (tx) => {
      await tx.execute("select 1");
    });
    await expect(server.services.db.execute("select * from no_such_table_for_metrics")).rejects.toBeTruthy();
    const after = await scrape(server.url);
    expect(value(after, "plenary_db_operation_duration_seconds_count", { operation: "begin" })).toBeGreaterThan(
      value(before, "plenary_db_operation_duration_seconds_count", { operation: "begin" }),
    );
    expect(value(after, "plenary_db_errors_total", { code: "42P01" }) - value(before, "plenary_db_errors_total", { code: "42P01" })).toBe(1);
  });
});
