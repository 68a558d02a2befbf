import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AckResult } from "../../lib/realtime/contract";
import { AppError } from "../errors";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPostgresDatabase, testRedisUrl } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { RateLimiter } from "./rate-limit";

const redisUrl = testRedisUrl();

async function outcomes(limiter: RateLimiter, key: string, n: number, rule = { capacity: 5, perSecond: 1 }): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await limiter.take(key, rule);
      out.push("ok");
    } catch (err) {
      out.push(AppError.is(err) ? err.code : "thrown");
    }
  }
  return out;
}

describe("rate limits (rate-limiter-flexible)", () => {
  it("in memory: a burst of `capacity`, then rate_limited with a retry time a person can act on", async () => {
    const limiter = new RateLimiter();
    const key = `memory-${randomUUID()}`;
    expect(await outcomes(limiter, key, 7)).toEqual(["ok", "ok", "ok", "ok", "ok", "rate_limited", "rate_limited"]);
    const refusal = await limiter.take(key, { capacity: 5, perSecond: 1 }).catch((e: AppError) => e);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).details?.retryAfterMs).toBeGreaterThan(0);
    expect((refusal as AppError).message).toMatch(/Try again in \d+ s/);
    expect((refusal as AppError).details?.retryAfterMs).toBeLessThanOrEqual(1000);
    // Another person, or another action, has its own budget.
    expect(await outcomes(limiter, `${key}-other`, 1)).toEqual(["ok"]);
  });

  it("after the burst, the sustained rate still gets through: perSecond a second", async () => {
    const limiter = new RateLimiter();
    const key = `sustained-${randomUUID()}`;
    expect(await outcomes(limiter, key, 6)).toEqual(["ok", "ok", "ok", "ok", "ok", "rate_limited"]);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await outcomes(limiter, key, 2)).toEqual(["ok", "rate_limited"]);
  });

  describe.skipIf(!redisUrl)("on one Redis", () => {
    const clients: Array<ReturnType<typeof createClient>> = [];
    afterAll(async () => {
      for (const c of clients) await c.quit().catch(() => {});
    });

    it("two limiters (two instances' worth, each with its own connection) give a person one budget, not two", async () => {
      const [a, b] = await Promise.all(
        [0, 1].map(async () => {
          const c = createClient({ url: redisUrl });
          clients.push(c);
          await c.connect();
          return new RateLimiter({ redis: c, prefix: `test-${randomUUID()}` });
        }),
      );
      // Same prefix for both, as two instances of one deployment have.
      const prefix = `test-${randomUUID()}`;
      const one = new RateLimiter({ redis: clients[0], prefix });
      const two = new RateLimiter({ redis: clients[1], prefix });
      const key = `person-${randomUUID()}:question:vote`;
      const first = await outcomes(one, key, 3);
      const second = await outcomes(two, key, 4);
      expect([...first, ...second]).toEqual(["ok", "ok", "ok", "ok", "ok", "rate_limited", "rate_limited"]);
      // Deployments with different prefixes do not share.
      expect(await outcomes(a, key, 1)).toEqual(["ok"]);
      expect(await outcomes(b, key, 1)).toEqual(["ok"]);
    });
  });
});

describe.skipIf(!redisUrl || !process.env.TEST_DATABASE_URL)("a person spread over two instances on one Redis", () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    const db = await createPostgresDatabase();
    drop = db.drop;
    const opts = { database: { databaseUrl: db.url }, config: { redisUrl } };
    a = await startTestServer(opts);
    b = await startTestServer(opts);
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it("gets one command budget across both, not one per instance", async () => {
    const person = await createPerson(a.services, { name: "Rita Ratelimit", email: `rita-${randomUUID()}@example.org` });
    const onA = await connectClient(a.url, { origin: a.url, cookie: person.cookie });
    const onB = await connectClient(b.url, { origin: b.url, cookie: person.cookie });
    sockets.push(onA, onB);
    // A payload the schema refuses: the limit is taken before parsing, so each costs one from the
    // budget (question:submit: 10 in a burst) and changes nothing.
    const send = (s: TestSocket) =>
      new Promise<string>((resolve) =>
        (s as unknown as { emit(e: string, p: unknown, cb: (r: AckResult<unknown>) => void): void }).emit("question:submit", { nonsense: true }, (r) =>
          resolve(r.ok ? "ok" : r.error.code),
        ),
      );
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) codes.push(await send(onA), await send(onB));
    expect(codes).not.toContain("ok");
    expect(codes.filter((c) => c !== "rate_limited")).toHaveLength(10);
    expect(codes.slice(10)).toEqual(Array(6).fill("rate_limited"));
    expect(a.services.limiter.shared && b.services.limiter.shared).toBe(true);
  });
});
