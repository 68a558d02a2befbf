import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authSessions, rateLimits, sessions } from "../../db/schema";
import { connectClient } from "../testing/clients";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { DEVICE_COOKIE, SECURE_SESSION_COOKIE, SESSION_COOKIE, parseCookieHeader } from "./cookies";
import { CODE_LIMITS } from "./service";
import { formatAccessCode } from "./tokens";
import { startsInTest } from "../testing/timeouts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ withNext: true });
});
afterAll(async () => server?.close());

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("socket handshake authentication", () => {
  it("without TLS accepts the plain cookie name only; a __Host- cookie cannot exist there and is not read", async () => {
    const p = await createPerson(server.services, { name: "Cookie Person", email: "cookie@example.org" });
    const plain = await connectClient(server.url, { cookie: `${SESSION_COOKIE}=${p.token}` });
    expect(await plain.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { signedIn: true, can: { ask: true } } });
    plain.close();
    const prefixed = await connectClient(server.url, { cookie: `${SECURE_SESSION_COOKIE}=${p.token}` });
    expect(await prefixed.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { signedIn: false } });
    prefixed.close();
  });

  it(
    "refuses a forged token, a token from another server, and an expired one",
    async () => {
      await expect(connectClient(server.url, { cookie: `${SESSION_COOKIE}=forged-${"x".repeat(40)}` })).rejects.toThrow(/not valid/);
      const other = await startTestServer();
      const foreign = await createPerson(other.services, { name: "Foreigner", email: "f@example.org" });
      await other.close();
      await expect(connectClient(server.url, { cookie: foreign.cookie })).rejects.toThrow(/not valid/);

      const p = await createPerson(server.services, { name: "Expired Person", email: "expired@example.org" });
      await server.services.db
        .update(authSessions)
        .set({ expires: new Date(Date.now() - 1000) })
        .where(eq(authSessions.userId, p.userId));
      await expect(connectClient(server.url, { cookie: p.cookie })).rejects.toThrow(/expired/);
    },
    startsInTest(1),
  );

  it("refuses a handshake from another origin even with a valid cookie", async () => {
    const p = await createPerson(server.services, { name: "Origin Person", email: "origin@example.org" });
    await expect(connectClient(server.url, { cookie: p.cookie, origin: "https://evil.example" })).rejects.toThrow();
  });

  it("signing out through next-auth disconnects that browser's sockets within seconds; the next handshake is refused", async () => {
    const p = await createPerson(server.services, { name: "Leaving Person", email: "leaving@example.org" });
    const s = await connectClient(server.url, { cookie: p.cookie });
    let told: string | null = null;
    s.on("viewer:changed", ({ reason }) => (told = reason));
    let disconnected = false;
    s.on("disconnect", () => (disconnected = true));

    const csrfRes = await fetch(`${server.url}/api/auth/csrf`, { headers: { cookie: p.cookie } });
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const csrfCookie = [
      ...parseCookieHeader(
        csrfRes.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; "),
      ),
    ]
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
    const started = Date.now();
    const res = await fetch(`${server.url}/api/auth/signout`, {
      method: "POST",
      headers: { cookie: `${p.cookie}; ${csrfCookie}`, "content-type": "application/x-www-form-urlencoded", origin: server.url },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/", json: "true" }),
      redirect: "manual",
    });
    expect(res.status).toBeLessThan(400);
    await waitFor(() => disconnected, 3000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(told).toBe("signed_out");
    await expect(connectClient(server.url, { cookie: p.cookie })).rejects.toThrow(/not valid/);
  });

  it("losing a role disconnects the person's sockets; on reconnect the server sees the new roles", async () => {
    const org = await createPerson(server.services, { name: "Org", email: "org2@example.org", organizer: true });
    const mod = await createPerson(server.services, {
      name: "Former Moderator",
      email: "former@example.org",
      roles: [{ slug: "fms-planning", role: "moderator" }],
    });
    const s = await connectClient(server.url, { cookie: mod.cookie });
    expect(await s.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { can: { moderate: true } } });
    let disconnected = false;
    s.on("disconnect", () => (disconnected = true));
    const res = await fetch(`${server.url}/api/admin/sessions/fms-planning/roles`, {
      method: "POST",
      headers: { cookie: org.cookie, origin: server.url, "content-type": "application/json" },
      body: JSON.stringify({ email: "former@example.org", role: "moderator", grant: false }),
    });
    expect(res.status).toBe(200);
    await waitFor(() => disconnected, 3000);
    const again = await connectClient(server.url, { cookie: mod.cookie });
    expect(await again.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { can: { moderate: false, ask: true } } });
    again.close();
  });
});

