import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PlenaryServices } from "../services";

/** The database's tables (public schema) whose rows, as text, contain `needle`: the Chatham House no-trace check. */
export async function tablesContaining(app: PlenaryServices, needle: string): Promise<{ tables: number; found: string[] }> {
  const list = await app.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  const names = (list as { rows: Array<{ table_name: string }> }).rows.map((r) => r.table_name);
  const found: string[] = [];
  for (const name of names) {
    const dump = await app.db.execute(sql`select coalesce(string_agg(t::text, ' '), '') as all from ${sql.identifier(name)} t`);
    if ((dump as { rows: Array<{ all: string }> }).rows[0].all.includes(needle)) found.push(name);
  }
  return { tables: names.length, found };
}

/** The files under `dir` (recursively) whose bytes contain `needle` (UTF-8): the no-trace check for files on disk. */
export function filesContaining(dir: string, needle: string): { files: number; found: string[] } {
  const bytes = Buffer.from(needle, "utf8");
  const found: string[] = [];
  let files = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(bytes)) found.push(path.relative(dir, file));
  }
  return { files, found };
}
