// The embedded database's own thread (started by db/pglite-thread.ts). PGlite runs every statement
// synchronously on the thread that calls it; here that is this worker, not the server's event loop,
// which meanwhile goes on reading sockets and writing broadcasts. Messages in: query, exec, begin,
// end (commit or roll back), close, syncs (a count, for a test); each is answered once, with its
// result or the error's fields.
import fs from "node:fs";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { PGlite, parse, protocol } from "@electric-sql/pglite";
import { NodeFS } from "@electric-sql/pglite/nodefs";

const { dataDir, startParams, keptAsText, preparedMax, preparedUses } = workerData;

/** fsync(2) calls made for the database, for db/pglite-disk.test.ts (answered to the `syncs` message). */
let syncs = 0;

/**
 * The data folder, with Postgres' fsync reaching the disk. PGlite's file system (Emscripten's NODEFS)
 * has no fsync: Postgres' calls returned without one, so a commit stayed in the operating system's
 * cache and a power cut could lose acknowledged votes or break the folder. Patched before Postgres
 * starts, so crash recovery at start-up syncs too. Postgres is told to sync its WAL with fsync (the
 * call NODEFS passes on; fdatasync it drops, db/client.ts), and a WAL segment is synced here with
 * fdatasync, as Postgres' own default does: a segment is written in place (created full size), so
 * only its data must reach the disk, not its times.
 */
const WAL_SEGMENT = /\/pg_wal\/[0-9A-F]{24}$/;

class SyncedNodeFS extends NodeFS {
  async init(pg, opts) {
    const out = await super.init(pg, opts);
    const preRun = out.emscriptenOpts.preRun ?? [];
    const syncing = ({ NODEFS }) => {
      NODEFS.stream_ops.fsync = (stream) => {
        stream.plenaryWal ??= WAL_SEGMENT.test(NODEFS.realPath(stream.node));
        NODEFS.tryFSOperation(() => (stream.plenaryWal ? fs.fdatasyncSync : fs.fsyncSync)(stream.nfd));
        syncs++;
        return 0;
      };
    };
    return { ...out, emscriptenOpts: { ...out.emscriptenOpts, preRun: [...preRun, syncing] } };
  }
}

const pg = dataDir ? new PGlite({ fs: new SyncedNodeFS(dataDir), startParams }) : new PGlite({ startParams });
/** Open transactions by id: the handle PGlite gave, and how to end them. */
const open = new Map();
const rollback = Symbol("rollback");

/** An error as plain fields: a thread boundary keeps only message and name of an Error. */
function fields(err) {
  if (!(err instanceof Error)) return { message: String(err) };
  const out = { name: err.name, message: err.message, stack: err.stack };
  for (const key of ["code", "detail", "hint", "severity", "constraint", "table", "column", "schema", "dataType", "where", "position", "routine"]) {
    if (typeof err[key] === "string") out[key] = err[key];
  }
  return out;
}

function reply(id, outcome) {
  parentPort.postMessage({ id, ...outcome });
}

/**
 * The types every statement keeps as text are set once on the database (below), not sent with each
 * statement: PGlite copies its whole parser table (a few hundred types) for a statement that brings
 * its own parsers, which cost ~90 µs a statement (docs/benchmarks.md).
 */
function options(m) {
  return { rowMode: m.rowMode };
}

/**
 * A transaction's own messages that arrived before it began: the caller sends its first statements
 * without waiting for the `begin` (one round trip less), and they wait here for their turn.
 */
const early = new Map();

/** Starts a transaction and holds it open until `end` says how it finishes; settles once it has. */
function begin(id) {
  let finish;
  const ended = new Promise((resolve) => (finish = resolve));
  return pg
    .transaction(async (tx) => {
      open.set(id, { tx, finish, running: new Set(), failed: undefined });
      reply(id, { ok: true });
      const held = early.get(id) ?? [];
      early.delete(id);
      held.forEach(accept);
      if ((await ended) === rollback) throw rollback;
    })
    .then(
      () => open.get(id)?.done?.({ ok: true }),
      (err) => {
        const entry = open.get(id);
        if (!entry) {
          // BEGIN itself failed: so does everything sent for this transaction.
          for (const m of early.get(id) ?? []) reply(m.id, { error: fields(err) });
          early.delete(id);
          return reply(id, { error: fields(err) });
        }
        entry.done?.(err === rollback ? { ok: true } : { error: fields(err) });
      },
    )
    .finally(() => open.delete(id));
}

