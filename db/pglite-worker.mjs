// The embedded database's own thread (started by db/pglite-thread.ts). PGlite runs every statement
// synchronously on the thread that calls it; here that is this worker, not the server's event loop,
// which meanwhile goes on reading sockets and writing broadcasts. Messages in: query, exec, begin,
// end (commit or roll back), close; each is answered once, with its result or the error's fields.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const { dataDir, startParams, keptAsText } = workerData;
const pg = dataDir ? new PGlite(dataDir, { startParams }) : new PGlite({ startParams });
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
      open.set(id, { tx, finish });
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
  if (m.op === "query") return target.query(m.sql, m.params, options(m));
  if (m.op === "exec") return target.exec(m.sql);
  throw new Error(`unknown database operation ${m.op}`);
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
  if (takesTurn(m)) {
    if (m.op === "begin") early.set(m.id, []);
    return void waiting[m.urgent ? "urgent" : "normal"].push(m);
  }
  if (early.has(m.tx)) return void early.get(m.tx).push(m);
  if (m.op === "end") {
    const entry = open.get(m.tx);
    if (!entry) return reply(m.id, { error: { message: "PGlite transaction is closed" } });
    entry.done = (outcome) => reply(m.id, outcome);
    return entry.finish(m.commit ? true : rollback);
  }
  run(m).then(
    (result) => reply(m.id, { ok: true, result }),
    (err) => reply(m.id, { error: fields(err) }),
  );
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
