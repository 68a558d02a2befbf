/**
 * What a worn plan costs: PGlite (on disk, on its own thread, as the server opens it) writes vote
 * storms through the server's own vote statement (`upVotesIfApproved`), 5,000 votes a storm in
 * batches of 100, each storm on another question. Once with a prepared statement kept for good, once
 * prepared again every `PREPARED_USES` runs (db/pglite-thread.ts), alternating which goes first. A kept
 * plan's storms get slower as it runs; the figures are the database's own time, not a user's latency
 * (for that see bench/qa-fanout.ts).
 *
 *   npx tsx bench/profile/plan-wear.ts [--storms 24] [--votes 5000] [--batch 100] [--runs 3]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { PREPARED_USES } from "../../db/pglite-thread";
import { seedProgramme } from "../../db/seed/seed";
import { upVotesIfApproved } from "../../server/qa/queries";
import { arg } from "../fanout/common";
import { median } from "../fanout/stats";

const storms = Number(arg("storms", "24"));
const votes = Number(arg("votes", "5000"));
const batch = Number(arg("batch", "100"));
const runs = Number(arg("runs", "3"));

type Mode = { label: string; preparedUses: number };
const modes: Mode[] = [
  { label: "kept for good", preparedUses: Infinity },
  { label: `prepared again every ${PREPARED_USES} runs`, preparedUses: PREPARED_USES },
];

async function once(mode: Mode): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-plan-wear-"));
  const handle = await openDatabase({ dataDir: dir, preparedUses: mode.preparedUses });
  try {
    const { db } = handle;
    await seedProgramme(db);
    const ids = async (query: ReturnType<typeof sql>) => ((await db.execute(query)) as unknown as { rows: Array<{ id: string }> }).rows.map((r) => r.id);
    const [sessionId] = await ids(sql`SELECT id FROM sessions ORDER BY starts_at LIMIT 1`);
    await db.execute(sql`INSERT INTO users (name) SELECT 'voter ' || g FROM generate_series(1, ${votes}) g`);
    const voters = await ids(sql`SELECT id FROM users WHERE name LIKE 'voter %'`);
    await db.execute(sql`INSERT INTO questions (session_id, chatham, origin, text, status, client_key, seq)
      SELECT ${sessionId}::uuid, false, 'room', 'Question ' || g, 'approved', 'k' || g, 1 FROM generate_series(1, ${storms}) g`);
    const questionIds = await ids(sql`SELECT id FROM questions WHERE session_id = ${sessionId}::uuid`);
    const out: number[] = [];
    for (const questionId of questionIds) {
      const started = performance.now();
      for (let i = 0; i < voters.length; i += batch) {
        await upVotesIfApproved(
          db,
          sessionId,
          voters.slice(i, i + batch).map((voterId) => ({ questionId, voterId })),
        );
      }
      out.push(performance.now() - started);
    }
    return out;
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quarter = Math.max(1, Math.floor(storms / 6));

console.log(`${storms} storms of ${votes} votes in batches of ${batch}, ${runs} runs; load ${os.loadavg()[0].toFixed(2)}`);
const results = new Map<string, number[][]>(modes.map((m) => [m.label, []]));
for (let r = 0; r < runs; r++) {
  for (const mode of r % 2 ? [...modes].reverse() : modes) {
    const ms = await once(mode);
    results.get(mode.label)!.push(ms);
    console.log(`run ${r + 1}, ${mode.label}: ${ms.map((m) => m.toFixed(0)).join(" ")} ms`);
  }
}
const summary = new Map<string, { first: number; last: number; all: number }>();
for (const [label, list] of results) {
  const first = median(list.map((ms) => mean(ms.slice(0, quarter))));
  const last = median(list.map((ms) => mean(ms.slice(-quarter))));
  const all = median(list.map(mean));
  summary.set(label, { first, last, all });
  console.log(
    `${label}: a storm's writes take ${first.toFixed(0)} ms in the first ${quarter}, ${last.toFixed(0)} ms in the last ${quarter}, ${all.toFixed(0)} ms on average (medians of ${runs} runs)`,
  );
}
const [kept, again] = modes.map((m) => summary.get(m.label)!);
console.log(`ratio, prepared again / kept: last storms ${(again.last / kept.last).toFixed(2)}, all storms ${(again.all / kept.all).toFixed(2)}`);
