import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newClientKey } from "../../lib/qa";
import type { AckResult, SessionJoined } from "../../lib/realtime/contract";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { projectRoot } from "../app";
import { formatAccessCode } from "./tokens";

let server: TestServer;
let people: Record<string, TestPerson | null>;
const DAY1 = "fms-planning";
/** A streamed Day 2 session: every staff page (backstage included) applies to it. */
const DAY2 = "defense-industry-perspectives";

async function auditCount(action?: string): Promise<number> {
  const res = await server.services.db.execute(
    action
      ? sql`SELECT count(*)::int AS n FROM audit_log WHERE outcome = 'refused' AND action = ${action}`
      : sql`SELECT count(*)::int AS n FROM audit_log WHERE outcome = 'refused'`,
  );
  return (res as { rows: Array<{ n: number }> }).rows[0].n;
}

function http(path: string, who: TestPerson | null, init: { method?: string; body?: unknown; origin?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (who) headers.cookie = who.cookie;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.origin !== null) headers.origin = init.origin ?? server.url;
  return fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    redirect: "manual",
  });
}

function emit<T>(socket: TestSocket, event: string, payload: unknown): Promise<AckResult<T>> {
  return new Promise((resolve) => (socket as unknown as { emit(e: string, p: unknown, cb: (r: AckResult<T>) => void): void }).emit(event, payload, resolve));
}

beforeAll(async () => {
  // During Day 1: the room device below is an attendee of DAY1 only while it runs (its attendance is erased when it ends).
  server = await startTestServer({ withNext: true, now: "2024-05-23T10:00:00-04:00" });
  const app = server.services;
  people = {
    anonymous: null,
    device: await createPerson(app, { name: "Room Device", kind: "device", attendanceMode: "in_person", roles: [{ slug: DAY1, role: "attendee" }] }),
    attendee: await createPerson(app, { name: "Remote Attendee", email: "remote@example.org", affiliation: "Embassy" }),
    panelist: await createPerson(app, {
      name: "Pat Panelist",
      email: "panelist@example.org",
      roles: [
        { slug: DAY1, role: "panelist" },
        { slug: DAY2, role: "panelist" },
      ],
    }),
    moderator: await createPerson(app, {
      name: "Mo Moderator",
      email: "moderator@example.org",
      roles: [
        { slug: DAY1, role: "moderator" },
        { slug: DAY2, role: "moderator" },
      ],
    }),
    organizer: await createPerson(app, { name: "Olga Organizer", email: "organizer@example.org", organizer: true }),
  };
  await createPerson(app, { name: "Future Moderator", email: "future@example.org" });
});
afterAll(async () => server?.close());

const roles = ["anonymous", "device", "attendee", "panelist", "moderator", "organizer"] as const;

describe("role × action matrix over HTTP", () => {
  const cases: Array<{ name: string; allowed: (typeof roles)[number][]; run: (who: TestPerson | null) => Promise<Response>; audit: string }> = [
    {
      name: "edit an agenda item",
      allowed: ["organizer"],
      audit: "agenda:edit",
      run: (who) =>
        http(`/api/admin/sessions/${DAY1}`, who, { method: "PATCH", body: { patch: { title: "FMS Planning: Understanding Partner Nation Needs" } } }),
    },
    {
      name: "assign a moderator",
      allowed: ["organizer"],
      audit: "roles:manage",
      run: (who) => http(`/api/admin/sessions/${DAY1}/roles`, who, { method: "POST", body: { email: "future@example.org", role: "moderator", grant: false } }),
    },
    {
      name: "preview a participants import",
      allowed: ["organizer"],
      audit: "participants:import",
      run: (who) => http(`/api/admin/import`, who, { method: "POST", body: { csv: "name,email\nA,a@example.org\n" } }),
    },
    { name: "read the audit log", allowed: ["organizer"], audit: "audit:read", run: (who) => http(`/api/admin/audit`, who) },
    {
      name: "get the room's join QR code",
      allowed: ["panelist", "moderator", "organizer"],
      audit: "screen:view",
      run: (who) => http(`/sessions/${DAY1}/join-qr.svg`, who),
    },
  ];

  for (const c of cases) {
    it(`${c.name}: only ${c.allowed.join(", ")}`, async () => {
      for (const role of roles) {
        const before = await auditCount(c.audit);
        const versionBefore = (await server.services.agenda.get(DAY1)).version;
        const res = await c.run(people[role]);
        if (c.allowed.includes(role)) {
          expect({ role, status: res.status }).toEqual({ role, status: 200 });
        } else {
          const expectedStatus = role === "anonymous" ? 401 : 403;
          expect({ role, status: res.status }).toEqual({ role, status: expectedStatus });
          const body = (await res.json()) as { error: { code: string; message: string } };
          expect(body.error.code).toBe(role === "anonymous" ? "unauthenticated" : "forbidden");
          expect(body.error.message).toMatch(/organizers|Sign in/);
          expect(await auditCount(c.audit)).toBe(before + 1);
          expect((await server.services.agenda.get(DAY1)).version).toBe(versionBefore);
        }
      }
    });
  }
});

