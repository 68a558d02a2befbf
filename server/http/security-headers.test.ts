import { io as connectIo } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECURE_SESSION_COOKIE } from "../auth/cookies";
import { loadConfig } from "../config";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { parseViolations } from "./csp-report";
import { createSecurityPolicy, permissionsFor } from "./security-headers";

/** The policy's directives as a map: name → sources. */
function directives(csp: string | null): Map<string, string[]> {
  expect(csp, "a Content-Security-Policy header").toBeTruthy();
  return new Map(
    csp!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

describe("the policy (pure)", () => {
  const base = { publicUrl: "https://plenary.example", dev: false, screenFrameAncestors: [] as string[] };

  it("scripts run only with this response's nonce: no unsafe-inline or unsafe-eval in production", () => {
    const h = createSecurityPolicy(base).headersFor("/", "bm9uY2U=");
    const d = directives(h["content-security-policy"]);
    expect(d.get("script-src")).toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'"]);
    expect(h["content-security-policy"]).not.toMatch(/unsafe-eval/);
    expect(d.get("script-src")).not.toContain("'unsafe-inline'");
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'none'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("form-action")).toEqual(["'self'"]);
    expect(d.get("connect-src")).toEqual(["'self'", "wss://plenary.example"]);
  });

  it("development adds eval and any websocket for hot reload; production never", () => {
    const dev = directives(createSecurityPolicy({ ...base, dev: true }).headersFor("/", "n")["content-security-policy"]);
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(dev.get("connect-src")).toContain("ws:");
  });

  it("connect-src names LiveKit (ws and http forms), form-action the OIDC issuer's origin", () => {
    const d = directives(
      createSecurityPolicy({ ...base, livekitUrl: "wss://lk.example.net:7443", oidcIssuer: "https://idp.example.org/realms/fms" }).headersFor("/signin", "n")[
        "content-security-policy"
      ],
    );
    expect(d.get("connect-src")).toEqual(["'self'", "wss://plenary.example", "wss://lk.example.net:7443", "https://lk.example.net:7443"]);
    expect(d.get("form-action")).toEqual(["'self'", "https://idp.example.org"]);
  });

  it("only the room screen may be framed, and only by the listed origins", () => {
    const policy = createSecurityPolicy({ ...base, screenFrameAncestors: ["https://stage.venue.example", "http://127.0.0.2:8080"] });
    const screen = policy.headersFor("/sessions/fms-planning/screen", "n");
    expect(directives(screen["content-security-policy"]).get("frame-ancestors")).toEqual(["https://stage.venue.example", "http://127.0.0.2:8080"]);
    expect(screen["x-frame-options"]).toBeUndefined();
    for (const path of ["/sessions/fms-planning/moderate", "/sessions/fms-planning", "/admin", "/sessions/fms-planning/screen/x"]) {
      const h = policy.headersFor(path, "n");
      expect(directives(h["content-security-policy"]).get("frame-ancestors"), path).toEqual(["'none'"]);
      expect(h["x-frame-options"], path).toBe("DENY");
    }
    const unlisted = createSecurityPolicy(base).headersFor("/sessions/fms-planning/screen", "n");
    expect(directives(unlisted["content-security-policy"]).get("frame-ancestors")).toEqual(["'none'"]);
    expect(unlisted["x-frame-options"]).toBe("DENY");
  });

  it("camera and microphone only backstage and on the session page; nothing grants geolocation, payment or USB", () => {
    expect(permissionsFor("/sessions/s/backstage")).toMatch(/camera=\(self\), microphone=\(self\)/);
    expect(permissionsFor("/sessions/s/backstage")).toMatch(/display-capture=\(self\)/);
    expect(permissionsFor("/sessions/s")).toMatch(/camera=\(self\), microphone=\(self\)/);
    expect(permissionsFor("/sessions/s")).toMatch(/display-capture=\(\)/);
    expect(permissionsFor("/check-in")).toMatch(/camera=\(self\), microphone=\(\)/);
    for (const path of ["/", "/sessions/s/moderate", "/sessions/s/panel", "/sessions/s/screen", "/admin", "/join", "/me/pass"]) {
      expect(permissionsFor(path), path).toMatch(/camera=\(\), microphone=\(\)/);
    }
    for (const path of ["/", "/sessions/s", "/sessions/s/backstage"]) {
      for (const f of ["geolocation", "payment", "usb", "serial", "hid", "bluetooth"]) expect(permissionsFor(path)).toContain(`${f}=()`);
    }
  });

  it("no referrer leaves a URL carrying a code or token", () => {
    const p = createSecurityPolicy(base);
    expect(p.headersFor("/", "n")["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(p.headersFor("/join?code=ABCD-EFGH", "n")["referrer-policy"]).toBe("no-referrer");
    expect(p.headersFor("/api/auth/callback/email?token=x&email=y", "n")["referrer-policy"]).toBe("no-referrer");
    expect(p.headersFor("/api/auth/callback/oidc?code=x&state=y", "n")["referrer-policy"]).toBe("no-referrer");
    expect(p.headersFor("/sessions/s?Token=x", "n")["referrer-policy"]).toBe("no-referrer");
  });

  it("HSTS only behind TLS", () => {
    expect(createSecurityPolicy(base).headersFor("/", "n")["strict-transport-security"]).toBe("max-age=31536000");
    expect(createSecurityPolicy({ ...base, publicUrl: "http://localhost:3000" }).headersFor("/", "n")["strict-transport-security"]).toBeUndefined();
  });

  it("SCREEN_FRAME_ANCESTORS takes origins only, and says which entry is wrong", () => {
    expect(loadConfig({ SCREEN_FRAME_ANCESTORS: "https://stage.venue.example, http://127.0.0.2:8080/" }).screenFrameAncestors).toEqual([
      "https://stage.venue.example",
      "http://127.0.0.2:8080",
    ]);
    expect(loadConfig({}).screenFrameAncestors).toEqual([]);
    expect(() => loadConfig({ SCREEN_FRAME_ANCESTORS: "https://stage.venue.example/display" })).toThrow(/SCREEN_FRAME_ANCESTORS .*origin only/);
    expect(() => loadConfig({ SCREEN_FRAME_ANCESTORS: "*" })).toThrow(/SCREEN_FRAME_ANCESTORS .*not a URL/);
    expect(() => loadConfig({ SCREEN_FRAME_ANCESTORS: "javascript:alert(1)" })).toThrow(/SCREEN_FRAME_ANCESTORS/);
  });

  it("reads both report formats down to their kind: no query, no sample", () => {
    const old = {
      "csp-report": {
        "document-uri": "http://127.0.0.1:3000/join?code=SECRET",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "script-sample": "alert('secret')",
        disposition: "enforce",
      },
    };
    expect(parseViolations(old, "http://127.0.0.1:3000")).toEqual([{ directive: "script-src-elem", blocked: "inline", disposition: "enforce", page: "/join" }]);
    const modern = [
      {
        type: "csp-violation",
        body: {
          documentURL: "http://127.0.0.1:3000/admin",
          effectiveDirective: "connect-src",
          blockedURL: "https://evil.example/x?token=1",
          disposition: "report",
        },
      },
      { type: "deprecation", body: {} },
    ];
    expect(parseViolations(modern, "http://127.0.0.1:3000")).toEqual([
      { directive: "connect-src", blocked: "https://evil.example", disposition: "report", page: "/admin" },
    ]);
    expect(parseViolations({ nonsense: true }, "http://127.0.0.1:3000")).toEqual([]);
  });
});

describe("every kind of response carries the headers", () => {
  let server: TestServer;
  const logs: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ withNext: true, logSink: (l) => logs.push(l) });
  });
  afterAll(async () => server?.close());

  const expectBaseline = (res: Response, label: string) => {
    expect(res.headers.get("x-content-type-options"), label).toBe("nosniff");
    expect(res.headers.get("x-frame-options"), label).toBe("DENY");
    expect(res.headers.get("referrer-policy"), label).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("cross-origin-opener-policy"), label).toBe("same-origin");
    expect(res.headers.get("permissions-policy"), label).toMatch(/geolocation=\(\)/);
    expect(res.headers.get("strict-transport-security"), label).toBeNull(); // plain HTTP here
    const d = directives(res.headers.get("content-security-policy"));
    expect(d.get("frame-ancestors"), label).toEqual(["'none'"]);
    expect(d.get("object-src"), label).toEqual(["'none'"]);
    expect(d.get("script-src")?.join(" "), label).not.toMatch(/unsafe/);
    return d;
  };

  it("a page: its scripts carry the nonce of its own policy, a fresh one per request", async () => {
    const first = await fetch(`${server.url}/`);
    expect(first.status).toBe(200);
    const d = expectBaseline(first, "/");
    const nonce = /'nonce-([^']+)'/.exec(d.get("script-src")!.join(" "))![1];
    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    const second = await fetch(`${server.url}/`);
    expect(second.headers.get("content-security-policy")).not.toBe(first.headers.get("content-security-policy"));
  });

  it("a nonce a client puts in its request's policy header is replaced, not used", async () => {
    const res = await fetch(`${server.url}/`, { headers: { "content-security-policy": "script-src 'nonce-attacker'" } });
    const html = await res.text();
    expect(html).not.toContain('nonce="attacker"');
    expect(res.headers.get("content-security-policy")).not.toContain("attacker");
  });

  it("a route handler, a static file, the 404 page, a plain Node route (/healthz, the webhook), engine.io", async () => {
    expectBaseline(await fetch(`${server.url}/api/agenda`), "/api/agenda");
    const html = await (await fetch(`${server.url}/`)).text();
    const asset = /\/_next\/static\/[\w./~-]+\.js/.exec(html)![0];
    const stat = await fetch(`${server.url}${asset}`);
    expect(stat.status).toBe(200);
    expectBaseline(stat, asset);
    const missing = await fetch(`${server.url}/no-such-page`);
    expect(missing.status).toBe(404);
    expectBaseline(missing, "404");
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expectBaseline(health, "/healthz");
    const webhook = await fetch(`${server.url}/api/livekit/webhook`, { method: "POST", body: "{}" });
    expect(webhook.status).toBeGreaterThanOrEqual(400);
    expectBaseline(webhook, "webhook");
    const qr = await fetch(`${server.url}/sessions/fms-planning/join-qr.svg`);
    expectBaseline(qr, "qr");
    const polling = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.headers.get("x-content-type-options")).toBe("nosniff");
    expect(polling.headers.get("x-frame-options")).toBe("DENY");
  });

  it("the session page and backstage may use camera and microphone; the console and admin may not", async () => {
    const session = await fetch(`${server.url}/sessions/conversation-with-asd-acquisition`);
    expect(session.headers.get("permissions-policy")).toMatch(/camera=\(self\), microphone=\(self\)/);
    const moderate = await fetch(`${server.url}/sessions/conversation-with-asd-acquisition/moderate`, { redirect: "manual" });
    expect(moderate.headers.get("permissions-policy")).toMatch(/camera=\(\), microphone=\(\)/);
    const admin = await fetch(`${server.url}/admin`, { redirect: "manual" });
    expect(admin.headers.get("permissions-policy")).toMatch(/camera=\(\), microphone=\(\)/);
    expect(admin.headers.get("x-frame-options")).toBe("DENY");
  });

  it("a join link with its code sends no referrer", async () => {
    const res = await fetch(`${server.url}/join?code=ABCD-EFGH`);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("violation reports are logged by kind (no query, no sample), and rate-limited per client", async () => {
    const report = JSON.stringify({
      "csp-report": {
        "document-uri": `${server.url}/join?code=SECRET-CODE`,
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "script-sample": "steal('secret')",
      },
    });
    const send = () => fetch(`${server.url}/api/csp-report`, { method: "POST", headers: { "content-type": "application/csp-report" }, body: report });
    const first = await send();
    expect(first.status).toBe(204);
    expectBaseline(first, "csp-report");
    const line = logs.find((l) => l.includes("content security policy violation"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ directive: "script-src-elem", blocked: "inline", page: "/join", disposition: "enforce" });
    expect(logs.join("\n")).not.toMatch(/SECRET-CODE|steal/);

    const statuses: number[] = [first.status];
    for (let i = 0; i < 25; i++) statuses.push((await send()).status);
    expect(statuses).toContain(429);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    // Only what was accepted reached the log.
    const logged = logs.filter((l) => l.includes("content security policy violation")).length;
    expect(logged).toBe(statuses.filter((s) => s === 204).length);

    const bad = await fetch(`${server.url}/api/csp-report`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "10.9.9.9" },
      body: "{not json",
    });
    expect([400, 429]).toContain(bad.status);
  });

  it("sockets still connect with the policy on", async () => {
    const socket = connectIo(server.url, { transports: ["websocket"], extraHeaders: { origin: server.url } });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    socket.close();
  });
});

