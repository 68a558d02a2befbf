/** The only file of server/checkin that touches drizzle: passes, check-ins and the desk's counts. */
import { and, asc, eq, ilike, or, sql } from "drizzle-orm";
import { containing } from "../../db/like";
import type { Database } from "../../db/client";
import { attendeePasses, checkIns, users, type CheckInMethod } from "../../db/schema";
import type { DeskCounts, DeskPerson } from "../../lib/checkin";

type Db = Pick<Database, "select" | "insert" | "update">;

const person = {
  userId: users.id,
  name: users.name,
  email: users.email,
  affiliation: users.affiliation,
  attendanceMode: users.attendanceMode,
  checkedInAt: checkIns.checkedInAt,
};
type PersonRow = {
  userId: string;
  name: string | null;
  email: string | null;
  affiliation: string | null;
  attendanceMode: "in_person" | "remote";
  checkedInAt: Date | null;
};
const toDesk = (r: PersonRow): DeskPerson => ({ ...r, checkedInAt: r.checkedInAt?.toISOString() ?? null });

/** Everyone counted is a registered person (not a room device); numbers only. */
export async function counts(db: Db): Promise<DeskCounts> {
  const [r] = await db
    .select({
      registered: sql<number>`count(*)::int`,
      registeredInPerson: sql<number>`(count(*) filter (where ${users.attendanceMode} = 'in_person'))::int`,
      checkedIn: sql<number>`count(${checkIns.userId})::int`,
      checkedInInPerson: sql<number>`(count(${checkIns.userId}) filter (where ${users.attendanceMode} = 'in_person'))::int`,
    })
    .from(users)
    .leftJoin(checkIns, eq(checkIns.userId, users.id))
    .where(eq(users.kind, "person"));
  return {
    registered: r.registered,
    checkedIn: r.checkedIn,
    registeredInPerson: r.registeredInPerson,
    registeredRemote: r.registered - r.registeredInPerson,
    checkedInInPerson: r.checkedInInPerson,
    checkedInRemote: r.checkedIn - r.checkedInInPerson,
  };
}

/** Registered people whose name, e-mail or affiliation contains `query`, by name. */
export async function search(db: Db, query: string, limit: number): Promise<DeskPerson[]> {
  const pattern = containing(query);
  const rows = await db
    .select(person)
    .from(users)
    .leftJoin(checkIns, eq(checkIns.userId, users.id))
    .where(and(eq(users.kind, "person"), or(ilike(users.name, pattern), ilike(users.email, pattern), ilike(users.affiliation, pattern))))
    .orderBy(asc(users.name), asc(users.email))
    .limit(limit);
  return rows.map(toDesk);
}

export async function findPerson(db: Db, userId: string): Promise<DeskPerson | undefined> {
  const [row] = await db
    .select(person)
    .from(users)
    .leftJoin(checkIns, eq(checkIns.userId, users.id))
    .where(and(eq(users.id, userId), eq(users.kind, "person")));
  return row ? toDesk(row) : undefined;
}

export async function findPersonByEmail(db: Db, email: string): Promise<DeskPerson | undefined> {
  const [row] = await db.select(person).from(users).leftJoin(checkIns, eq(checkIns.userId, users.id)).where(eq(users.email, email));
  return row ? toDesk(row) : undefined;
}

export async function insertWalkIn(
  db: Db,
  p: { name: string; email: string; affiliation: string | null; attendanceMode: "in_person" | "remote" },
): Promise<string | undefined> {
  const [row] = await db
    .insert(users)
    .values({ kind: "person", ...p })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id });
  return row?.id;
}

/** Checks a person in; returns the first check-in's time and whether this call made it. */
export async function checkIn(db: Db, userId: string, by: string, method: CheckInMethod, at: Date): Promise<{ at: Date; firstTime: boolean }> {
  const [made] = await db
    .insert(checkIns)
    .values({ userId, checkedInBy: by, method, checkedInAt: at })
    .onConflictDoNothing()
    .returning({ at: checkIns.checkedInAt });
  if (made) return { at: made.at, firstTime: true };
  const [first] = await db.select({ at: checkIns.checkedInAt }).from(checkIns).where(eq(checkIns.userId, userId));
  return { at: first.at, firstTime: false };
}

export async function passCodeOf(db: Db, userId: string): Promise<string | undefined> {
  const [row] = await db.select({ code: attendeePasses.code }).from(attendeePasses).where(eq(attendeePasses.userId, userId));
  return row?.code;
}

/** Creates the person's pass code unless they have one; returns theirs (two instances racing agree). */
export async function ensurePassCode(db: Db, userId: string, fresh: string): Promise<string> {
  await db.insert(attendeePasses).values({ userId, code: fresh }).onConflictDoNothing({ target: attendeePasses.userId });
  return (await passCodeOf(db, userId))!;
}

export async function holderOfPass(db: Db, code: string): Promise<string | undefined> {
  const [row] = await db.select({ userId: attendeePasses.userId }).from(attendeePasses).where(eq(attendeePasses.code, code));
  return row?.userId;
}
