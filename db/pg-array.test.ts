import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "./client";
import { pgArray } from "./pg-array";

describe("pgArray", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({ dataDir: "memory://" });
  }, 60_000);
  afterAll(async () => handle?.close());

  it("reaches the database element for element, whatever characters the elements hold", async () => {
    const values = ['say "hi"', "back\\slash", "a,b", "{braces}", " spaced ", "", null, "NULL"];
    const res = await handle.db.execute(sql`SELECT unnest(${pgArray(values)}::text[]) AS v`);
    expect((res as unknown as { rows: Array<{ v: string | null }> }).rows.map((r) => r.v)).toEqual(values);
  });
});
