import { and, desc, eq, gte, ilike, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditLog, sessions, type AuditRow } from "../../db/schema";

export type NewAudit = typeof auditLog.$inferInsert;

export async function insertAudit(db: Database, entry: NewAudit): Promise<void> {
  await db.insert(auditLog).values(entry);
}

export interface AuditFilter {
  sessionSlug?: string;
  action?: string;
  actor?: string;
  outcome?: "ok" | "refused";
  from?: Date;
  to?: Date;
  limit: number;
  beforeId?: number;
}

export async function listAudit(db: Database, f: AuditFilter): Promise<Array<AuditRow & { sessionSlug: string | null }>> {
  const where: SQL[] = [];
  if (f.sessionSlug) where.push(eq(sessions.slug, f.sessionSlug));
  if (f.action) where.push(ilike(auditLog.action, `%${f.action.replace(/[%_\\]/g, "\\$&")}%`));
  if (f.actor) {
    const pattern = `%${f.actor.replace(/[%_\\]/g, "\\$&")}%`;
    where.push(or(ilike(auditLog.actorLabel, pattern), sql`${auditLog.actorId}::text = ${f.actor}`)!);
  }
  if (f.outcome) where.push(eq(auditLog.outcome, f.outcome));
  if (f.from) where.push(gte(auditLog.at, f.from));
  if (f.to) where.push(lte(auditLog.at, f.to));
  if (f.beforeId) where.push(sql`${auditLog.id} < ${f.beforeId}`);
  const rows = await db
    .select({ entry: auditLog, sessionSlug: sessions.slug })
    .from(auditLog)
    .leftJoin(sessions, eq(sessions.id, auditLog.sessionId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(f.limit);
  return rows.map((r) => ({ ...r.entry, sessionSlug: r.sessionSlug }));
}
