/** The only file of server/people that touches drizzle: participants, their event and session roles. */
import { and, asc, eq, ilike, inArray, or, sql } from "drizzle-orm";
import { containing } from "../../db/like";
import type { Database } from "../../db/client";
import { eventRoles, sessionRoles, sessions, users, type SessionRoleName } from "../../db/schema";
import { isSlug } from "../../lib/text";

type Db = Pick<Database, "select" | "insert" | "update">;

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

export async function insertPerson(
  db: Db,
  p: { email: string; name: string; affiliation: string | null; attendanceMode: "in_person" | "remote" },
): Promise<string> {
  const [created] = await db
    .insert(users)
    .values({ kind: "person", ...p })
    .returning({ id: users.id });
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

/** Adds the check-in desk role; true when it was not held before. */
export async function addCheckInRole(db: Db, userId: string): Promise<boolean> {
  const added = await db.insert(eventRoles).values({ userId, role: "check_in" }).onConflictDoNothing().returning({ userId: eventRoles.userId });
  return added.length > 0;
}

/** Adds a per-session role; true when it was not held before. */
export async function addSessionRole(db: Db, sessionId: string, userId: string, role: SessionRoleName): Promise<boolean> {
  const added = await db.insert(sessionRoles).values({ sessionId, userId, role }).onConflictDoNothing().returning({ userId: sessionRoles.userId });
  return added.length > 0;
}

/** Registered people (not room devices), by name, optionally filtered by name, e-mail or affiliation. */
/** People (not room devices) whose name, e-mail or affiliation contains `search`, as typed (no wildcards). */
function peopleMatching(search: string | undefined) {
  const pattern = search ? containing(search) : undefined;
  return and(eq(users.kind, "person"), pattern ? or(ilike(users.name, pattern), ilike(users.email, pattern), ilike(users.affiliation, pattern)) : undefined);
}

export async function countPeople(db: Db, search: string | undefined): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(peopleMatching(search));
  return Number(row?.n ?? 0);
}

export async function listPeople(db: Db, search: string | undefined, limit: number) {
  return db
    .select({
      userId: users.id,
      kind: users.kind,
      name: users.name,
      email: users.email,
      affiliation: users.affiliation,
      attendanceMode: users.attendanceMode,
      isDemo: users.isDemo,
      organizer: sql<boolean>`exists(select 1 from ${eventRoles} where ${eventRoles.userId} = ${users.id} and ${eventRoles.role} = 'organizer')`,
    })
    .from(users)
    .where(peopleMatching(search))
    .orderBy(asc(users.name))
    .limit(limit);
}

/**
 * Chatham House, at the end of a session: a room device's attendee row (the record that this device,
 * under the name it gave, was in that room) is deleted, and a device left attending no session at all
 * loses its display name too. A device that also joined a session still running, or an on-record
 * (Day 2) session, keeps its name: that name is then tied only to those sessions, where it may be, and
 * it still needs it there. Idempotent; runs in the caller's transaction.
 */
export async function eraseEndedChathamAttendees(tx: Database, now: Date): Promise<{ sessionIds: string[]; attendees: number; names: number }> {
  const removed = await tx
    .delete(sessionRoles)
    .where(
      and(
        eq(sessionRoles.role, "attendee"),
        sql`${sessionRoles.sessionId} IN (SELECT ${sessions.id} FROM ${sessions} WHERE ${sessions.rule} = 'chatham_house' AND ${sessions.endsAt} <= ${now.toISOString()}::timestamptz)`,
        sql`${sessionRoles.userId} IN (SELECT ${users.id} FROM ${users} WHERE ${users.kind} = 'device')`,
      ),
    )
    .returning({ sessionId: sessionRoles.sessionId, userId: sessionRoles.userId });
  const userIds = [...new Set(removed.map((r) => r.userId))];
  const named = userIds.length
    ? await tx
        .update(users)
        .set({ name: null })
        .where(
          and(
            inArray(users.id, userIds),
            eq(users.kind, "device"),
            sql`${users.name} IS NOT NULL`,
            sql`NOT EXISTS (SELECT 1 FROM ${sessionRoles} WHERE ${sessionRoles.userId} = ${users.id})`,
          ),
        )
        .returning({ id: users.id })
    : [];
  return { sessionIds: [...new Set(removed.map((r) => r.sessionId))], attendees: removed.length, names: named.length };
}
