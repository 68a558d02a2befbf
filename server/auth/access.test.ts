import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newClientKey } from "../../lib/qa";
import type { AckResult, SessionJoined } from "../../lib/realtime/contract";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";

let server: TestServer;
let people: Record<string, TestPerson | null>;
const DAY1 = "fms-planning";

async function auditCount(action?: string): Promise<number> {
  const res = await server.services.db.execute(
    action ? sql`SELECT count(*)::int AS n FROM audit_log WHERE outcome = 'refused' AND action = ${action}` : sql`SELECT count(*)::int AS n FROM audit_log WHERE outcome = 'refused'`,
  );
  return (res as unknown as { rows: Array<{ n: number }> }).rows[0].n;
}

function http(path: string, who: TestPerson | null, init: { method?: string; body?: unknown; origin?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (who) headers.cookie = who.cookie;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.origin !== null) headers.origin = init.origin ?? server.url;
  return fetch(`${server.url}${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), redirect: "manual" });
}

function emit<T>(socket: TestSocket, event: string, payload: unknown): Promise<AckResult<T>> {
  return new Promise((resolve) => (socket as unknown as { emit(e: string, p: unknown, cb: (r: AckResult<T>) => void): void }).emit(event, payload, resolve));
}

beforeAll(async () => {
  server = await startTestServer({ withNext: true });
  const app = server.services;
  people = {
    anonymous: null,
    device: await createPerson(app, { name: "Room Device", kind: "device", attendanceMode: "in_person", roles: [{ slug: DAY1, role: "attendee" }] }),
    attendee: await createPerson(app, { name: "Remote Attendee", email: "remote@example.org", affiliation: "Embassy" }),
    panelist: await createPerson(app, { name: "Pat Panelist", email: "panelist@example.org", roles: [{ slug: DAY1, role: "panelist" }] }),
    moderator: await createPerson(app, { name: "Mo Moderator", email: "moderator@example.org", roles: [{ slug: DAY1, role: "moderator" }] }),
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
      run: (who) => http(`/api/admin/sessions/${DAY1}`, who, { method: "PATCH", body: { patch: { title: "FMS Planning: Understanding Partner Nation Needs" } } }),
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

  it("the organizer console page: sign-in for strangers, 403 for other roles", async () => {
    for (const role of roles) {
      const res = await http("/admin", people[role]);
      if (role === "organizer") expect(res.status).toBe(200);
      else if (role === "anonymous") {
        expect(res.status).toBeGreaterThanOrEqual(300);
        expect(res.status).toBeLessThan(400);
        expect(res.headers.get("location")).toMatch(/\/signin\?callbackUrl=%2Fadmin/);
      } else expect({ role, status: res.status }).toEqual({ role, status: 403 });
    }
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
