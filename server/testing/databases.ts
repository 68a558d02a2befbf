import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The databases a database test runs on: PGlite always, and a real Postgres server when
 * TEST_DATABASE_URL is set (scripts/test.sh starts one). With REQUIRE_POSTGRES=1 (npm test, CI) a
 * missing server is an error, never a silent skip.
 */
export function testDatabaseKinds(): Array<"pglite" | "postgres"> {
  if (process.env.TEST_DATABASE_URL) return ["pglite", "postgres"];
  if (process.env.REQUIRE_POSTGRES === "1") {
    throw new Error("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: start Postgres with scripts/services.sh");
  }
  return ["pglite"];
}

/** A fresh, empty Postgres database on the test server; `drop()` removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error("TEST_DATABASE_URL is not set");
  const name = `plenary_t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The Redis server for scale-out tests (TEST_REDIS_URL); with REQUIRE_REDIS=1 a missing one is an error. */
export function testRedisUrl(): string | undefined {
  if (process.env.TEST_REDIS_URL) return process.env.TEST_REDIS_URL;
  if (process.env.REQUIRE_REDIS === "1") throw new Error("REQUIRE_REDIS=1 but TEST_REDIS_URL is not set: start Redis with scripts/services.sh");
  return undefined;
}