/**
 * Pages, requested the way a browser loads them (HTML) and the way the client router navigates
 * (an RSC request that says which layouts the browser already has, so Next renders only the page).
 * A page must refuse on its own, and nothing it would have shown may be in a refusal's body.
 */
describe("role × page matrix over HTTP", () => {
  const AUDIT_MARKER = "Marker Auditor 7Q";
  let codes: { day1: string; day2: string };
  /** What the pages show that only their audience may see. */
  let secrets: string[];

  beforeAll(async () => {
    const app = server.services;
    const day1 = (await app.agenda.findRow(DAY1))!.accessCode!;
    const day2 = (await app.agenda.findRow(DAY2))!.accessCode!;
    codes = { day1: formatAccessCode(day1), day2: formatAccessCode(day2) };
    await app.audit.record({ actor: null, systemLabel: AUDIT_MARKER, action: "marker:probe", outcome: "ok" });
    secrets = [day1, day2, codes.day1, codes.day2, "future@example.org", "moderator@example.org", "panelist@example.org", AUDIT_MARKER];
  });

  /** Every page under app/admin, found on disk, so a new console page is in this matrix from its first commit. */
  function adminPages(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === "page.tsx") found.push("/" + path.relative(path.join(projectRoot, "app"), dir).split(path.sep).join("/"));
      }
    };
    walk(path.join(projectRoot, "app", "admin"));
    return found.map((p) => p.replace("[slug]", DAY1)).sort();
  }

  /** What the organizer must see on each console page (proves the refusals below hide something real). */
  const organizerSees: Record<string, () => string[]> = {
    "/admin": () => [codes.day1, codes.day2],
    "/admin/participants": () => ["future@example.org"],
    "/admin/audit": () => [AUDIT_MARKER],
    "/admin/import": () => [],
    "/admin/branding": () => ["Branding"],
    "/admin/feedback": () => ["Session feedback"],
    "/admin/report": () => ["Post-event report", "fewer than 3"],
    [`/admin/sessions/${DAY1}`]: () => [codes.day1, "moderator@example.org"],
  };

  type Segment = string | [string, string, string, null];
  type Tree = [Segment, Record<string, Tree>];
  const routerTree = (segments: Segment[]): Tree => segments.reduceRight<Tree>((child, segment) => [segment, { children: child }], ["__PAGE__", {}]);
  /** The router state of a browser on `/admin/import` (or on `/admin` when that is the target). */
  const adminTree = (target: string) => (target === "/admin/import" ? routerTree(["", "admin"]) : routerTree(["", "admin", "import"]));
  /** The router state of a browser on the public session page. */
  const sessionTree = () => routerTree(["", "sessions", ["slug", DAY2, "d", null]]);

  async function page(pathname: string, who: TestPerson | null, tree?: Tree): Promise<{ status: number; location: string | null; body: string }> {
    const headers: Record<string, string> = {};
    if (who) headers.cookie = who.cookie;
    if (tree) {
      headers.RSC = "1";
      headers["Next-Router-State-Tree"] = encodeURIComponent(JSON.stringify(tree));
    }
    let res = await fetch(`${server.url}${pathname}`, { headers, redirect: "manual" });
    // Next first sends an RSC request to the same path with its cache-busting `_rsc` parameter.
    const location = res.headers.get("location");
    if (
      tree &&
      res.status === 307 &&
      location &&
      new URL(location, server.url).pathname === pathname &&
      new URL(location, server.url).searchParams.has("_rsc")
    ) {
      res = await fetch(new URL(location, server.url), { headers, redirect: "manual" });
    }
    return { status: res.status, location: res.headers.get("location"), body: await res.text() };
  }

  function expectNoSecrets(label: string, body: string) {
    for (const secret of secrets) expect({ label, leaked: body.includes(secret) ? secret : null }).toEqual({ label, leaked: null });
  }

  /**
   * A refusal: for a page load, the sign-in redirect (307) or a 403 page; for an RSC request, Next
   * answers 200 with the refusal in the flight data (the client router then shows the sign-in or 403
   * page), so the digest of `redirect()` / `forbidden()` is what tells.
   */
  function expectRefused(label: string, role: (typeof roles)[number], r: { status: number; location: string | null; body: string }, rsc: boolean) {
    if (role === "anonymous" && !rsc) {
      expect({ label, status: r.status, location: r.location }).toMatchObject({
        label,
        status: 307,
        location: expect.stringMatching(/\/signin\?callbackUrl=/),
      });
    } else if (role === "anonymous") {
      expect({ label, signIn: /"NEXT_REDIRECT;replace;\/signin\?callbackUrl=[^"]*;307;"/.test(r.body) }).toEqual({ label, signIn: true });
    } else if (!rsc) {
      expect({ label, status: r.status }).toEqual({ label, status: 403 });
    } else {
      expect({ label, forbidden: r.body.includes('"NEXT_HTTP_ERROR_FALLBACK;403"') }).toEqual({ label, forbidden: true });
    }
    expectNoSecrets(label, r.body);
  }

  it("finds every console page on disk", () => {
    expect(adminPages()).toEqual(Object.keys(organizerSees).sort());
  });

  it("every /admin page: organizers only, also for RSC navigations that skip the console's layout", async () => {
    for (const pathname of adminPages()) {
      for (const role of roles) {
        for (const rsc of [false, true]) {
          const label = `${role} ${rsc ? "RSC" : "GET"} ${pathname}`;
          const before = await auditCount();
          const r = await page(pathname, people[role], rsc ? adminTree(pathname) : undefined);
          if (role === "organizer") {
            expect({ label, status: r.status, refused: /NEXT_HTTP_ERROR_FALLBACK|NEXT_REDIRECT/.test(r.body) }).toEqual({ label, status: 200, refused: false });
            for (const shown of organizerSees[pathname]()) expect({ label, shown: r.body.includes(shown) }).toEqual({ label, shown: true });
          } else {
            expectRefused(label, role, r, rsc);
            if (role !== "anonymous") expect({ label, audited: (await auditCount()) - before }).toEqual({ label, audited: 1 });
          }
        }
      }
    }
  });

  it("session staff pages (moderate, panel, screen, backstage, polls): only the session's staff", async () => {
    const pages: Array<{ pathname: string; allowed: (typeof roles)[number][]; shows?: () => string }> = [
      { pathname: `/sessions/${DAY2}/moderate`, allowed: ["moderator", "organizer"] },
      { pathname: `/sessions/${DAY2}/panel`, allowed: ["panelist", "moderator", "organizer"] },
      { pathname: `/sessions/${DAY2}/screen`, allowed: ["panelist", "moderator", "organizer"], shows: () => codes.day2 },
      { pathname: `/sessions/${DAY2}/backstage`, allowed: ["panelist", "moderator", "organizer"] },
      { pathname: `/sessions/${DAY2}/polls`, allowed: ["moderator", "organizer"] },
    ];
    for (const p of pages) {
      for (const role of roles) {
        for (const rsc of [false, true]) {
          const label = `${role} ${rsc ? "RSC" : "GET"} ${p.pathname}`;
          const r = await page(p.pathname, people[role], rsc ? sessionTree() : undefined);
          if (p.allowed.includes(role)) {
            expect({ label, status: r.status, refused: /NEXT_HTTP_ERROR_FALLBACK|NEXT_REDIRECT/.test(r.body) }).toEqual({ label, status: 200, refused: false });
            if (p.shows) expect({ label, shown: r.body.includes(p.shows()) }).toEqual({ label, shown: true });
          } else expectRefused(label, role, r, rsc);
        }
      }
    }
  });

  it("the check-in desk: organizers and check-in helpers only, everyone else refused and audited", async () => {
    const helper = await createPerson(server.services, { name: "Hal Helper", email: "hal@example.org", checkIn: true });
    for (const [role, who] of [...roles.map((r) => [r, people[r]] as const), ["check-in helper", helper] as const]) {
      for (const rsc of [false, true]) {
        const label = `${role} ${rsc ? "RSC" : "GET"} /check-in`;
        const before = await auditCount("checkin:desk");
        const r = await page("/check-in", who, rsc ? adminTree("/check-in") : undefined);
        if (role === "organizer" || role === "check-in helper") {
          expect({ label, status: r.status, refused: /NEXT_HTTP_ERROR_FALLBACK|NEXT_REDIRECT/.test(r.body) }).toEqual({ label, status: 200, refused: false });
          expect({ label, shown: r.body.includes("Check-in desk") && r.body.includes("registeredInPerson") }).toEqual({ label, shown: true });
        } else {
          expectRefused(label, role as (typeof roles)[number], r, rsc);
          if (role !== "anonymous") expect({ label, audited: (await auditCount("checkin:desk")) - before }).toEqual({ label, audited: 1 });
        }
      }
    }
  });

  it("Backstage tells a Day 1 moderator the real reason (the Chatham House Rule), not their role; others get the 403", async () => {
    const before = await auditCount("stream:publish");
    const r = await page(`/sessions/${DAY1}/backstage`, people.moderator);
    expect(r.status).toBe(200);
    // The page itself says why (Next's payload also carries the 403 page's template, so that text is not checked).
    expect(r.body).toContain('data-testid="refusal-reason">This session is held under the Chatham House Rule: it is in the room only and never streamed.</p>');
    expect(await auditCount("stream:publish")).toBe(before + 1);
    // A person without a role on Day 2 is refused for the role.
    const other = await page(`/sessions/${DAY2}/backstage`, people.attendee);
    expect(other.status).toBe(403);
    expect(other.body).toContain("your role does not allow this page");
  });
});

