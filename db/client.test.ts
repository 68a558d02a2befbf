import net from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, testDatabaseKinds } from "../server/testing/databases";
import { openDatabase, type DatabaseHandle } from "./client";

/** The rows of a statement's result (the database handle's type leaves them unknown). */
const rowsOf = (result: unknown) => (result as { rows: Array<Record<string, unknown>> }).rows;

/**
 * A TCP relay between the pool and Postgres that records what the client sends and, while `hold` is
 * set, keeps the server's answers back: a statement that reaches the server then was sent without
 * waiting for the answer to the one before it.
 */
async function relay(target: URL) {
  const state = { sent: "", hold: false, held: [] as Array<() => void> };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.on("data", (d) => {
      state.sent += d.toString("latin1");
      upstream.write(d);
    });
    upstream.on("data", (d) => (state.hold ? state.held.push(() => client.write(d)) : client.write(d)));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => {});
    upstream.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    state,
    release() {
      state.hold = false;
      for (const write of state.held.splice(0)) write();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.runIf(testDatabaseKinds().includes("postgres"))("the Postgres connection", () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let proxy: Awaited<ReturnType<typeof relay>>;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    proxy = await relay(new URL(database.url));
    handle = await openDatabase({ databaseUrl: proxy.url, dataDir: "memory://" });
  });

  afterAll(async () => {
    await handle?.close();
    proxy?.release();
    await proxy?.close();
    await database?.drop();
  });

  it("sends a transaction's BEGIN and the statements queued behind it without waiting for their answers", async () => {
    const from = proxy.state.sent.length;
    proxy.state.hold = true;
    const done = handle.db.transaction(async (tx) => {
      const [a, b] = await Promise.all([tx.execute(sql`select 'pipelined-first' as mark`), tx.execute(sql`select 'pipelined-second' as mark`)]);
      return [rowsOf(a)[0]?.mark, rowsOf(b)[0]?.mark];
    });
    // Up to 2 s for both statements to reach the server while no answer (not even BEGIN's) has come back.
    const deadline = Date.now() + 2000;
    while (!proxy.state.sent.slice(from).includes("pipelined-second") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const sentWhileHeld = proxy.state.sent.slice(from);
    proxy.release();
    expect(await done).toEqual(["pipelined-first", "pipelined-second"]);
    expect(sentWhileHeld).toContain("begin");
    expect(sentWhileHeld).toContain("pipelined-first");
    expect(sentWhileHeld).toContain("pipelined-second");
  });

  it("a failed statement among those sent together fails the transaction and leaves nothing behind", async () => {
    await handle.db.execute(sql`create table pipelined_probe (id int primary key)`);
    const attempt = handle.db.transaction(async (tx) => {
      await Promise.all([
        tx.execute(sql`insert into pipelined_probe values (1)`),
        tx.execute(sql`insert into pipelined_probe values (1)`),
        tx.execute(sql`insert into pipelined_probe values (2)`),
      ]);
    });
    await expect(attempt).rejects.toMatchObject({ cause: { code: "23505" } }); // unique_violation
    expect(rowsOf(await handle.db.execute(sql`select count(*)::int as n from pipelined_probe`))).toEqual([{ n: 0 }]);
    // The connection is usable afterwards.
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`insert into pipelined_probe values (3)`);
    });
    expect(rowsOf(await handle.db.execute(sql`select array_agg(id)::int[] as ids from pipelined_probe`))).toEqual([{ ids: [3] }]);
  });
});
