import { and, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  accounts,
  authSessions,
  checkIns,
  eventRoles,
  rateLimits,
  sessionRoles,
  sessions,
  settings,
  users,
  verificationTokens,
  type NewUserRow,
  type SessionRoleName,
  type UserRow,
} from "../../db/schema";

export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function findUserByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return row;
}

export async function profilesByEmail(db: Database, emails: string[]) {
  if (emails.length === 0) return [];
  return db.select({ email: users.email, name: users.name, affiliation: users.affiliation }).from(users).where(inArray(users.email, emails));
}

export async function findUserByDeviceHash(db: Database, hash: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.deviceSecretHash, hash));
  return row;
}

export async function findUserByAccount(db: Database, provider: string, providerAccountId: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select({ user: users })
    .from(accounts)
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(and(eq(accounts.provider, provider), eq(accounts.providerAccountId, providerAccountId)));
  return row?.user;
}

export async function insertUser(db: Database, user: NewUserRow): Promise<UserRow> {
  const [row] = await db.insert(users).values(user).returning();
  return row;
}

export async function updateUser(db: Database, id: string, changes: Partial<NewUserRow>): Promise<UserRow | undefined> {
  const [row] = await db.update(users).set(changes).where(eq(users.id, id)).returning();
  return row;
}

export async function insertAccount(db: Database, a: typeof accounts.$inferInsert): Promise<void> {
  await db.insert(accounts).values(a).onConflictDoNothing();
}

export async function insertAuthSession(db: Database, s: typeof authSessions.$inferInsert): Promise<void> {
  await db.insert(authSessions).values(s);
}

export async function findAuthSession(db: Database, tokenHash: string) {
  const [row] = await db
    .select({ session: authSessions, user: users })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(eq(authSessions.tokenHash, tokenHash));
  return row;
}

/**
 * A sign-in with its person, whether they organize the event and their session roles, in one
 * statement: every socket handshake and every page resolves its cookie with it, and on PGlite each
 * statement is a turn of the server's own thread (three before: sign-in, event roles, session roles).
 */
export async function findSignIn(db: Database, tokenHash: string) {
  const [row] = await db
    .select({
      session: authSessions,
      user: users,
      organizer: sql<boolean>`exists (select 1 from ${eventRoles} where ${eventRoles.userId} = ${users.id} and ${eventRoles.role} = 'organizer')`,
      checkInRole: sql<boolean>`exists (select 1 from ${eventRoles} where ${eventRoles.userId} = ${users.id} and ${eventRoles.role} = 'check_in')`,
      checkedIn: sql<boolean>`exists (select 1 from ${checkIns} where ${checkIns.userId} = ${users.id})`,
      roles: sql<
        Array<{ sessionId: string; role: SessionRoleName }>
      >`coalesce((select json_agg(json_build_object('sessionId', ${sessionRoles.sessionId}, 'role', ${sessionRoles.role})) from ${sessionRoles} where ${sessionRoles.userId} = ${users.id}), '[]'::json)`,
    })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(eq(authSessions.tokenHash, tokenHash));
  return row;
}

export async function updateAuthSessionExpiry(db: Database, tokenHash: string, expires: Date): Promise<void> {
  await db.update(authSessions).set({ expires }).where(eq(authSessions.tokenHash, tokenHash));
}

export async function deleteAuthSession(db: Database, tokenHash: string): Promise<{ userId: string } | undefined> {
  const [row] = await db.delete(authSessions).where(eq(authSessions.tokenHash, tokenHash)).returning({ userId: authSessions.userId });
  return row;
}

export async function deleteExpiredAuthSessions(db: Database, now: Date): Promise<void> {
  await db.delete(authSessions).where(lt(authSessions.expires, now));
}

export async function insertVerificationToken(db: Database, t: typeof verificationTokens.$inferInsert): Promise<void> {
  await db.insert(verificationTokens).values(t);
}

/** Deletes and returns the token: a magic link works once. */
export async function takeVerificationToken(db: Database, identifier: string, token: string) {
  const [row] = await db
    .delete(verificationTokens)
    .where(and(eq(verificationTokens.identifier, identifier), eq(verificationTokens.token, token)))
    .returning();
  return row;
}

export async function deleteExpiredVerificationTokens(db: Database, now: Date): Promise<void> {
  await db.delete(verificationTokens).where(lt(verificationTokens.expires, now));
}

export async function isOrganizer(db: Database, userId: string): Promise<boolean> {
  const [row] = await db
    .select()
    .from(eventRoles)
    .where(and(eq(eventRoles.userId, userId), eq(eventRoles.role, "organizer")));
  return Boolean(row);
}

