import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { pgArray } from "../../db/pg-array";
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

/** A sign-in to write: the raw token stays in the caller (for the cookie); only its sha256 is stored. */
export interface NewSignIn {
  tokenHash: string;
  expires: Date;
  method: string;
}

/** A phone's first join: the new device person, their role in the session and their sign-in. */
export interface NewDeviceJoin {
  user: { name: string | null; deviceSecretHash: string };
  role: { sessionId: string; role: SessionRoleName };
  signIn: NewSignIn;
}

/**
 * New device people, each with their role and sign-in, in one statement: phones that join in the
 * same moment share one turn of the database, and it is all or nothing (a failure cannot leave a
 * person without a sign-in). Returns each new person's id, in the order given.
 */
export async function insertDeviceUsersWithSignIns(db: Database, joins: NewDeviceJoin[]): Promise<string[]> {
  const rows = joins.map(
    (j, n) =>
      sql`(${n}::int, ${j.user.name}::text, ${j.user.deviceSecretHash}::text, ${j.role.sessionId}::uuid, ${j.role.role}::text, ${j.signIn.tokenHash}::text, ${j.signIn.expires.toISOString()}::timestamptz, ${j.signIn.method}::text)`,
  );
  const res = await db.execute(sql`
    WITH input (n, name, device_hash, session_id, role, token_hash, expires, method) AS (VALUES ${sql.join(rows, sql`, `)}),
    u AS (
      INSERT INTO ${users} (kind, name, attendance_mode, device_secret_hash)
      SELECT 'device', name, 'in_person', device_hash FROM input
      RETURNING id, device_secret_hash),
    j AS (SELECT input.n, input.session_id, input.role, input.token_hash, input.expires, input.method, u.id AS user_id
            FROM input JOIN u ON u.device_secret_hash = input.device_hash),
    r AS (
      INSERT INTO ${sessionRoles} (session_id, user_id, role) SELECT session_id, user_id, role FROM j
      ON CONFLICT DO NOTHING),
    s AS (
      INSERT INTO ${authSessions} (token_hash, user_id, expires, method) SELECT token_hash, user_id, expires, method FROM j)
    SELECT n, user_id AS id FROM j`);
  const ids = new Map((res as { rows: Array<{ n: number; id: string }> }).rows.map((r) => [Number(r.n), r.id]));
  return joins.map((_, n) => {
    const id = ids.get(n);
    if (!id) throw new Error("a new device person was not written");
    return id;
  });
}

/**
 * A known person's role in a session (kept if they have it), their new name if one is given, and a
 * new sign-in, in one statement (all or nothing).
 */