async function run(m) {
  const target = m.tx === undefined ? pg : open.get(m.tx)?.tx;
  if (!target) throw new Error("PGlite transaction is closed");
  if (m.op === "query") return statement(target, m);
  if (m.op === "exec") return target.exec(m.sql);
  throw new Error(`unknown database operation ${m.op}`);
}

/**
 * Statements the server sends again and again run as prepared statements: PGlite's `query` parses
 * and plans every statement and makes six calls into the database for it, while a prepared one is
 * one call (bind, execute, sync) on a kept plan, 3–4× less of this thread's time for the server's
 * usual statements (docs/benchmarks.md). A statement is prepared the second time it is seen, so
 * one-off statements (migrations, the seed) keep no plan; at most `preparedMax` are kept, the least
 * recently used closed first (lists of different lengths are different statements). A kept plan is
 * closed and prepared again after `preparedUses` runs: in PGlite each run of a kept plan takes a
 * little longer than the last (db/pglite-thread.ts, `PREPARED_USES`).
 */
const SEEN_MAX = 4096;
/** Prepared statements by their text, least recently used first: name, parameter types, row description. */
const prepared = new Map();
const seen = new Set();
let statements = 0;

/** What `runPrepared` answers when a kept plan went stale outside a transaction: run the statement as it is. */
const stale = Symbol("stale");

