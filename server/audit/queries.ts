import { and, desc, eq, gte, ilike, lte, or, sql, type SQL } from "drizzle-orm";
import { containing } from "../../db/like";
import type { Database } from "../../db/client";
import { auditLog, sessions, type AuditRow } from "../../db/schema";

export type NewAudit = typeof auditLog.$inferInsert;

/** Sent when called (not on first `await`): a commit sent after it runs after it. */
export async function insertAudit(db: Database, entry: NewAudit): Promise<void> {
  await db.insert(auditLog).values(entry).execute();
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
  if (f.action) where.push(ilike(auditLog.action, containing(f.action)));
  if (f.actor) {
    const pattern = containing(f.actor);
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

/** An entry of an ended Chatham House session that still names a person or a panelist, with that person's roles. */
export interface NamedChathamEntry {
  id: number;
  action: string;
  before: unknown;
  after: unknown;
  details: unknown;
  /** The actor held these roles in the entry's session ('moderator', 'panelist'), or is an organizer. */
  staffRoles: string[];
  organizer: boolean;
  /** Whether the entry names an actor (false: only its content names a panelist). */
  named: boolean;
}

/**
 * Entries of ended Chatham House sessions that tie a person to the session: a person as actor (except
 * an organizer's administrative entries: agenda, roles, streams), or a panelist named in the content
 * (a question's `routedTo`, a "Routed to …" summary). Once rewritten they match no more, so this is
 * idempotent.
 */
export async function findNamedChathamEntries(db: Database, now: Date): Promise<NamedChathamEntry[]> {
  const content = sql`(${auditLog.before}::text LIKE '%"routedTo": {"id"%' OR ${auditLog.after}::text LIKE '%"routedTo": {"id"%' OR ${auditLog.details}::text LIKE '%"routedTo": {"id"%' OR (${auditLog.details}->>'summary' LIKE 'Routed to %' AND ${auditLog.details}->>'summary' <> ${ROUTED_TO_A_PANELIST}))`;
  const staffRoles = sql<
    string[]
  >`COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM session_roles r WHERE r.session_id = ${auditLog.sessionId} AND r.user_id = ${auditLog.actorId} AND r.role IN ('moderator','panelist')), ARRAY[]::text[])`;
  const organizer = sql<boolean>`EXISTS (SELECT 1 FROM event_roles e WHERE e.user_id = ${auditLog.actorId} AND e.role = 'organizer')`;
  const contentAction = sql`(${auditLog.action} LIKE 'question:%' OR ${auditLog.action} LIKE 'qa:%' OR ${auditLog.action} LIKE 'poll:%')`;
  const rows = await db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      before: auditLog.before,
      after: auditLog.after,
      details: auditLog.details,
      staffRoles,
      organizer,
      actorId: auditLog.actorId,
    })
    .from(auditLog)
    .innerJoin(sessions, eq(sessions.id, auditLog.sessionId))
    .where(
      and(
        eq(sessions.rule, "chatham_house"),
        lte(sessions.endsAt, now),
        or(content, sql`(${auditLog.actorId} IS NOT NULL AND (cardinality(${staffRoles}) > 0 OR NOT ${organizer} OR ${contentAction}))`),
      ),
    );
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    before: r.before,
    after: r.after,
    details: r.details,
    staffRoles: r.staffRoles,
    organizer: r.organizer,
    named: r.actorId !== null && (r.staffRoles.length > 0 || !r.organizer || /^(question|qa|poll):/.test(r.action)),
  }));
}

export const ROUTED_TO_A_PANELIST = "Routed to a panelist.";

export async function rewriteAuditEntry(
  db: Database,
  id: number,
  patch: Partial<Pick<AuditRow, "actorId" | "actorLabel" | "before" | "after" | "details">>,
): Promise<void> {
  await db.update(auditLog).set(patch).where(eq(auditLog.id, id));
}