describe("role × action matrix over socket.io", () => {
  const sockets: Record<string, TestSocket> = {};
  beforeAll(async () => {
    for (const role of roles) sockets[role] = await connectClient(server.url, { cookie: people[role]?.cookie });
  });
  afterAll(() => Object.values(sockets).forEach((s) => s.close()));

  it("session:join tells each role what it may do, decided by the server", async () => {
    const can: Record<string, SessionJoined["can"]> = {};
    for (const role of roles) {
      const res = await emit<SessionJoined>(sockets[role], "session:join", { slug: DAY1 });
      expect(res.ok).toBe(true);
      if (res.ok) can[role] = res.data.can;
    }
    expect(roles.filter((r) => can[r].ask)).toEqual(["device", "attendee", "panelist", "moderator", "organizer"]);
    expect(roles.filter((r) => can[r].moderate)).toEqual(["moderator", "organizer"]);
    expect(roles.filter((r) => can[r].panel)).toEqual(["panelist", "moderator", "organizer"]);
    expect(roles.filter((r) => can[r].watch)).toEqual([]); // Day 1 is never streamed
    expect(roles.filter((r) => can[r].record)).toEqual([]);
  });

  it("qa:configure (open or close Q&A): moderators and organizers only; refusals change nothing and are audited", async () => {
    for (const role of roles) {
      const before = await server.services.agenda.get(DAY1);
      const refusals = await auditCount("qa:configure");
      const res = await emit<unknown>(sockets[role], "qa:configure", { slug: DAY1, key: newClientKey(), qaOpen: !before.qaOpen });
      if (role === "moderator" || role === "organizer") {
        expect({ role, ok: res.ok }).toEqual({ role, ok: true });
        expect((await server.services.agenda.get(DAY1)).qaOpen).toBe(!before.qaOpen);
      } else {
        expect({ role, res }).toMatchObject({ role, res: { ok: false, error: { code: role === "anonymous" ? "unauthenticated" : "forbidden" } } });
        expect(await server.services.agenda.get(DAY1)).toEqual(before);
        expect(await auditCount("qa:configure")).toBe(refusals + 1);
      }
    }
  });

  it("a bad payload is refused with invalid_payload and changes nothing", async () => {
    const before = await server.services.agenda.get(DAY1);
    const res = await emit(sockets.organizer, "qa:configure", { slug: DAY1, key: newClientKey(), qaOpen: "yes" });
    expect(res).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    const res2 = await emit(sockets.organizer, "qa:configure", { slug: DAY1, key: newClientKey(), streamed: true });
    expect(res2).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    expect(await server.services.agenda.get(DAY1)).toEqual(before);
  });
});

describe("state-changing routes refuse cross-site requests", () => {
  it("a foreign Origin or none at all is refused with cross_site, even for an organizer", async () => {
    for (const origin of ["https://evil.example", null]) {
      const res = await http(`/api/admin/sessions/${DAY1}`, people.organizer, { method: "PATCH", origin, body: { patch: { title: "Hijacked" } } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("cross_site");
    }
    expect((await server.services.agenda.get(DAY1)).title).not.toBe("Hijacked");
  });
});
