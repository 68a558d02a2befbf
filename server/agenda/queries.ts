import { asc, and, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Database } from "../../db/client";
import { events, sessions, type EventRow, type NewSessionRow, type SessionRow } from "../../db/schema";
import { isSlug } from "../../lib/text";

export async function findEvent(db: Database): Promise<EventRow | undefined> {
  const [row] = await db.select().from(events).limit(1);
  return row;
}

export async function listSessions(db: Database): Promise<SessionRow[]> {
  return db.select().from(sessions).orderBy(asc(sessions.startsAt), asc(sessions.endsAt));
}

export async function findSessionBySlug(db: Database, slug: string): Promise<SessionRow | undefined> {
  // Not a slug (a stray NUL, a path): no such session, without asking the database, which cannot store U+0000.
  if (!isSlug(slug)) return undefined;
  const [row] = await db.select().from(sessions).where(eq(sessions.slug, slug));
  return row;
}

/**
 * A session row's stamp: its `xmin`, the transaction that wrote this version of the row, so any
 * change to the row, by any instance or statement, gives it a new one. Text, as `xid` has no JS type.
 */
export function sessionStamp(sessionId: SQLWrapper): SQL<string> {
  return sql<string>`(select s.xmin::text from ${sessions} s where s.id = ${sessionId})`;
}

/** The session with its stamp (`sessionStamp`). */
export async function findStampedSession(db: Database, slug: string): Promise<{ row: SessionRow; stamp: string } | undefined> {
  if (!isSlug(slug)) return undefined;
  const [found] = await db
    .select({ row: sessions, stamp: sql<string>`${sessions}.xmin::text` })
    .from(sessions)
    .where(eq(sessions.slug, slug));
  return found;
}

export async function findSessionById(db: Database, id: string): Promise<SessionRow | undefined> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  return row;
}

/** Applies `changes` only if the row is still at `version`; returns the new row, or undefined if it moved on. */
export async function updateSessionAtVersion(db: Database, id: string, version: number, changes: Partial<NewSessionRow>): Promise<SessionRow | undefined> {
  const [row] = await db
    .update(sessions)
    .set({ ...changes, version: version + 1, updatedAt: new Date() })
    .where(and(eq(sessions.id, id), eq(sessions.version, version)))
    .returning();
  return row;
}

export async function setAccessCode(db: Database, id: string, code: string): Promise<SessionRow | undefined> {
  const [row] = await db.update(sessions).set({ accessCode: code }).where(eq(sessions.id, id)).returning();
  return row;
}