describe("behind TLS and with a venue allowed to frame the screen", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ withNext: true, config: { publicUrl: "https://plenary.example", screenFrameAncestors: ["https://stage.venue.example"] } });
  });
  afterAll(async () => server?.close());

  it("Strict-Transport-Security on pages, routes and /healthz; the screen alone names the venue", async () => {
    for (const path of ["/", "/api/agenda", "/healthz", "/no-such-page"]) {
      expect((await fetch(`${server.url}${path}`)).headers.get("strict-transport-security"), path).toBe("max-age=31536000");
    }
    const staff = await createPerson(server.services, { name: "Stage Manager", email: "stage@example.org", organizer: true });
    const screen = await fetch(`${server.url}/sessions/fms-planning/screen`, {
      headers: { cookie: `${SECURE_SESSION_COOKIE}=${staff.token}` },
      redirect: "manual",
    });
    expect(screen.status).toBe(200);
    expect(directives(screen.headers.get("content-security-policy")).get("frame-ancestors")).toEqual(["https://stage.venue.example"]);
    expect(screen.headers.get("x-frame-options")).toBeNull();
    const moderate = await fetch(`${server.url}/sessions/fms-planning/moderate`, { redirect: "manual" });
    expect(directives(moderate.headers.get("content-security-policy")).get("frame-ancestors")).toEqual(["'none'"]);
    expect(moderate.headers.get("x-frame-options")).toBe("DENY");
    expect(directives(screen.headers.get("content-security-policy")).get("connect-src")).toContain("wss://plenary.example");
  });
});
