import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing/test-server";
import { startsInTest } from "../testing/timeouts";

describe("a production start (no demo mode)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ withNext: true, demo: false });
  });
  afterAll(async () => server?.close());

  it("has no demo sign-in, no mailbox, no demo people and no banner", async () => {
    const signIn = await fetch(`${server.url}/api/demo/sign-in`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/json" },
      body: JSON.stringify({ email: "organizer@example.org" }),
    });
    expect(signIn.status).toBe(404);
    expect(signIn.headers.getSetCookie()).toEqual([]);
    expect((await fetch(`${server.url}/dev/mailbox`)).status).toBe(404);
    const page = await (await fetch(`${server.url}/signin`)).text();
    expect(page).not.toContain("Demo: sign in as anyone");
    expect(page).not.toContain("Demo mode");
    expect(page).toContain("E-mail sign-in is not configured");
    const { listParticipants } = server.services.people;
    expect((await listParticipants.call(server.services.people)).length).toBe(0);
  });
});

describe("demo mode", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ withNext: true, demo: true });
  });
  afterAll(async () => server?.close());

  it("seeds fictional people for every role and signs in as one with one click", async () => {
    const page = await (await fetch(`${server.url}/signin`)).text();
    expect(page).toContain("Demo mode.");
    expect(page).toContain("Avery Quinn (demo)");
    const res = await fetch(`${server.url}/api/demo/sign-in`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/json" },
      body: JSON.stringify({ email: "organizer@example.org" }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie()[0].split(";")[0];
    expect((await fetch(`${server.url}/admin`, { headers: { cookie } })).status).toBe(200);
    // A real participant cannot be impersonated through the demo route.
    const people = await server.services.people.listParticipants();
    expect(people.every((p) => p.isDemo)).toBe(true);
    expect(people.filter((p) => p.organizer)).toHaveLength(1);
  });

  it("every Q&A session has a demo moderator and a demo panelist", async () => {
    for (const item of (await server.services.agenda.list()).filter((i) => i.qaEnabled)) {
      const row = await server.services.agenda.findRow(item.slug);
      const staff = await server.services.people.staffOf(row!.id);
      expect(staff.map((s) => s.role).sort()).toEqual(["moderator", "panelist"]);
    }
  });
});

describe("single sign-on", () => {
  it(
    "is offered only when OIDC is configured",
    async () => {
      const without = await startTestServer({ withNext: true });
      const providers = (await (await fetch(`${without.url}/api/auth/providers`)).json()) as Record<string, unknown>;
      expect(Object.keys(providers)).not.toContain("oidc");
      expect(await (await fetch(`${without.url}/signin`)).text()).not.toContain("Single sign-on");
      await without.close();

      const withSso = await startTestServer({
        withNext: true,
        config: { oidc: { issuer: "http://127.0.0.1:9/idp", clientId: "c", clientSecret: "s", name: "Example Ministry" } },
      });
      const p2 = (await (await fetch(`${withSso.url}/api/auth/providers`)).json()) as Record<string, { name: string }>;
      expect(p2.oidc.name).toBe("Example Ministry");
      expect(await (await fetch(`${withSso.url}/signin`)).text()).toContain("Sign in with <!-- -->Example Ministry");
      await withSso.close();
    },
    startsInTest(2),
  ); // two servers with Next, one after the other
});

describe("first organizers", () => {
  it(
    "PLENARY_ORGANIZERS makes those addresses organizers at start-up, idempotently",
    async () => {
      const s = await startTestServer({ config: { organizers: ["first@example.org"] } });
      await s.services.people.ensureOrganizers(["first@example.org"]);
      const people = await s.services.people.listParticipants("first@example.org");
      expect(people).toMatchObject([{ email: "first@example.org", organizer: true }]);
      await s.close();
    },
    startsInTest(1),
  );
});