export async function grantRoleWithSignIn(
  db: Database,
  userId: string,
  role: { sessionId: string; role: SessionRoleName },
  signIn: NewSignIn,
  rename?: string,
): Promise<void> {
  await db.execute(sql`
    WITH ${rename === undefined ? sql`` : sql`n AS (UPDATE ${users} SET name = ${rename}::text WHERE id = ${userId}::uuid),`}
    r AS (
      INSERT INTO ${sessionRoles} (session_id, user_id, role) VALUES (${role.sessionId}::uuid, ${userId}::uuid, ${role.role}::text)
      ON CONFLICT DO NOTHING)
    INSERT INTO ${authSessions} (token_hash, user_id, expires, method)
    VALUES (${signIn.tokenHash}::text, ${userId}::uuid, ${signIn.expires.toISOString()}::timestamptz, ${signIn.method}::text)`);
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
 * statement: every socket handshake and every page resolves its cookie with it, and each statement is
 * a round trip to the database (three before: sign-in, event roles, session roles).
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

/**
 * Fixed-window counters: adds one to each key and returns each count after this hit, with the
 * key's count in the window before (for the sliding window), in one statement, so concurrent
 * requests each see their own number (the limit is decided on it, never on a read). One statement
 * for all of a request's keys (device, address, site): on the room-code join every statement is a
 * turn of the database's single thread. The rows are written (and locked) in key order, so two
 * requests sharing keys cannot deadlock on Postgres. The earlier window takes no more hits; reading
 * it in the same statement reads what a separate read would.
 */
export async function hitRateLimits(
  db: Database,
  keys: string[],
  windowStart: Date,
  previousStart: Date,
): Promise<Map<string, { hits: number; before: number }>> {
  const start = windowStart.toISOString();
  const rows = [...keys].sort().map((key) => sql`(${key}, ${start}::timestamptz, 1)`);
  const res = await db.execute(sql`
    WITH hit AS (
      INSERT INTO ${rateLimits} (key, window_start, count) VALUES ${sql.join(rows, sql`, `)}
      ON CONFLICT (key, window_start) DO UPDATE SET count = ${rateLimits}.count + 1
      RETURNING key, count)
    SELECT hit.key, hit.count::int AS hits, coalesce(p.count, 0)::int AS before
      FROM hit LEFT JOIN ${rateLimits} p ON p.key = hit.key AND p.window_start = ${previousStart.toISOString()}::timestamptz`);
  const found = (res as { rows: Array<{ key: string; hits: number; before: number }> }).rows;
  return new Map(found.map((r) => [r.key, { hits: Number(r.hits), before: Number(r.before) }]));
}

/**
 * Takes back one hit of this window from each key (an attempt that turned out not to count), in one
 * statement whose rows are locked in key order, the order hitRateLimits locks them in (byte order,
 * as JavaScript sorts these ASCII keys): two requests sharing keys cannot deadlock.
 */
export async function unhitRateLimits(db: Database, keys: string[], windowStart: Date): Promise<void> {
  if (!keys.length) return;
  const start = windowStart.toISOString();
  await db.execute(sql`UPDATE ${rateLimits} AS r SET count = r.count - 1
      FROM (SELECT key FROM ${rateLimits}
             WHERE key IN (${sql.join(
               keys.map((k) => sql`${k}`),
               sql`, `,
             )}) AND window_start = ${start}::timestamptz AND count > 0
             ORDER BY key COLLATE "C" FOR UPDATE) AS l
     WHERE r.key = l.key AND r.window_start = ${start}::timestamptz`);
}

/** One room-code attempt: the code typed (null: not a code at all), its rate-limit keys, and whether a wrong code counts. */
export interface CodeAttempt {
  code: string | null;
  keys: string[];
  countIfWrong: boolean;
}

/** What an attempt comes to: its session (right code) and, per key, its count for judging the limits. */
export interface CodeAttemptResult {
  session: { id: string; slug: string; title: string } | undefined;
  counts: Map<string, { hits: number; before: number; counted: boolean }>;
}

/**
 * Room-code attempts that arrived together, in one statement: the Q&A sessions with their codes, and
 * each attempt's count per key for judging the limits. Wrong codes are counted (`countIfWrong`): each
 * key takes all of the batch's wrong attempts on it in one atomic increment (rows locked in key order,
 * as hitRateLimits locks them, so two statements sharing keys cannot deadlock), and the attempts get
 * the counts in between in the order they came, as if each had made its own increment. The right code
 * writes and locks nothing, so a room joining from one address does not queue on that address's row;
 * its keys are read as they stand (plus the batch's earlier wrong attempts) plus this attempt, what
 * they would have come to had it been counted.
 */
export async function attemptCodes(db: Database, attempts: CodeAttempt[], windowStart: Date, previousStart: Date): Promise<CodeAttemptResult[]> {
  const start = windowStart.toISOString();
  const codes = attempts.map((a) => a.code);
  const keyOf = attempts.flatMap((a, i) => a.keys.map(() => i + 1));
  const keys = attempts.flatMap((a) => a.keys);
  // The keys' rows of both windows first (which also names the statement "with rate_limits" in /metrics).
  const res = await db.execute(sql`
    WITH limits AS (
      SELECT r.key, r.window_start, r.count FROM ${rateLimits} r
       WHERE r.key = ANY(${pgArray(keys)}::text[]) AND r.window_start IN (${start}::timestamptz, ${previousStart.toISOString()}::timestamptz)),
    attempts AS (
      SELECT * FROM unnest(${pgArray(codes)}::text[], ${pgArray(attempts.map((a) => String(a.countIfWrong)))}::boolean[])
        WITH ORDINALITY AS a (code, count_if_wrong, i)),
    attempt_keys AS (SELECT * FROM unnest(${pgArray(keyOf.map(String))}::int[], ${pgArray(keys)}::text[]) AS k (i, key)),
    found AS (
      SELECT DISTINCT ${sessions.accessCode} AS code, ${sessions.id} AS id, ${sessions.slug} AS slug, ${sessions.title} AS title
        FROM ${sessions} WHERE ${sessions.accessCode} IN (SELECT code FROM attempts) AND ${sessions.qaEnabled}),
    wrong AS (
      SELECT k.key, count(*)::int AS n FROM attempts a JOIN attempt_keys k ON k.i = a.i
       WHERE a.count_if_wrong AND NOT EXISTS (SELECT 1 FROM found f WHERE f.code = a.code)
       GROUP BY k.key),
    hit AS (
      INSERT INTO ${rateLimits} (key, window_start, count)
      SELECT key, ${start}::timestamptz, n FROM wrong ORDER BY key COLLATE "C"
      ON CONFLICT (key, window_start) DO UPDATE SET count = ${rateLimits}.count + excluded.count
      RETURNING key, count),
    distinct_keys AS (SELECT DISTINCT key FROM attempt_keys)
    SELECT d.key, coalesce(hit.count - w.n, cur.count, 0)::int AS base, coalesce(p.count, 0)::int AS before,
           NULL AS code, NULL::uuid AS id, NULL AS slug, NULL AS title
      FROM distinct_keys d
      LEFT JOIN hit ON hit.key = d.key
      LEFT JOIN wrong w ON w.key = d.key
      LEFT JOIN limits cur ON cur.key = d.key AND cur.window_start = ${start}::timestamptz
      LEFT JOIN limits p ON p.key = d.key AND p.window_start = ${previousStart.toISOString()}::timestamptz
    UNION ALL
    SELECT NULL, NULL, NULL, code, id, slug, title FROM found`);
  const rows = (res as { rows: Array<{ key: string | null; base: number; before: number; code: string; id: string; slug: string; title: string }> }).rows;
  const sessionsByCode = new Map(rows.filter((r) => r.key === null).map((r) => [r.code, { id: r.id, slug: r.slug, title: r.title }]));
  // Each key's count before this statement's increment; it grows as the attempts take their turns.
  const running = new Map(rows.filter((r) => r.key !== null).map((r) => [r.key!, { count: Number(r.base), before: Number(r.before) }]));
  return attempts.map((a) => {
    const session = a.code === null ? undefined : sessionsByCode.get(a.code);
    const counted = !session && a.countIfWrong;
    const counts = new Map<string, { hits: number; before: number; counted: boolean }>();
    for (const key of a.keys) {
      const k = running.get(key)!;
      if (counted) k.count += 1;
      counts.set(key, { hits: counted ? k.count : k.count + 1, before: k.before, counted });
    }
    return { session, counts };
  });
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
