import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions } from "../../db/schema";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson } from "../testing/people";
import { startSmtpCapture, type SmtpCapture } from "../testing/smtp";
import { startTestServer, type TestServer } from "../testing/test-server";

// Rate limits of the ways in, with the limits lowered so a test can reach them; the counting is
// the real one (database counters behind the real routes).

async function codeOf(server: TestServer, slug: string) {
  const [row] = await server.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, slug));
  return row.code!;
}

function join(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/join`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url, ...headers },
    body: JSON.stringify(body),
  });
}

describe.each(testDatabaseKinds())("room codes: the per-address limit on %s", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ withNext: true, database, auth: { codeLimits: { perDevice: 100, perAddress: 8 } } });
  });
  afterAll(async () => server?.close());

  it("parallel wrong guesses without any cookie: exactly the address's limit are evaluated, the rest are refused unread", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => (await join(server, { code: `ZZZZ-ZZ${"ABCDEFGHJK"[i % 10]}${"MNP"[Math.floor(i / 10)]}` })).status),
    );
    expect(statuses.filter((s) => s === 404)).toHaveLength(8);
    expect(statuses.filter((s) => s === 429)).toHaveLength(22);
    const refused = await join(server, { code: await codeOf(server, "fms-planning") });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited", message: expect.stringMatching(/Too many wrong codes from this network/) } });
  });

  it("without a trusted proxy, X-Forwarded-For is not believed: a spoofed header buys no fresh budget", async () => {
    const res = await join(server, { code: "ZZZZ-ZZZZ" }, { "x-forwarded-for": "198.51.100.23" });
    expect(res.status).toBe(429);
  });
});

describe.each(testDatabaseKinds())("room codes: concurrent guesses straight at the service on %s", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database, auth: { codeLimits: { perDevice: 4, perAddress: 1000 } } });
  });
  afterAll(async () => server?.close());

  it("50 wrong guesses at once from one device: 4 are looked at, 46 are refused before the code is read", async () => {
    const device = { secret: server.services.auth.newDeviceSecret(), minted: false };
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.services.auth
          .joinWithCode({ code: `ZZZZ-Z${"ABCDEFGHJK"[i % 10]}${"MNPQR"[Math.floor(i / 10)]}Z` }, { ip: "192.0.2.1", device, actor: null })
          .then(
            () => "joined",
            (err: { code?: string }) => err.code ?? "error",
          ),
      ),
    );
    expect(outcomes.filter((o) => o === "not_found")).toHaveLength(4);
    expect(outcomes.filter((o) => o === "rate_limited")).toHaveLength(46);
    // The device stays refused, even with the right code; another device on the same address is not.
    const code = await codeOf(server, "fms-planning");
    await expect(server.services.auth.joinWithCode({ code }, { ip: "192.0.2.1", device, actor: null })).rejects.toMatchObject({ code: "rate_limited" });
    const other = { secret: server.services.auth.newDeviceSecret(), minted: true };
    await expect(server.services.auth.joinWithCode({ code }, { ip: "192.0.2.1", device: other, actor: null })).resolves.toMatchObject({
      session: { slug: "fms-planning" },
    });
  });
});

describe("room codes: the limit is a sliding window", () => {
  let server: TestServer;
  // 10-minute windows start on the clock's ten minutes: begin 30 s before one such edge.
  let now = new Date("2026-05-23T09:59:30Z");
  beforeAll(async () => {
    server = await startTestServer({ auth: { clock: { now: () => now }, codeLimits: { perDevice: 100, perAddress: 3 } } });
  });
  afterAll(async () => server?.close());

  const wrong = () =>
    server.services.auth
      .joinWithCode({ code: "ZZZZ-ZZZZ" }, { ip: "198.51.100.50", device: { secret: server.services.auth.newDeviceSecret(), minted: true }, actor: null })
      .then(
        () => "joined",
        (err: { code?: string }) => err.code ?? "error",
      );

  it("gives no fresh budget at the turn of a window, and frees it as the earlier attempts age", async () => {
    expect([await wrong(), await wrong(), await wrong()]).toEqual(["not_found", "not_found", "not_found"]);
    expect(await wrong()).toBe("rate_limited");
    // Past the edge of the fixed window: the three attempts of a minute ago still count.
    now = new Date("2026-05-23T10:00:30Z");
    expect(await wrong()).toBe("rate_limited");
    // Ten minutes after them they no longer do.
    now = new Date("2026-05-23T10:10:00Z");
    expect(await wrong()).toBe("not_found");
  });
});

describe("room codes behind a trusted reverse proxy", () => {
  let server: TestServer;
  beforeAll(async () => {
    // The test's requests come from 127.0.0.1, which plays the venue's reverse proxy here.
    server = await startTestServer({
      withNext: true,
      config: { trustedProxies: ["127.0.0.1/32"] },
      auth: { codeLimits: { perDevice: 100, perAddress: 3, perIpv6Site: 6 } },
    });
  });
  afterAll(async () => server?.close());

  const wrongFrom = (client: string) => join(server, { code: "ZZZZ-ZZZZ" }, { "x-forwarded-for": client });

  it("counts per client address from X-Forwarded-For, the rightmost address that is not a trusted proxy", async () => {
    for (let i = 0; i < 3; i++) expect((await wrongFrom("203.0.113.7")).status).toBe(404);
    expect((await wrongFrom("203.0.113.7")).status).toBe(429);
    // A client cannot escape by writing its own entries to the left of the proxy's.
    expect((await wrongFrom("192.0.2.99, 203.0.113.7")).status).toBe(429);
    // Another client behind the same proxy has its own budget, and the right code still works for it.
    expect((await wrongFrom("203.0.113.8")).status).toBe(404);
    expect((await join(server, { code: await codeOf(server, "fms-planning") }, { "x-forwarded-for": "203.0.113.8" })).status).toBe(200);
  });

  it("groups IPv6 clients by /64: new interface ids in one network share its budget, another /64 does not", async () => {
    expect((await wrongFrom("2001:db8:aa:1::1")).status).toBe(404);
    expect((await wrongFrom("2001:db8:aa:1:ffff:ffff:ffff:fffe")).status).toBe(404);
    expect((await wrongFrom("2001:0db8:00aa:0001:1234::9")).status).toBe(404);
    expect((await wrongFrom("2001:db8:aa:1::77")).status).toBe(429);
    expect((await wrongFrom("2001:db8:aa:2::1")).status).toBe(404);
  });

  it("also counts IPv6 clients per /48, so hopping between the /64s of one site buys little", async () => {
    // The /48 2001:db8:aa:: has 4 wrong codes counted above (the refused one did not count there).
    expect((await wrongFrom("2001:db8:aa:3::1")).status).toBe(404);
    expect((await wrongFrom("2001:db8:aa:4::1")).status).toBe(404);
    const refused = await wrongFrom("2001:db8:aa:5::1");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited", message: expect.stringMatching(/from this network/) } });
    expect((await wrongFrom("2001:db8:bb:1::1")).status).toBe(404);
  });
});

describe("sign-in links and a slow mail server", () => {
  let smtp: SmtpCapture;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({ withNext: true, config: { smtpUrl: smtp.url } });
    await createPerson(server.services, { name: "Sol Slowmail", email: "sol@example.org" });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it("a registered address is answered without waiting for the mail server, like an unknown one, and its mail still goes", async () => {
    const csrfRes = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const cookie = csrfRes.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const ask = (email: string) =>
      fetch(`${server.url}/api/auth/signin/email`, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: server.url },
        body: new URLSearchParams({ csrfToken, email, callbackUrl: "/", json: "true" }),
      });
    const release = smtp.hold();
    try {
      const registered = await ask("sol@example.org");
      const unknown = await ask("nobody-slow@example.org");
      // Both answered while the registered address's mail is (or is about to be) stuck in the mail server.
      for (const until = Date.now() + 5000; smtp.held < 1 && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
      expect(smtp.held).toBe(1);
      expect(smtp.mails).toHaveLength(0);
      const answers = await Promise.all([registered, unknown].map(async (r) => ({ status: r.status, url: ((await r.json()) as { url: string }).url })));
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0].status).toBe(200);
      expect(new URL(answers[0].url).searchParams.get("error")).toBeNull();
    } finally {
      release();
    }
    expect((await smtp.waitFor("sol@example.org")).text).toMatch(/\/api\/auth\/callback\/email\?/);
    expect(smtp.mails).toHaveLength(1);
  });
});

describe("sign-in links", () => {
  let smtp: SmtpCapture;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({ withNext: true, config: { smtpUrl: smtp.url }, auth: { magicLinkLimits: { perEmail: 2, perAddress: 5 } } });
    await createPerson(server.services, { name: "Rhea Registered", email: "rhea@example.org" });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  /** What next-auth's browser client sends for "Email me a sign-in link". */
  async function askForLink(email: string, headers: Record<string, string> = {}) {
    const csrfRes = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const cookie = csrfRes.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const res = await fetch(`${server.url}/api/auth/signin/email`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: server.url, ...headers },
      body: new URLSearchParams({ csrfToken, email, callbackUrl: "/", json: "true" }),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      body: (await res.json()) as { url: string; error?: { code: string; message: string } },
    };
  }

  it("are throttled per address with the same answer for registered and unknown addresses", async () => {
    for (const email of ["rhea@example.org", "nobody@example.org"]) {
      for (let i = 0; i < 2; i++) {
        const ok = await askForLink(email);
        expect({ email, status: ok.status, error: new URL(ok.body.url).searchParams.get("error") }).toEqual({ email, status: 200, error: null });
      }
    }
    const registered = await askForLink("Rhea@Example.org ");
    const unknown = await askForLink("nobody@example.org");
    for (const r of [registered, unknown]) {
      expect(r.status).toBe(429);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(new URL(r.body.url).searchParams.get("error")).toBe("EmailRateLimited");
      expect(r.body.error).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/Too many sign-in links/) });
    }
    // Word for word the same refusal (only the seconds to wait may tick on between the two).
    const shown = (r: typeof registered) => ({ url: r.body.url, code: r.body.error?.code, message: r.body.error?.message });
    expect(shown(registered)).toEqual(shown(unknown));
    // The mails go after the answers: wait for both.
    for (const until = Date.now() + 10_000; smtp.mails.filter((m) => m.to.includes("rhea@example.org")).length < 2 && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 50));
    expect(smtp.mails.filter((m) => m.to.includes("rhea@example.org"))).toHaveLength(2);
    expect(smtp.mails.filter((m) => m.to.includes("nobody@example.org"))).toHaveLength(0);
  });

  it("are throttled per client address across addresses", async () => {
    // Four links went out from this address above (the refused ones did not count): one more is allowed.
    expect((await askForLink("first-new@example.org")).status).toBe(200);
    const refused = await askForLink("second-new@example.org");
    expect(refused.status).toBe(429);
    expect(new URL(refused.body.url).searchParams.get("error")).toBe("EmailRateLimited");
  });

  it("a form posted without script is sent back to the sign-in page with the reason", async () => {
    const csrfRes = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const res = await fetch(`${server.url}/api/auth/signin/email`, {
      method: "POST",
      headers: {
        cookie: csrfRes.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; "),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ csrfToken, email: "rhea@example.org", callbackUrl: "/" }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/\/signin\?error=EmailRateLimited$/);
    const page = await (await fetch(res.headers.get("location")!)).text();
    expect(page).toContain("Too many sign-in links were asked for this address or from this network.");
  });
});