async function statement(target, m) {
  if (!prepared.has(m.sql) && !seen.has(m.sql)) {
    if (seen.size >= SEEN_MAX) seen.clear();
    seen.add(m.sql);
    return target.query(m.sql, m.params, options(m));
  }
  const result = await pg.runExclusive(() => runPrepared(target, m));
  // Outside PGlite's lock: `query` takes it itself.
  return result === stale ? target.query(m.sql, m.params, options(m)) : result;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Runs a statement on its kept plan (preparing it first if needed), within PGlite's own lock. */
async function runPrepared(target, m) {
  // A transaction that began ending while this waited for the lock must not take it as its own.
  if (m.tx !== undefined && target.closed) throw new Error("Transaction is closed");
  const { serialize } = protocol;
  let p = prepared.get(m.sql);
  prepared.delete(m.sql);
  const worn = p && p.uses >= preparedUses ? p.name : undefined;
  if (worn) p = undefined;
  if (p) prepared.set(m.sql, p);
  else {
    const name = `plenary_${++statements}`;
    const parts = [serialize.parse({ name, text: m.sql }), serialize.describe({ type: "S", name }), serialize.sync()];
    if (worn) parts.unshift(serialize.close({ type: "S", name: worn }));
    else if (prepared.size >= preparedMax) {
      const [oldest, { name: old }] = prepared.entries().next().value;
      prepared.delete(oldest);
      parts.unshift(serialize.close({ type: "S", name: old }));
    }
    const described = await pg.execProtocolStream(concat(parts), { syncToFs: false });
    p = { name, uses: 0, types: parse.parseDescribeStatementResults(described), row: described.find((d) => d.name === "rowDescription") };
    prepared.set(m.sql, p);
  }
  // Parameters are written as PGlite's `query` writes them, by the types the statement declared.
  const values = (m.params ?? []).map((v, i) => (v === null || v === undefined ? null : (pg.serializers[p.types[i]]?.(v) ?? v.toString())));
  p.uses++;
  let replies;
  try {
    replies = await pg.execProtocolStream(concat([serialize.bind({ statement: p.name, values }), serialize.execute({}), serialize.sync()]), {
      syncToFs: false,
    });
  } catch (err) {
    // A kept plan whose table changed shape (or that is gone) is dropped; outside a transaction the
    // statement is simply run again, inside one the error stands (the transaction is aborted).
    if (err?.code !== "26000" && err?.code !== "0A000") throw err;
    prepared.delete(m.sql);
    if (err.code === "0A000")
      await pg.execProtocolStream(concat([serialize.close({ type: "S", name: p.name }), serialize.sync()]), { syncToFs: false }).catch(() => {});
    if (m.tx !== undefined) throw err;
    return stale;
  }
  if (m.tx === undefined) await pg.syncToFs();
  return parse.parseResults(p.row ? [p.row, ...replies] : replies, pg.parsers, options(m))[0];
}

/**
 * Work that takes the database for itself (a statement outside a transaction, a whole transaction,
 * closing) waits here for its turn, one at a time as PGlite would run it, in two queues: the front
 * one (`urgent`: the moderators' and panelists' commands and the pages' syncs, server/qa/gate.ts) is
 * served first. First come first served, an approval sent during a vote storm waited behind every
 * vote batch sent before it. A transaction's own statements and its end go straight to it.
 */
const waiting = { urgent: [], normal: [] };
let busy = false;

function takesTurn(m) {
  return m.op === "begin" || m.op === "close" || m.tx === undefined;
}

/** The database's work for one turn; settles when the database is free again. */
function take(m) {
  if (m.op === "begin") return begin(m.id);
  if (m.op === "close") {
    return pg.close().then(
      () => reply(m.id, { ok: true }),
      (err) => reply(m.id, { error: fields(err) }),
    );
  }
  return run(m).then(
    (result) => reply(m.id, { ok: true, result }),
    (err) => reply(m.id, { error: fields(err) }),
  );
}

function accept(m) {
  if (m.op === "syncs") return reply(m.id, { ok: true, result: syncs });
  if (takesTurn(m)) {
    if (m.op === "begin") early.set(m.id, []);
    return void waiting[m.urgent ? "urgent" : "normal"].push(m);
  }
  if (early.has(m.tx)) return void early.get(m.tx).push(m);
  const entry = open.get(m.tx);
  if (m.op === "end") {
    if (!entry) return reply(m.id, { error: { message: "PGlite transaction is closed" } });
    return void endWhenSettled(entry, m);
  }
  const work = run(m).then(
    (result) => reply(m.id, { ok: true, result }),
    (err) => {
      if (entry) entry.failed ??= err;
      reply(m.id, { error: fields(err) });
    },
  );
  entry?.running.add(work);
  work.finally(() => entry?.running.delete(work));
}

/**
 * Ends a transaction once the statements sent before its `end` have run: a caller may send its last
 * statements and the commit together (one round trip less). A commit after a failed statement rolls
 * back and answers with that statement's error, where Postgres would answer COMMIT with a silent
 * ROLLBACK.
 */
async function endWhenSettled(entry, m) {
  await Promise.all(entry.running);
  const commit = m.commit && !entry.failed;
  entry.done = (outcome) => reply(m.id, m.commit && entry.failed ? { error: fields(entry.failed) } : outcome);
  entry.finish(commit ? true : rollback);
}

function nextTurn() {
  // Messages that arrived while the last turn ran are read first, so an urgent one among them is seen.
  for (let r; (r = receiveMessageOnPort(parentPort));) accept(r.message);
  if (busy) return;
  const m = waiting.urgent.shift() ?? waiting.normal.shift();
  if (!m) return;
  busy = true;
  take(m).finally(() => {
    busy = false;
    nextTurn();
  });
}

parentPort.on("message", (m) => {
  accept(m);
  nextTurn();
});

pg.waitReady.then(
  () => {
    // After waitReady: PGlite sets the array types' parsers at the end of its start.
    for (const oid of keptAsText) pg.parsers[oid] = (value) => value;
    parentPort.postMessage({ ready: true });
  },
  (err) => parentPort.postMessage({ ready: false, error: fields(err) }),
);
