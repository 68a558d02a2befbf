/** The only file of server/people that touches drizzle: participants, their event and session roles. */
import { and, asc, eq, ilike, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { eventRoles, sessionRoles, sessions, users, type SessionRoleName } from "../../db/schema";
import { isSlug } from "../../lib/text";

type Db = Pick<Database, "select" | "insert" | "update">;

export function transaction<T>(db: Database, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(tx as unknown as Db));
}

export async function sessionIdsBySlug(db: Db): Promise<Map<string, string>> {
  const rows = await db.select({ id: sessions.id, slug: sessions.slug }).from(sessions);
  return new Map(rows.map((r) => [r.slug, r.id]));
}

export async function findSessionBySlug(db: Db, slug: string) {
  // Not a slug (a stray NUL, a path): no such session, without asking the database, which cannot store U+0000.
  if (!isSlug(slug)) return undefined;
  const [session] = await db.select().from(sessions).where(eq(sessions.slug, slug));
  return session;
}

export async function findPersonByEmail(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

export async function insertPerson(db: Db, p: { email: string; name: string; affiliation: string | null; attendanceMode: "in_person" | "remote" }): Promise<string> {
  const [created] = await db.insert(users).values({ kind: "person", ...p }).returning({ id: users.id });
  return created.id;
}

export async function updatePerson(db: Db, id: string, p: { name: string; affiliation: string | null; attendanceMode: "in_person" | "remote" }): Promise<void> {
  await db.update(users).set(p).where(eq(users.id, id));
}

/** Registers an address with no other details if it is new (PLENARY_ORGANIZERS). */
export async function ensurePerson(db: Db, email: string): Promise<void> {
  await db.insert(users).values({ kind: "person", email }).onConflictDoNothing({ target: users.email });
}

/** Adds the organizer role; true when it was not held before. */
export async function addOrganizer(db: Db, userId: string): Promise<boolean> {
  const added = await db.insert(eventRoles).values({ userId, role: "organizer" }).onConflictDoNothing().returning({ userId: eventRoles.userId });
  return added.length > 0;
}

/** Adds a per-session role; true when it was not held before. */
export async function addSessionRole(db: Db, sessionId: string, userId: string, role: SessionRoleName): Promise<boolean> {
  const added = await db.insert(sessionRoles).values({ sessionId, userId, role }).onConflictDoNothing().returning({ userId: sessionRoles.userId });
  return added.length > 0;
}

/** Registered people (not room devices), by name, optionally filtered by name, e-mail or affiliation. */
export async function listPeople(db: Db, search: string | undefined, limit: number) {
  const pattern = search ? `%${search.replace(/[%_\\]/g, "\\$&")}%` : undefined;
  return db
    .select({
      userId: users.id,
      kind: users.kind,
      name: users.name,
      email: users.email,
      affiliation: users.affiliation,
      attendanceMode: users.attendanceMode,
      isDemo: users.isDemo,
      organizer: sql<boolean>`exists(select 1 from ${eventRoles} where ${eventRoles.userId} = ${users.id})`,
    })
    .from(users)
    .where(and(eq(users.kind, "person"), pattern ? or(ilike(users.name, pattern), ilike(users.email, pattern), ilike(users.affiliation, pattern)) : undefined))
    .orderBy(asc(users.name))
    .limit(limit);
}
