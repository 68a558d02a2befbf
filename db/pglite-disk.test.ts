import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseStartError, openDatabase, PGLITE_START_PARAMS } from "./client";
import { PgliteThread } from "./pglite-thread";
import { seedProgramme } from "./seed/seed";

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-pglite-"));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const one = async <T>(handle: Awaited<ReturnType<typeof openDatabase>>, query: ReturnType<typeof sql>) =>
  ((await handle.db.execute(query)) as unknown as { rows: T[] }).rows[0];

describe("PGlite on disk", () => {
  it("creates a new data folder (in a child process), keeps what was written and reopens it with a 16 MB buffer pool", async () => {
    const dir = tempDir();
    const first = await openDatabase({ dataDir: dir });
    try {
      expect(fs.existsSync(path.join(dir, "pglite", "PG_VERSION"))).toBe(true);
      expect(await one<{ shared_buffers: string }>(first, sql`SHOW shared_buffers`)).toEqual({ shared_buffers: "16MB" });
      expect((await seedProgramme(first.db)).inserted).toBe(19);
    } finally {
      await first.close();
    }
    const again = await openDatabase({ dataDir: dir });
    try {
      expect(await one<{ n: number }>(again, sql`SELECT count(*)::int AS n FROM sessions`)).toEqual({ n: 19 });
      expect(await one<{ shared_buffers: string }>(again, sql`SHOW shared_buffers`)).toEqual({ shared_buffers: "16MB" });
    } finally {
      await again.close();
    }
  }, 120_000);

  it("syncs each commit to the disk before it answers, and a read syncs nothing", async () => {
    const thread = await PgliteThread.open(path.join(tempDir(), "pglite"), PGLITE_START_PARAMS);
    try {
      const setting = async (name: string) => ((await thread.query<Record<string, string>>(`SHOW ${name}`)).rows[0] ?? {})[name];
      expect(await setting("fsync")).toBe("on");
      expect(await setting("wal_sync_method")).toBe("fsync");
      await thread.exec("CREATE TABLE votes (id int PRIMARY KEY)");
      const synced: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = await thread.syncs();
        await thread.query("INSERT INTO votes VALUES ($1)", [i]);
        synced.push((await thread.syncs()) - before);
      }
      const before = await thread.syncs();
      await thread.transaction(async (tx) => {
        await tx.query("INSERT INTO votes VALUES (10)");
        await tx.query("INSERT INTO votes VALUES (11)");
      });
      synced.push((await thread.syncs()) - before);
      expect(synced.every((n) => n >= 1)).toBe(true);
      const unchanged = await thread.syncs();
      expect((await thread.query<{ n: number }>("SELECT count(*)::int AS n FROM votes")).rows).toEqual([{ n: 5 }]);
      expect(await thread.syncs()).toBe(unchanged);
    } finally {
      await thread.close();
    }
  }, 120_000);

  it("says which folder it could not create the database in, and frees the folder", async () => {
    const dir = tempDir();
    // A file where the database folder should be: the child cannot make the database there.
    fs.writeFileSync(path.join(dir, "pglite"), "not a folder");
    const opened = openDatabase({ dataDir: dir });
    await expect(opened).rejects.toBeInstanceOf(DatabaseStartError);
    await expect(opened).rejects.toThrow(`DATA_DIR: could not create the embedded database in ${path.join(dir, "pglite")}`);
    expect(fs.existsSync(path.join(dir, "plenary.lock"))).toBe(false);
  }, 120_000);
});
