import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { sqlOperation } from "./log";

/**
 * The process's Prometheus metrics (GET /metrics, docs/operations.md). One registry per process, kept
 * on globalThis: Next bundles route handlers apart from the server's modules, and two copies of this
 * module must not count into two registries. Labels are ids, event names and codes, never people.
 */
function build() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  // Finer between 0.1 and 1 s, where the 300 ms goals of docs/benchmarks.md fall.
  const latency = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10];
  /** Gauges read at scrape time from whatever is running (socket servers, Redis clients). */
  const sources = new Set<MetricsSource>();
  const m = {
    registry,
    sources,
    sockets: new Gauge({
      name: "plenary_sockets_connected",
      help: "Sockets connected to this instance now, by view (agenda, audience, panel, staff, screen) and session id.",
      labelNames: ["view", "session"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const source of sources) for (const [labels, count] of source.sockets?.() ?? []) this.inc(labels, count);
      },
    }),
    socketEvents: new Counter({
      name: "plenary_socket_events_total",
      help: "Socket connects and disconnects on this instance.",
      labelNames: ["event"] as const,
      registers: [registry],
    }),
    commands: new Counter({
      name: "plenary_commands_total",
      help: "Socket commands answered, by event and outcome code (ok, or the refusal's code).",
      labelNames: ["event", "code"] as const,
      registers: [registry],
    }),
    commandDuration: new Histogram({
      name: "plenary_command_duration_seconds",
      help: "Time from a socket command's arrival to its ack, by event.",
      labelNames: ["event"] as const,
      buckets: latency,
      registers: [registry],
    }),
    dbDuration: new Histogram({
      name: "plenary_db_operation_duration_seconds",
      help: "Database statements' time, by operation (verb and table).",
      labelNames: ["operation"] as const,
      buckets: latency,
      registers: [registry],
    }),
    dbErrors: new Counter({
      name: "plenary_db_errors_total",
      help: "Database statements that failed, by operation and SQLSTATE (or errno) code.",
      labelNames: ["operation", "code"] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: "plenary_batch_size",
      help: "Commands written per batch, by batcher (qa_votes, qa_syncs, poll_answers, poll_syncs).",
      labelNames: ["batcher"] as const,
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    batchWait: new Histogram({
      name: "plenary_batch_wait_seconds",
      help: "Time a command waited in a batcher's queue before its batch was taken, by batcher.",
      labelNames: ["batcher"] as const,
      buckets: latency,
      registers: [registry],
    }),
    batchWrite: new Histogram({
      name: "plenary_batch_write_seconds",
      help: "Time to write one batch, by batcher.",
      labelNames: ["batcher"] as const,
      buckets: latency,
      registers: [registry],
    }),
    fanout: new Counter({
      name: "plenary_fanout_emits_total",
      help: "Broadcasts this instance sent to socket.io rooms, by event.",
      labelNames: ["event"] as const,
      registers: [registry],
    }),
    redisUp: new Gauge({
      name: "plenary_redis_adapter_up",
      help: "Instances' socket.io Redis adapter connections that are ready (1 per instance while up; 0 while down or without REDIS_URL).",
      registers: [registry],
      collect() {
        this.set([...sources].filter((s) => s.redisUp?.() === true).length);
      },
    }),
    webhooks: new Counter({
      name: "plenary_livekit_webhooks_total",
      help: "LiveKit webhook deliveries, by event type and outcome (handled, duplicate, or the refusal's code).",
      labelNames: ["event", "outcome"] as const,
      registers: [registry],
    }),
    streamViewers: new Gauge({
      name: "plenary_stream_viewers",
      help: "Remote viewers in a session's LiveKit room, as the last webhook counted them, by session id.",
      labelNames: ["session"] as const,
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof build>;

/** What a running server reports at scrape time. */
export interface MetricsSource {
  /** Connected sockets, as [labels, count] pairs. */
  sockets?(): Iterable<[{ view: string; session: string }, number]>;
  /** Whether its Redis adapter connection is ready; undefined without Redis. */
  redisUp?(): boolean | undefined;
}
const KEY = Symbol.for("plenary.metrics");

export function metrics(): Metrics {
  const g = globalThis as typeof globalThis & Record<symbol, Metrics | undefined>;
  return (g[KEY] ??= build());
}

/** Adds a scrape-time reader (sockets, Redis state); the returned function removes it. */
export function addMetricsSource(source: MetricsSource): () => void {
  const { sources } = metrics();
  sources.add(source);
  return () => void sources.delete(source);
}

/** The operation label of a SQL statement: its verb and table, or "other". */
export function dbOperation(query: unknown): string {
  return (typeof query === "string" && sqlOperation(query)) || "other";
}

/** Times one database call and counts its failure by code (SQLSTATE or errno), never its text. */
export async function timedDb<T>(query: unknown, run: () => Promise<T>): Promise<T> {
  const m = metrics();
  const operation = dbOperation(query);
  const end = m.dbDuration.startTimer({ operation });
  try {
    return await run();
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    m.dbErrors.inc({ operation, code: typeof code === "string" && /^[A-Z0-9_]{1,20}$/i.test(code) ? code : "unknown" });
    throw err;
  } finally {
    end();
  }
}