/** The event role (besides organizer) and the desk check-in that shape an actor (server/checkin). */
export async function checkInStatus(db: Database, userId: string): Promise<{ checkInRole: boolean; checkedIn: boolean }> {
  const [role, desk] = await Promise.all([
    db
      .select({ userId: eventRoles.userId })
      .from(eventRoles)
      .where(and(eq(eventRoles.userId, userId), eq(eventRoles.role, "check_in"))),
    db.select({ userId: checkIns.userId }).from(checkIns).where(eq(checkIns.userId, userId)),
  ]);
  return { checkInRole: role.length > 0, checkedIn: desk.length > 0 };
}

export async function grantOrganizer(db: Database, userId: string): Promise<void> {
  await db.insert(eventRoles).values({ userId, role: "organizer" }).onConflictDoNothing();
}

export async function sessionRolesOf(db: Database, userId: string): Promise<Array<{ sessionId: string; role: SessionRoleName }>> {
  return db.select({ sessionId: sessionRoles.sessionId, role: sessionRoles.role }).from(sessionRoles).where(eq(sessionRoles.userId, userId));
}

/** Inserts the role; returns false when the person already had it. */
export async function grantSessionRole(db: Database, sessionId: string, userId: string, role: SessionRoleName): Promise<boolean> {
  const rows = await db.insert(sessionRoles).values({ sessionId, userId, role }).onConflictDoNothing().returning({ userId: sessionRoles.userId });
  return rows.length > 0;
}

export async function revokeSessionRole(db: Database, sessionId: string, userId: string, role: SessionRoleName): Promise<boolean> {
  const rows = await db
    .delete(sessionRoles)
    .where(and(eq(sessionRoles.sessionId, sessionId), eq(sessionRoles.userId, userId), eq(sessionRoles.role, role)))
    .returning({ userId: sessionRoles.userId });
  return rows.length > 0;
}

export async function staffOfSession(db: Database, sessionId: string) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, affiliation: users.affiliation, role: sessionRoles.role })
    .from(sessionRoles)
    .innerJoin(users, eq(users.id, sessionRoles.userId))
    .where(and(eq(sessionRoles.sessionId, sessionId), sql`${sessionRoles.role} IN ('moderator','panelist')`));
}

export async function findSessionByCode(db: Database, code: string) {
  const [row] = await db.select().from(sessions).where(eq(sessions.accessCode, code));
  return row;
}

/**
 * Fixed-window counters: adds one to each key and returns each count after this hit, in one
 * statement, so concurrent requests each see their own number (the limit is decided on it, never on
 * a read). One statement for all of a request's keys (device, address, site) instead of one each:
 * on the room-code join every statement is a turn of the database's single thread. The rows are
 * written (and locked) in key order, so two requests sharing keys cannot deadlock on Postgres.
 */
export async function hitRateLimits(db: Database, keys: string[], windowStart: Date): Promise<Map<string, number>> {
  const rows = await db
    .insert(rateLimits)
    .values([...keys].sort().map((key) => ({ key, windowStart, count: 1 })))
    .onConflictDoUpdate({ target: [rateLimits.key, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
    .returning({ key: rateLimits.key, count: rateLimits.count });
  return new Map(rows.map((r) => [r.key, r.count]));
}

/** The counts of these keys in one window (0 for a key without a row). */
export async function rateLimitCounts(db: Database, keys: string[], windowStart: Date): Promise<Map<string, number>> {
  const rows = await db
    .select({ key: rateLimits.key, count: rateLimits.count })
    .from(rateLimits)
    .where(and(inArray(rateLimits.key, keys), eq(rateLimits.windowStart, windowStart)));
  return new Map(keys.map((key) => [key, rows.find((r) => r.key === key)?.count ?? 0]));
}

/**
 * Takes back one hit of this window (an attempt that turned out not to count). One row per
 * statement: a statement that locks one row while holding none cannot take part in a deadlock.
 */
export async function unhitRateLimit(db: Database, key: string, windowStart: Date): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart), gt(rateLimits.count, 0)));
}

export async function deleteOldRateLimits(db: Database, before: Date): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, before));
}

export async function getSetting(db: Database, key: string): Promise<string | undefined> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  return row?.value;
}

/** Sets the value unless one exists; returns the value that won. */
export async function putSettingOnce(db: Database, key: string, value: string): Promise<string> {
  await db.insert(settings).values({ key, value }).onConflictDoNothing();
  return (await getSetting(db, key))!;
}
