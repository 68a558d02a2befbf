import { and, eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../db/client";
import { authSessions, rateLimits, sessionRoles, sessions, users } from "../../db/schema";
import { seedProgramme } from "../../db/seed/seed";
import { AuditService } from "../audit/service";
import { createLogger } from "../log";
import { dbOperation } from "../metrics";
import { createPostgresDatabase, testDatabaseKinds } from "../testing/databases";
import { AuthService } from "./service";
import { newAccessCode } from "./tokens";

// What one room-code join costs in database statements. Every statement is a round trip to the
// database's one queue (PGlite's thread) or a pool connection, so 2,000 people arriving at once wait
// behind each other's statements (issue 12). Statements are seen through the same hook that times them for /metrics (db/client.ts
// `timeQuery`), on a database of the test's own, so no background sweep can add to the count.

describe.each(testDatabaseKinds())("the cost of a room-code join on %s", (kind) => {
  let handle: DatabaseHandle;
  let drop: (() => Promise<void>) | undefined;
  let auth: AuthService;
  let code: string;
  let sessionId: string;
  let databaseUrl: string | undefined;
  let seen: string[] = [];

  beforeAll(async () => {
    if (kind === "postgres") ({ url: databaseUrl, drop } = await createPostgresDatabase());
    handle = await openDatabase({
      databaseUrl,
      dataDir: "memory://",
      timeQuery: (query, run) => {
        seen.push(dbOperation(query));
        return run();
      },
    });
    await seedProgramme(handle.db);
    // The agenda service draws codes at start-up; this test has no agenda service, so it sets one.
    const [session] = await handle.db.update(sessions).set({ accessCode: newAccessCode() }).where(eq(sessions.slug, "fms-planning")).returning();
    expect(session.qaEnabled).toBe(true);
    code = session.accessCode!;
    sessionId = session.id;
    const log = createLogger("silent");
    auth = new AuthService(handle.db, new AuditService(handle.db, log), { signInEnded() {}, rolesChanged() {} }, log);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
    await drop?.();
  });
  beforeEach(() => {
    seen = [];
  });

  const deviceUsers = async () =>
    (
      await handle.db
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(eq(users.kind, "device"))
    )[0].n;

  it("a first join (new device) finds the session and reads the limits without counting, then writes person, role and sign-in: 2 statements", async () => {
    const device = { secret: auth.newDeviceSecret(), minted: true };
    const joined = await auth.joinWithCode({ code, displayName: "Ada" }, { ip: "192.0.2.10", device, actor: null });
    expect(seen).toHaveLength(2);
    expect(joined.session.id).toBe(sessionId);
    // The sign-in works and carries the attendee role; the device secret is the one minted.
    const resolved = await auth.resolveToken(joined.signIn!.token);
    expect(resolved.status).toBe("valid");
    expect(resolved.actor).toMatchObject({ kind: "device", name: "Ada", attendanceMode: "in_person" });
    expect([...(resolved.actor!.sessionRoles.get(sessionId) ?? [])]).toEqual(["attendee"]);
    expect(resolved.expires?.getTime()).toBe(joined.signIn!.expires.getTime());
    expect(joined.device!.secret).toBe(device.secret);
    // The right code was not counted: neither the device nor the address has a counter row.
    const counts = await handle.db.select({ key: rateLimits.key, count: rateLimits.count }).from(rateLimits);
    expect(counts.filter((c) => c.key.startsWith("code:"))).toEqual([]);
  });

  it("phones joining at the same moment share the statement that writes their people, roles and sign-ins; each gets their own", async () => {
    const n = 12;
    const before = await deviceUsers();
    const joined = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        auth.joinWithCode(
          { code, displayName: `Phone ${i}` },
          { ip: `198.51.100.${i + 1}`, device: { secret: auth.newDeviceSecret(), minted: true }, actor: null },
        ),
      ),
    );
    // The look-ups are shared, and so are the writes. PGlite's one queue makes the overlap certain;
    // on Postgres how many overlap depends on timing and only the upper bound is certain.
    const lookups = seen.filter((op) => op === "with rate_limits").length;
    const writes = seen.filter((op) => op === "with users").length;
    expect(lookups + writes + 1).toBe(seen.length); // and the count of people before: nothing else
    if (kind === "pglite") expect(lookups).toBeLessThan(n / 2);
    if (kind === "pglite") expect(writes).toBeLessThan(n / 2);
    expect(lookups).toBeLessThanOrEqual(n);
    expect(writes).toBeLessThanOrEqual(n);
    expect(await deviceUsers()).toBe(before + n);
    const resolved = await Promise.all(joined.map((j) => auth.resolveToken(j.signIn!.token)));
    for (const a of resolved) auth.forget(a.actor!.userId);
    // Looked up from the database (not the join's own memory): each sign-in is its own person, named, with the role.
    const looked = await Promise.all(joined.map((j) => auth.resolveToken(j.signIn!.token)));
    expect(new Set(looked.map((r) => r.actor!.userId)).size).toBe(n);
    looked.forEach((r, i) => {
      expect(r.status).toBe("valid");
      expect(r.actor).toMatchObject({ kind: "device", name: `Phone ${i}` });
      expect([...(r.actor!.sessionRoles.get(sessionId) ?? [])]).toEqual(["attendee"]);
    });
  });

  it("right and wrong codes looked up together: each is judged as if it had come alone, and only the wrong ones are counted", async () => {
    const ip = "198.51.100.200";
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        auth.joinWithCode({ code: i % 2 ? `ZZZZ-ZZZ${"ABCDE"[i >> 1]}` : code }, { ip, device: { secret: auth.newDeviceSecret(), minted: true }, actor: null }),
      ),
    );
    expect(outcomes.map((o) => (o.status === "fulfilled" ? "joined" : (o.reason as { code: string }).code))).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? "not_found" : "joined")),
    );
    if (kind === "pglite") expect(seen.filter((op) => op === "with rate_limits").length).toBeLessThan(5);
    const [row] = await handle.db
      .select({ count: rateLimits.count })
      .from(rateLimits)
      .where(eq(rateLimits.key, `code:addr:${ip}`));
    expect(row.count).toBe(5);
  });

  it("when one phone's row in a shared write is refused, that phone alone is refused and the others get in", async () => {
    // A device secret whose person already exists (it cannot happen to a secret minted here: 256
    // random bits) makes its insert break the unique device index, and with it the shared statement.
    const taken = { secret: auth.newDeviceSecret(), minted: true };
    await auth.joinWithCode({ code }, { ip: "198.51.100.50", device: taken, actor: null });
    const before = await deviceUsers();
    seen = [];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        auth.joinWithCode(
          { code },
          { ip: `198.51.100.${60 + i}`, device: i === 3 ? { ...taken, minted: true } : { secret: auth.newDeviceSecret(), minted: true }, actor: null },
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(await deviceUsers()).toBe(before + 5);
    // On PGlite's one queue the five later phones share a write, which the bad row refuses as a whole;
    // it is then made phone by phone: more writes than phones.
    if (kind === "pglite") expect(seen.filter((op) => op === "with users").length).toBeGreaterThan(outcomes.length);
    for (const o of outcomes) if (o.status === "fulfilled") expect((await auth.resolveToken(o.value.signIn!.token)).status).toBe("valid");
  });

  it("the page and socket right after a first join need no lookup, and get exactly what the lookup gives", async () => {
    const joined = await auth.joinWithCode(
      { code, displayName: "Grace" },
      { ip: "192.0.2.30", device: { secret: auth.newDeviceSecret(), minted: true }, actor: null },
    );
    seen = [];
    const remembered = await auth.resolveToken(joined.signIn!.token);
    expect(seen).toHaveLength(0);
    expect(remembered.status).toBe("valid");
    auth.forget(remembered.actor!.userId);
    const looked = await auth.resolveToken(joined.signIn!.token);
    expect(seen).toHaveLength(1);
    expect(remembered).toEqual(looked);
  });

  it("a sign-out ends a just-made sign-in at once", async () => {
    const joined = await auth.joinWithCode({ code }, { ip: "192.0.2.31", device: { secret: auth.newDeviceSecret(), minted: true }, actor: null });
    expect((await auth.resolveToken(joined.signIn!.token)).status).toBe("valid");
    await auth.endSignIn(joined.signIn!.token);
    expect(await auth.resolveToken(joined.signIn!.token)).toEqual({ actor: null, status: "invalid" });
  });

  it("a returning device (its cookie known) looks up the code, is found, and is renamed and given role and sign-in together: 3 statements", async () => {
    const device = { secret: auth.newDeviceSecret(), minted: true };
    const first = await auth.joinWithCode({ code }, { ip: "192.0.2.11", device, actor: null });
    seen = [];
    const again = await auth.joinWithCode({ code, displayName: "Grace" }, { ip: "192.0.2.11", device: { secret: device.secret, minted: false }, actor: null });
    expect(seen).toHaveLength(3);
    const [a, b] = await Promise.all([auth.resolveToken(first.signIn!.token), auth.resolveToken(again.signIn!.token)]);
    expect(b.actor!.userId).toBe(a.actor!.userId);
    expect(b.actor!.name).toBe("Grace");
    expect([...(b.actor!.sessionRoles.get(sessionId) ?? [])]).toEqual(["attendee"]);
    expect(again.device!.secret).toBe(device.secret);
  });

  it("a wrong code costs 1 statement (look up and count) and keeps its attempt counted", async () => {
    const device = { secret: auth.newDeviceSecret(), minted: true };
    await expect(auth.joinWithCode({ code: "ZZZZ-ZZZZ" }, { ip: "192.0.2.12", device, actor: null })).rejects.toMatchObject({ code: "not_found" });
    expect(seen).toHaveLength(1);
    const count = async (ip: string) =>
      (
        await handle.db
          .select({ count: rateLimits.count })
          .from(rateLimits)
          .where(eq(rateLimits.key, `code:addr:${ip}`))
      )[0].count;
    expect(await count("192.0.2.12")).toBe(1);
    // The code of a session whose Q&A was switched off is no right code either: its attempt stays counted.
    const [off] = await handle.db
      .update(sessions)
      .set({ accessCode: newAccessCode(), qaEnabled: false })
      .where(eq(sessions.slug, "administrative-remarks"))
      .returning();
    seen = [];
    await expect(auth.joinWithCode({ code: off.accessCode }, { ip: "192.0.2.12", device, actor: null })).rejects.toMatchObject({ code: "not_found" });
    expect(seen).toHaveLength(1);
    expect(await count("192.0.2.12")).toBe(2);
  });

  it("a code that is not a code (a number, too long, missing) is told what a room code looks like", async () => {
    const device = { secret: auth.newDeviceSecret(), minted: true };
    for (const input of [{ code: 12345678 }, { code: "A".repeat(40) }, {}, { code: "ABCD-23" }]) {
      await expect(auth.joinWithCode(input, { ip: "192.0.2.14", device, actor: null })).rejects.toMatchObject({
        code: "not_found",
        message: "A room code has 8 letters and digits, like ABCD-2345.",
      });
    }
  });

  it("is all or nothing: when the sign-in cannot be written, no device person and no role are left behind", async () => {
    // The sign-in insert is made to fail (a trigger of this test's own database); the join must
    // leave nothing half done, so the phone's next try starts clean.
    await handle.db.execute(sql`create function plenary_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$`);
    await handle.db.execute(sql`create trigger plenary_test_refuse before insert on auth_sessions for each row execute function plenary_test_refuse()`);
    try {
      const before = await deviceUsers();
      const roles = async () =>
        (
          await handle.db
            .select({ n: sql<number>`count(*)::int` })
            .from(sessionRoles)
            .where(and(eq(sessionRoles.sessionId, sessionId), eq(sessionRoles.role, "attendee")))
        )[0].n;
      const rolesBefore = await roles();
      const device = { secret: auth.newDeviceSecret(), minted: true };
      await expect(auth.joinWithCode({ code }, { ip: "192.0.2.13", device, actor: null })).rejects.toThrow();
      expect(await deviceUsers()).toBe(before);
      expect(await roles()).toBe(rolesBefore);
    } finally {
      await handle.db.execute(sql`drop trigger plenary_test_refuse on auth_sessions`);
      await handle.db.execute(sql`drop function plenary_test_refuse()`);
    }
    // And once the sign-in can be written again, the same new phone gets in.
    const device = { secret: auth.newDeviceSecret(), minted: true };
    const joined = await auth.joinWithCode({ code }, { ip: "192.0.2.13", device, actor: null });
    const [row] = await handle.db
      .select({ userId: authSessions.userId })
      .from(authSessions)
      .innerJoin(users, eq(users.id, authSessions.userId))
      .where(eq(users.kind, "device"));
    expect(row).toBeDefined();
    expect((await auth.resolveToken(joined.signIn!.token)).status).toBe("valid");
  });

  it.runIf(kind === "postgres")(
    "the right code writes and waits on no limit's row: a room on one network does not queue on its address's counter",
    async () => {
      // A wrong guess from the room's address gives the address a counter row; another connection then
      // holds that row's lock, as a concurrent wrong guess does while its statement runs.
      const device = { secret: auth.newDeviceSecret(), minted: true };
      await expect(auth.joinWithCode({ code: "ZZZZ-ZZZY" }, { ip: "192.0.2.40", device, actor: null })).rejects.toMatchObject({ code: "not_found" });
      const holder = new pg.Client({ connectionString: databaseUrl });
      await holder.connect();
      try {
        await holder.query("BEGIN");
        const locked = await holder.query("SELECT count FROM rate_limits WHERE key = $1 FOR UPDATE", ["code:addr:192.0.2.40"]);
        expect(locked.rows).toEqual([{ count: 1 }]);
        const joining = auth.joinWithCode({ code }, { ip: "192.0.2.40", device: { secret: auth.newDeviceSecret(), minted: true }, actor: null });
        // Counting the right code (an upsert of that row) would wait for the lock until the rollback below.
        const outcome = await Promise.race([joining.then(() => "joined"), new Promise((r) => setTimeout(r, 10_000, "waited on the lock"))]);
        expect(outcome).toBe("joined");
      } finally {
        await holder.query("ROLLBACK");
        await holder.end();
      }
    },
  );
});
