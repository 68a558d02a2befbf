import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brandingUpdateSchema, contrastOnWhite } from "../../lib/branding";
import { createPerson, type TestPerson } from "../testing/people";
import { testDatabaseKinds } from "../testing/databases";
import { startTestServer, type TestServer } from "../testing/test-server";

// A 1×1 transparent PNG.
const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

describe("branding rules", () => {
  it("measures contrast on white the WCAG way", () => {
    expect(contrastOnWhite("#000000")).toBeCloseTo(21, 0);
    expect(contrastOnWhite("#ffffff")).toBeCloseTo(1, 5);
    expect(contrastOnWhite("#0b4f8a")).toBeGreaterThan(4.5);
    expect(contrastOnWhite("#ffbf47")).toBeLessThan(4.5);
  });

  it("accepts a dark colour, a name and a small PNG; refuses light colours, bad formats and scripts", () => {
    expect(brandingUpdateSchema.parse({ name: "  FMS 2024 ", accent: "#0B4F8A", logo: PNG })).toEqual({ name: "FMS 2024", accent: "#0b4f8a", logo: PNG });
    expect(brandingUpdateSchema.parse({ name: "", accent: "", logo: "" })).toEqual({ name: null, accent: null, logo: null });
    expect(brandingUpdateSchema.safeParse({ name: null, accent: "#ffbf47", logo: null }).error?.issues[0].message).toMatch(/too light/);
    expect(brandingUpdateSchema.safeParse({ name: null, accent: "navy", logo: null }).success).toBe(false);
    expect(brandingUpdateSchema.safeParse({ name: null, accent: null, logo: "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" }).success).toBe(false);
    expect(brandingUpdateSchema.safeParse({ name: "x".repeat(81), accent: null, logo: null }).success).toBe(false);
    expect(brandingUpdateSchema.safeParse({ name: null, accent: null, logo: null, extra: 1 }).success).toBe(false);
  });
});

describe.each(testDatabaseKinds())("branding on %s", (database) => {
  let server: TestServer;
  let organizer: TestPerson;
  let attendee: TestPerson;
  beforeAll(async () => {
    server = await startTestServer({ withNext: true, database });
    organizer = await createPerson(server.services, { name: "Org", email: "org-brand@example.org", organizer: true });
    attendee = await createPerson(server.services, { name: "Ann", email: "ann-brand@example.org" });
  });
  afterAll(async () => server?.close());

  const post = (who: TestPerson, body: unknown) =>
    fetch(`${server.url}/api/admin/branding`, {
      method: "POST",
      headers: { cookie: who.cookie, origin: server.url, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("an organizer sets name, colour and logo; every page's header shows them; the change is audited", async () => {
    const res = await post(organizer, { name: "FMS Symposium 2024", accent: "#5a1e82", logo: PNG });
    expect(res.status).toBe(200);
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toContain("FMS Symposium 2024");
    expect(html).toMatch(/--brand:\s*#5a1e82/);
    expect(html).toContain('class="brand-logo"');
    const audit = await server.services.audit.list({ action: "branding:update", limit: 5 });
    expect(audit[0]).toMatchObject({ outcome: "ok" });
    expect(JSON.stringify(audit[0])).not.toContain("base64");
  });

  it("refuses an attendee, and a colour too light to read, and changes nothing", async () => {
    const before = await server.services.branding.get();
    expect((await post(attendee, { name: "Mine now", accent: null, logo: null })).status).toBe(403);
    const light = await post(organizer, { name: "Light", accent: "#ffd866", logo: null });
    expect(light.status).toBe(400);
    expect(((await light.json()) as { error: { message: string } }).error.message).toMatch(/too light/);
    expect(await server.services.branding.get()).toEqual(before);
  });

  it("takes the name by the text rule: a control character is refused in words (U+0000 was a 500), an invisible name is no name", async () => {
    const before = await server.services.branding.get();
    for (const name of ["FMS\u00002024", "FMS\u00072024"]) {
      const res = await post(organizer, { name, accent: null, logo: null });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: "invalid_payload",
          message: `name: The event name contains a control character (U+00${name.charCodeAt(3).toString(16).padStart(2, "0").toUpperCase()}); remove it and try again.`,
        },
      });
    }
    expect(await server.services.branding.get()).toEqual(before);
    const blank = await post(organizer, { name: "\u3164\u3164 \u200b", accent: null, logo: null });
    expect(blank.status).toBe(200);
    expect((await server.services.branding.get()).name).toBeNull();
  });
});