describe("joining in the room with a code", () => {
  async function codeOf(slug: string) {
    const [row] = await server.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, slug));
    return row.code!;
  }
  function join(body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${server.url}/api/join`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url, ...headers },
      body: JSON.stringify(body),
    });
  }

  it("every Q&A session has an 8-character code; sessions without Q&A have none", async () => {
    const rows = await server.services.db.select({ slug: sessions.slug, qa: sessions.qaEnabled, code: sessions.accessCode }).from(sessions);
    for (const r of rows) {
      if (r.qa) expect(r.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      else expect(r.code).toBeNull();
    }
    expect(new Set(rows.filter((r) => r.code).map((r) => r.code)).size).toBe(rows.filter((r) => r.code).length);
  });

  it("the right code (typed loosely) signs the device in as an in-room attendee of that session, and keeps its identity", async () => {
    const code = await codeOf("fms-planning");
    const res = await join({ code: formatAccessCode(code).toLowerCase(), displayName: "  Jo  " });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ redirect: "/sessions/fms-planning" });
    const cookies = new Map(res.headers.getSetCookie().map((c) => c.split(";")[0].split("=") as [string, string]));
    expect(cookies.has(SESSION_COOKIE)).toBe(true);
    expect(res.headers.getSetCookie().every((c) => /HttpOnly/.test(c) && /SameSite=Lax/.test(c))).toBe(true);
    const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");

    const s = await connectClient(server.url, { cookie: cookieHeader });
    expect(await s.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { can: { ask: true, moderate: false } } });
    // A code is for its own session only.
    expect(await s.emitWithAck("session:join", { slug: "fms-case-development" })).toMatchObject({ ok: true, data: { can: { ask: false } } });
    s.close();

    const { actor } = await server.services.auth.resolveToken(cookies.get(SESSION_COOKIE));
    expect(actor).toMatchObject({ kind: "device", name: "Jo", attendanceMode: "in_person" });
    // Joining another session from the same device keeps the same person (one vote per device).
    const second = await join({ code: await codeOf("fms-case-development") }, { cookie: cookieHeader });
    const token2 = new Map(second.headers.getSetCookie().map((c) => c.split(";")[0].split("=") as [string, string])).get(SESSION_COOKIE);
    expect((await server.services.auth.resolveToken(token2)).actor?.userId).toBe(actor!.userId);
  });

  it("the join answers outside Next as every route does: its refusals, its methods and the security headers", async () => {
    const code = await codeOf("fms-planning");
    // Another site's page cannot join a visitor's browser to a session.
    const crossSite = await join({ code }, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: { code: "cross_site" } });
    expect(crossSite.headers.getSetCookie()).toEqual([]);
    // A body that is not labelled JSON (a form, or JSON sent as text/plain, which another site's page
    // can send without the browser asking first) is refused and signs no one in.
    for (const [type, body] of [
      ["application/x-www-form-urlencoded", `code=${code}`],
      ["text/plain", JSON.stringify({ code })],
      [undefined, JSON.stringify({ code })],
    ] as const) {
      const unlabelled = await fetch(`${server.url}/api/join`, {
        method: "POST",
        headers: { origin: server.url, ...(type ? { "content-type": type } : {}) },
        body,
      });
      expect(unlabelled.status).toBe(415);
      expect(await unlabelled.json()).toMatchObject({
        error: { code: "unsupported_media_type", message: "Send the request body as JSON, with the header Content-Type: application/json." },
      });
      expect(unlabelled.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
    }
    // A body that is not JSON, or too large to be a code and a name, is refused and says why.
    const notJson = await fetch(`${server.url}/api/join`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/json; charset=utf-8" },
      body: "code=ABCD2345",
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "invalid_payload", message: "The request body is not valid JSON." } });
    // A misspelt field is named rather than dropped (the name would silently go missing), and a body
    // that is not an object says what a join is; neither signs anyone in nor counts as a wrong code.
    const limitRows = () => server.services.db.select().from(rateLimits);
    const before = await limitRows();
    const typo = await join({ code, name: "Jo" });
    expect(typo.status).toBe(400);
    expect(await typo.json()).toMatchObject({
      error: { code: "invalid_payload", message: 'A join has only the fields "code" and "displayName"; remove "name".' },
    });
    expect(typo.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
    const list = await join([code]);
    expect(list.status).toBe(400);
    expect(await list.json()).toMatchObject({ error: { code: "invalid_payload", message: expect.stringContaining('the room code in "code"') } });
    expect(await limitRows()).toEqual(before);
    const huge = await join({ code, displayName: "x".repeat(5000) });
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ error: { code: "invalid_payload", message: "The request is too large (at most 2048 bytes)." } });
    // Joining is a POST; anything else is told so, with the method to use.
    const get = await fetch(`${server.url}/api/join`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(await get.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    // The answer carries the same browser defences as every page and route.
    const ok = await join({ code });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^application\/json/);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    expect(ok.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(ok.headers.getSetCookie()).toHaveLength(2);
  });

  /** The cookies a response sets, as a Cookie header (the way a browser keeps them). */
  function cookieJar(res: Response, jar = new Map<string, string>()) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return { jar, header: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
  }
  async function deviceCount(): Promise<number> {
    const count = await server.services.db.execute(sql`SELECT count(*)::int AS n FROM users WHERE kind = 'device'`);
    return (count as { rows: Array<{ n: number }> }).rows[0].n;
  }

  it("a wrong code is refused with a clear message; a typo-prone phone is throttled on its own, not its neighbours on the same network", async () => {
    const devicesBefore = await deviceCount();
    // A phone's first try, wrong: refused, and it gets its device cookie anyway.
    const wrong = await join({ code: "ZZZZ-ZZZZ" });
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ error: { code: "not_found", message: expect.stringMatching(/does not match any session/) } });
    const phone = cookieJar(wrong);
    expect(phone.jar.has(DEVICE_COOKIE)).toBe(true);
    expect(phone.jar.has(SESSION_COOKIE)).toBe(false);
    const malformed = await join({ code: "12" }, { cookie: phone.header() });
    expect(await malformed.json()).toMatchObject({ error: { message: expect.stringMatching(/8 letters and digits/) } });
    for (let i = 2; i < CODE_LIMITS.perDevice; i++) expect((await join({ code: "ZZZZ-ZZZ" + "ABCDEFGH"[i % 8] }, { cookie: phone.header() })).status).toBe(404);
    // Past its limit the phone is refused even with the right code.
    const throttled = await join({ code: await codeOf("fms-planning") }, { cookie: phone.header() });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await throttled.json()).toMatchObject({ error: { code: "rate_limited", message: expect.stringMatching(/Too many wrong codes from this device/) } });
    // It keeps trying; the phone next to it, on the same address, still joins in one step.
    for (let i = 0; i < 10; i++) expect((await join({ code: "ZZZZ-ZZZZ" }, { cookie: phone.header() })).status).toBe(429);
    const neighbour = await join({ code: await codeOf("fms-planning") });
    expect(neighbour.status).toBe(200);
    // So does a neighbour who made one typo first.
    const typo = await join({ code: "ZZZZ-ZZZZ" });
    expect(typo.status).toBe(404);
    expect((await join({ code: await codeOf("fms-planning") }, { cookie: cookieJar(typo).header() })).status).toBe(200);
    expect(await deviceCount()).toBe(devicesBefore + 2);
  });

  it("someone signed in as a registered participant keeps their sign-in: the code only sends them to the session", async () => {
    const p = await createPerson(server.services, { name: "Rita Registered", email: "rita@example.org", roles: [{ slug: "fms-planning", role: "moderator" }] });
    const devicesBefore = await deviceCount();
    const res = await join({ code: await codeOf("fms-planning"), displayName: "Someone Else" }, { cookie: p.cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ session: { slug: "fms-planning" }, redirect: "/sessions/fms-planning" });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await server.services.auth.resolveToken(p.token)).actor).toMatchObject({ userId: p.userId, kind: "person", name: "Rita Registered" });
    expect(await deviceCount()).toBe(devicesBefore);
    const s = await connectClient(server.url, { cookie: p.cookie });
    expect(await s.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { signedIn: true, can: { moderate: true } } });
    s.close();
    // A wrong code is still a wrong code.
    expect((await join({ code: "ZZZZ-ZZZZ" }, { cookie: p.cookie })).status).toBe(404);
  });
});

describe("behind TLS (an https PUBLIC_URL)", () => {
  let tls: TestServer;
  beforeAll(async () => {
    tls = await startTestServer({ withNext: true, config: { publicUrl: "https://plenary.example" } });
  });
  afterAll(async () => tls?.close());

  it("only the __Host- cookie name signs anyone in, on sockets and over HTTP", async () => {
    const p = await createPerson(tls.services, { name: "Tess Tls", email: "tess@example.org", organizer: true });
    const prefixed = await connectClient(tls.url, { cookie: `${SECURE_SESSION_COOKIE}=${p.token}` });
    expect(await prefixed.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { signedIn: true } });
    prefixed.close();
    const plain = await connectClient(tls.url, { cookie: `${SESSION_COOKIE}=${p.token}` });
    expect(await plain.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: true, data: { signedIn: false } });
    plain.close();

    expect((await fetch(`${tls.url}/api/admin/audit`, { headers: { cookie: `${SECURE_SESSION_COOKIE}=${p.token}` } })).status).toBe(200);
    const refused = await fetch(`${tls.url}/api/admin/audit`, { headers: { cookie: `${SESSION_COOKIE}=${p.token}` } });
    expect(refused.status).toBe(401);
    const page = await fetch(`${tls.url}/admin`, { headers: { cookie: `${SESSION_COOKIE}=${p.token}` }, redirect: "manual" });
    expect(page.headers.get("location")).toMatch(/\/signin\?callbackUrl=/);
    expect((await fetch(`${tls.url}/admin`, { headers: { cookie: `${SECURE_SESSION_COOKIE}=${p.token}` }, redirect: "manual" })).status).toBe(200);
  });

  it("a room-code join sets Secure, HttpOnly, SameSite=Lax, __Host- cookies (Path=/, no Domain)", async () => {
    const [row] = await tls.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, "fms-planning"));
    const res = await fetch(`${tls.url}/api/join`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://plenary.example" },
      body: JSON.stringify({ code: row.code }),
    });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    expect(cookies.map((c) => c.split("=")[0]).sort()).toEqual(["__Host-next-auth.session-token", "__Host-plenary-device"]);
    for (const c of cookies) {
      expect(c).toMatch(/; Secure(;|$)/);
      expect(c).toMatch(/; HttpOnly(;|$)/);
      expect(c).toMatch(/; SameSite=Lax(;|$)/);
      expect(c).toMatch(/; Path=\/(;|$)/);
      expect(c).not.toMatch(/Domain=/i);
    }
  });

  it("next-auth's cookies are __Host- too: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain", async () => {
    const res = await fetch(`${tls.url}/api/auth/csrf`);
    const cookies = res.headers.getSetCookie();
    expect(cookies.map((c) => c.split("=")[0]).sort()).toEqual(["__Host-next-auth.callback-url", "__Host-next-auth.csrf-token"]);
    for (const c of cookies) {
      expect(c).toMatch(/; Secure(;|$)/);
      expect(c).toMatch(/; HttpOnly(;|$)/);
      expect(c).toMatch(/; SameSite=Lax(;|$)/i);
      expect(c).toMatch(/; Path=\/(;|$)/);
      expect(c).not.toMatch(/Domain=/i);
    }
  });
});

describe("magic links", () => {
  it(
    "expire: an old link signs nobody in",
    async () => {
      const { startSmtpCapture } = await import("../testing/smtp");
      const smtp = await startSmtpCapture();
      const srv = await startTestServer({ withNext: true, config: { smtpUrl: smtp.url } });
      try {
        await createPerson(srv.services, { name: "Late Reader", email: "late@example.org" });
        const csrfRes = await fetch(`${srv.url}/api/auth/csrf`);
        const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
        const cookie = csrfRes.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; ");
        await fetch(`${srv.url}/api/auth/signin/email`, {
          method: "POST",
          headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ csrfToken, email: "late@example.org", callbackUrl: "/", json: "true" }),
        });
        const mail = await smtp.waitFor("late@example.org");
        const link = /https?:\/\/\S+/.exec(mail.text)![0];
        await srv.services.db.execute(sql`UPDATE verification_tokens SET expires = now() - interval '1 minute'`);
        const res = await fetch(link, { redirect: "manual" });
        expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`) && !c.includes("Max-Age=0"))).toBe(false);
        const errorPage = await fetch(new URL(res.headers.get("location")!, srv.url), { redirect: "manual" });
        expect(errorPage.headers.get("location")).toMatch(/\/signin\?error=Verification/);
      } finally {
        await srv.close();
        await smtp.close();
      }
    },
    startsInTest(1),
  );

  it(
    "expired links are deleted by the sweep; links still in their 10 minutes are kept",
    async () => {
      const { startSmtpCapture } = await import("../testing/smtp");
      const smtp = await startSmtpCapture();
      const srv = await startTestServer({ withNext: true, config: { smtpUrl: smtp.url } });
      try {
        await createPerson(srv.services, { name: "Old Link", email: "old-link@example.org" });
        await createPerson(srv.services, { name: "New Link", email: "new-link@example.org" });
        for (const email of ["old-link@example.org", "new-link@example.org", "unknown-link@example.org"]) {
          const csrfRes = await fetch(`${srv.url}/api/auth/csrf`);
          const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
          const res = await fetch(`${srv.url}/api/auth/signin/email`, {
            method: "POST",
            headers: {
              cookie: csrfRes.headers
                .getSetCookie()
                .map((c) => c.split(";")[0])
                .join("; "),
              "content-type": "application/x-www-form-urlencoded",
            },
            body: new URLSearchParams({ csrfToken, email, callbackUrl: "/", json: "true" }),
          });
          expect(res.status).toBe(200);
        }
        const identifiers = async () => {
          const res = await srv.services.db.execute(sql`SELECT identifier FROM verification_tokens ORDER BY identifier`);
          return (res as { rows: Array<{ identifier: string }> }).rows.map((r) => r.identifier);
        };
        expect(await identifiers()).toEqual(["new-link@example.org", "old-link@example.org", "unknown-link@example.org"]);
        await srv.services.db.execute(sql`UPDATE verification_tokens SET expires = now() - interval '1 second' WHERE identifier <> 'new-link@example.org'`);
        await srv.services.auth.deleteExpired();
        expect(await identifiers()).toEqual(["new-link@example.org"]);
      } finally {
        await srv.close();
        await smtp.close();
      }
    },
    startsInTest(1),
  );
});
