import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "./client";
import { seedProgramme } from "./seed/seed";
import { isCheckViolation } from "../server/db-errors";
import { createPostgresDatabase, testDatabaseKinds } from "../server/testing/databases";

describe.each(testDatabaseKinds())("database on %s", (kind) => {
  let handle: DatabaseHandle;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (kind === "postgres") {
      const created = await createPostgresDatabase();
      drop = created.drop;
      handle = await openDatabase({ databaseUrl: created.url, dataDir: "unused" });
    } else {
      handle = await openDatabase({ dataDir: "memory://" });
    }
    expect(handle.kind).toBe(kind);
  });
  afterAll(async () => {
    await handle?.close();
    await drop?.();
  });

  it("loads the programme once, however often the seed runs", async () => {
    const first = await seedProgramme(handle.db);
    const second = await seedProgramme(handle.db);
    expect(first.inserted).toBe(19);
    expect(second.inserted).toBe(0);
    const rows = await handle.db.execute(sql`SELECT count(*)::int AS n FROM sessions`);
    expect((rows as { rows: Array<{ n: number }> }).rows[0].n).toBe(19);
  });

  it("keeps an organizer's edit when the seed runs again", async () => {
    await handle.db.execute(sql`UPDATE sessions SET title = 'Renamed' WHERE slug = 'reception'`);
    await seedProgramme(handle.db);
    const rows = await handle.db.execute(sql`SELECT title FROM sessions WHERE slug = 'reception'`);
    expect((rows as { rows: Array<{ title: string }> }).rows[0].title).toBe("Renamed");
  });

  it.each([
    ["streamed", sql`UPDATE sessions SET streamed = true WHERE slug = 'fms-planning'`],
    ["recorded", sql`UPDATE sessions SET recording_allowed = true WHERE slug = 'fms-planning'`],
    ["made Chatham House while streamed", sql`UPDATE sessions SET rule = 'chatham_house' WHERE slug = 'defense-industry-perspectives'`],
  ])("the CHECK constraint refuses a Chatham House session %s", async (_label, statement) => {
    const err = await handle.db.execute(statement).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isCheckViolation(err, "sessions_chatham_house_not_streamed_or_recorded")).toBe(true);
  });

  it("the CHECK constraint refuses a new Chatham House row that is streamed or recorded", async () => {
    const err = await handle.db
      .execute(
        sql`INSERT INTO sessions (event_id, slug, day, starts_at, ends_at, title, kind, host, rule, streamed, recording_allowed)
            SELECT id, 'forbidden', '2024-05-23', '2024-05-23T20:00:00Z', '2024-05-23T21:00:00Z', 'x', 'panel', 'x', 'chatham_house', false, true FROM events`,
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isCheckViolation(err, "sessions_chatham_house_not_streamed_or_recorded")).toBe(true);
    const rows = await handle.db.execute(sql`SELECT count(*)::int AS n FROM sessions WHERE slug = 'forbidden'`);
    expect((rows as { rows: Array<{ n: number }> }).rows[0].n).toBe(0);
  });

  it("allows an on-record session to be streamed and recorded", async () => {
    await handle.db.execute(sql`UPDATE sessions SET streamed = true, recording_allowed = true WHERE slug = 'defense-industry-perspectives'`);
  });
});
