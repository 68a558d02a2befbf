/**
 * The embedded database on its own thread (db/pglite-thread.ts): the server's event loop keeps
 * running while a statement does, and everything drizzle and server/db-errors.ts rely on behaves as
 * with PGlite in the same thread: transactions commit or roll back whole, a statement sent during a
 * transaction waits for it, errors keep Postgres's fields, and a stopped thread fails calls as closed.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, PGLITE_START_PARAMS, type DatabaseHandle } from "./client";
import { PgliteThread, PREPARED_MAX, PREPARED_USES } from "./pglite-thread";
import { databaseFault } from "../server/db-errors";

const rows = (res: unknown) => (res as { rows: unknown[] }).rows;

describe("PGlite on its own thread", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({ dataDir: "memory://" });
    await handle.db.execute(sql`CREATE TABLE t (id int PRIMARY KEY, note text)`);
  }, 60_000);
  afterAll(() => handle?.close());

  it("leaves the event loop free while a statement runs", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      // A statement that takes the database a while; in the server's own thread no timer could fire during it.
      const res = await handle.db.execute(sql`SELECT count(*)::int AS n FROM generate_series(1, 3000000)`);
      expect(rows(res)).toEqual([{ n: 3000000 }]);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(3);
  });

  it("commits a transaction whole, and a statement sent meanwhile sees it only once it is committed", async () => {
    let outside: Promise<unknown> | undefined;
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO t VALUES (1, 'one')`);
      outside = handle.db.execute(sql`SELECT count(*)::int AS n FROM t`);
      await tx.execute(sql`INSERT INTO t VALUES (2, 'two')`);
    });
    expect(rows(await outside)).toEqual([{ n: 2 }]);
  });

  it("rolls a transaction back when it throws, with the caller's own error", async () => {
    const boom = new Error("changed my mind");
    await expect(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO t VALUES (3, 'three')`);
        throw boom;
      }),
    ).rejects.toBe(boom);
    const res = await handle.db.execute(sql`SELECT count(*)::int AS n FROM t WHERE id = 3`);
    expect(rows(res)).toEqual([{ n: 0 }]);
  });

  it("returns dates, timestamps, intervals and their arrays as drizzle reads them, and refuses parsers of its own", async () => {
    // The thread keeps these types as text once, for every statement (KEPT_AS_TEXT); drizzle's own
    // mapping then makes the Date of a timestamp column and leaves the rest as Postgres prints them.
    const res = await handle.db.execute(
      sql`SELECT timestamptz '2024-05-23 08:00:00-04' AS at, date '2024-05-23' AS day, interval '90 minutes' AS span,
                 ARRAY[timestamptz '2024-05-23 08:00:00-04'] AS ats, ARRAY[1.5]::numeric[] AS nums, 7::int AS n, true AS yes`,
    );
    expect(rows(res)).toEqual([
      { at: "2024-05-23 12:00:00+00", day: "2024-05-23", span: "01:30:00", ats: '{"2024-05-23 12:00:00+00"}', nums: "{1.5}", n: 7, yes: true },
    ]);
    const thread = await PgliteThread.open(undefined, PGLITE_START_PARAMS);
    try {
      await expect(thread.query("SELECT 1", [], { parsers: { 1184: (v: string) => new Date(v) } })).rejects.toThrow(/not one the thread keeps as text/);
      await expect(thread.query("SELECT 1", [], { parsers: { 1184: (v: string) => v } })).rejects.toThrow(/must keep exactly the types/);
      expect((await thread.query<{ n: number }>("SELECT 2 AS n")).rows).toEqual([{ n: 2 }]);
    } finally {
      await thread.close();
    }
  });

  it("keeps Postgres's fields on an error (code, constraint), inside and outside a transaction", async () => {
    const fault = (err: unknown) => (err as { cause?: { code?: string; constraint?: string } }).cause;
    const outside = await handle.db.execute(sql`INSERT INTO t VALUES (1, 'again')`).catch((e: unknown) => e);
    expect(fault(outside)).toMatchObject({ code: "23505", constraint: "t_pkey" });
    const inside = await handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO t VALUES (1, 'again')`);
      })
      .catch((e: unknown) => e);
    expect(fault(inside)).toMatchObject({ code: "23505", constraint: "t_pkey" });
    // The connection is usable afterwards.
    expect(rows(await handle.db.execute(sql`SELECT count(*)::int AS n FROM t`))).toEqual([{ n: 2 }]);
  });

  it("puts urgent work ahead of the work waiting, never ahead of the transaction under way", async () => {
    let urgent = false;
    const db = await openDatabase({ dataDir: "memory://", urgent: () => urgent });
    try {
      await db.db.execute(sql`CREATE TABLE u (id int)`);
      const order: string[] = [];
      const count = (name: string, ahead = false) => {
        urgent = ahead;
        const done = db.db.execute(sql`SELECT count(*)::int AS n FROM u`).then((r) => (order.push(name), rows(r)));
        urgent = false;
        return done;
      };
      let waited: Array<Promise<unknown[]>> = [];
      // The transaction holds the thread while the rest arrive: two vote batches, then an approval.
      await db.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO u VALUES (1)`);
        waited = [count("batch 1"), count("batch 2"), count("approval", true)];
        await tx.execute(sql`INSERT INTO u VALUES (2)`);
        order.push("transaction");
      });
      const seen = await Promise.all(waited);
      expect(order).toEqual(["transaction", "approval", "batch 1", "batch 2"]);
      // Each saw the transaction committed, whole.
      expect(seen).toEqual([[{ n: 2 }], [{ n: 2 }], [{ n: 2 }]]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("commits behind statements sent with the commit, and rolls back with a failed one's error", async () => {
    // A staff command sends its last writes and the commit together (server/qa/moderation.ts `once`).
    const thread = await PgliteThread.open(undefined, PGLITE_START_PARAMS);
    try {
      await thread.exec("CREATE TABLE w (id int PRIMARY KEY)");
      const insert = "INSERT INTO w VALUES ($1)";
      // Seen twice: from here on it runs on a kept plan, which waits for the database's lock.
      for (const id of [1, 2]) await thread.query(insert, [id]);
      const count = async (ids: number[]) => (await thread.query<{ n: number }>("SELECT count(*)::int AS n FROM w WHERE id = ANY($1)", [ids])).rows[0].n;

      let written: Promise<unknown[]> = Promise.resolve([]);
      await thread.transaction(async (tx) => {
        written = Promise.all([tx.query(insert, [3]), tx.query(insert, [4])]);
      });
      await written;
      expect(await count([3, 4])).toBe(2);

      const failed = thread.transaction(async (tx) => {
        written = Promise.all([tx.query(insert, [5]), tx.query(insert, [1])]);
        written.catch(() => {});
      });
      await expect(failed).rejects.toMatchObject({ code: "23505" });
      await expect(written).rejects.toMatchObject({ code: "23505" });
      expect(await count([5])).toBe(0);
    } finally {
      await thread.close();
    }
  });

  it("holds a transaction's statements, and its end, until it has begun behind the work ahead of it", async () => {
    // The transaction's first statements go out before its BEGIN is answered; here BEGIN waits behind a slow statement.
    const slow = handle.db.execute(sql`SELECT count(*)::int AS n FROM generate_series(1, 2000000)`);
    const inside = handle.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO t VALUES (20, 'early')`);
      return rows(await tx.execute(sql`SELECT note FROM t WHERE id = 20`));
    });
    // A transaction that gives up before sending anything: its rollback must not leave it holding the database.
    const abandoned = handle.db.transaction(async () => {
      throw new Error("nothing to do");
    });
    await expect(abandoned).rejects.toThrow("nothing to do");
    expect(await inside).toEqual([{ note: "early" }]);
    expect(rows(await slow)).toEqual([{ n: 2000000 }]);
    expect(rows(await handle.db.execute(sql`SELECT count(*)::int AS n FROM t WHERE id = 20`))).toEqual([{ n: 1 }]);
  });

  it("runs a statement it has seen before on a kept plan, with the same rows, types and errors", async () => {
    const thread = await PgliteThread.open(undefined, PGLITE_START_PARAMS);
    try {
      await thread.exec("CREATE TABLE p (id int PRIMARY KEY, note text, tags text[], doc jsonb, at timestamptz)");
      const kept = async () => (await thread.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements")).rows.map((r) => r.statement);
      const insert = "INSERT INTO p VALUES ($1, $2, $3, $4, $5) RETURNING *";
      const first = await thread.query(insert, [1, "one", ["a", "b"], { k: [1] }, new Date("2024-05-23T12:00:00Z")]);
      expect(await kept()).not.toContain(insert); // a statement seen once keeps no plan
      const second = await thread.query(insert, [2, null, [], { k: "two" }, null]);
      expect(await kept()).toContain(insert);
      expect([...first.rows, ...second.rows]).toEqual([
        { id: 1, note: "one", tags: ["a", "b"], doc: { k: [1] }, at: "2024-05-23 12:00:00+00" },
        { id: 2, note: null, tags: [], doc: { k: "two" }, at: null },
      ]);
      const ids = "SELECT id, note FROM p ORDER BY id";
      for (let i = 0; i < 2; i++)
        expect((await thread.query(ids, [], { rowMode: "array" })).rows).toEqual([
          [1, "one"],
          [2, null],
        ]);
      const again = await thread.query(insert, [1, "again", [], {}, null]).catch((e: unknown) => e);
      expect(again).toMatchObject({ code: "23505", constraint: "p_pkey" });
      // In a transaction: its writes are its own until it commits, and an error still aborts it whole.
      await thread.transaction(async (tx) => {
        await tx.query(insert, [3, "three", [], {}, null]);
        expect((await tx.query(ids, [], { rowMode: "array" })).rows).toHaveLength(3);
      });
      const failed = thread.transaction(async (tx) => {
        await tx.query(insert, [4, "four", [], {}, null]);
        await tx.query(insert, [4, "four", [], {}, null]);
      });
      await expect(failed).rejects.toMatchObject({ code: "23505" });
      expect((await thread.query(ids, [], { rowMode: "array" })).rows).toHaveLength(3);

      // A table that changes shape: the kept plan is dropped and the statement prepared again.
      const one = "SELECT * FROM p WHERE id = $1";
      for (let i = 0; i < 2; i++) await thread.query(one, [1]);
      await thread.exec("ALTER TABLE p ADD COLUMN extra int DEFAULT 7");
      expect((await thread.query(one, [1])).rows).toEqual([expect.objectContaining({ id: 1, extra: 7 })]);
      expect((await thread.query(one, [1])).rows).toEqual([expect.objectContaining({ id: 1, extra: 7 })]);

      // Lists of every length are different statements: no more than PREPARED_MAX plans are kept.
      for (let n = 1; n <= PREPARED_MAX + 20; n++) {
        const text = `SELECT count(*)::int AS n FROM p WHERE id IN (${Array.from({ length: n }, (_, i) => `$${i + 1}`).join(", ")})`;
        const params = Array.from({ length: n }, (_, i) => i + 1);
        for (let i = 0; i < 2; i++) expect((await thread.query(text, params)).rows).toEqual([{ n: Math.min(n, 3) }]);
      }
      const plans = await kept();
      expect(plans.length).toBeLessThanOrEqual(PREPARED_MAX);
      expect(plans).not.toContain(insert); // the least recently used went first…
      expect((await thread.query(insert, [5, "five", [], {}, null])).rows).toEqual([expect.objectContaining({ id: 5 })]); // …and is prepared again when used
    } finally {
      await thread.close();
    }
  }, 60_000);

  it(`prepares a statement again after ${PREPARED_USES} runs of its plan, and only then`, async () => {
    const thread = await PgliteThread.open(undefined, PGLITE_START_PARAMS);
    try {
      await thread.exec("CREATE TABLE c (id int PRIMARY KEY, n int NOT NULL); INSERT INTO c VALUES (1, 0)");
      const bump = "UPDATE c SET n = n + 1 WHERE id = $1 RETURNING n";
      const plan = async () => {
        const { rows } = await thread.query<{ name: string; runs: number }>(
          "SELECT name, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE statement = $1",
          [bump],
        );
        expect(rows).toHaveLength(1); // one plan for the statement, whichever it is
        return rows[0];
      };
      // The first run is not prepared; the second is the plan's first.
      for (let i = 1; i <= 1 + PREPARED_USES; i++) expect((await thread.query(bump, [1])).rows).toEqual([{ n: i }]);
      const first = await plan();
      expect(first.runs).toBe(PREPARED_USES);
      expect((await thread.query(bump, [1])).rows).toEqual([{ n: PREPARED_USES + 2 }]);
      const second = await plan();
      expect(second.name).not.toBe(first.name);
      expect(second.runs).toBe(1);
      // In a transaction too, and what it wrote is kept.
      await thread.transaction(async (tx) => {
        for (let i = 0; i < PREPARED_USES; i++) await tx.query(bump, [1]);
      });
      const third = await plan();
      expect(third.name).not.toBe(second.name);
      expect((await thread.query<{ n: number }>("SELECT n FROM c")).rows).toEqual([{ n: 2 * PREPARED_USES + 2 }]);
    } finally {
      await thread.close();
    }
  }, 60_000);

  it("fails every call as closed once the thread has stopped, under way or later", async () => {
    const thread = await PgliteThread.open(undefined, PGLITE_START_PARAMS);
    const slow = thread.query("SELECT count(*) FROM generate_series(1, 20000000)");
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const under = await slow.catch((e: unknown) => e);
    const later = await thread.query("SELECT 1").catch((e: unknown) => e);
    for (const err of [under, later]) {
      expect(err).toBeInstanceOf(Error);
      expect(databaseFault(err)?.reason).toBe("closed");
    }
  }, 60_000);
});
