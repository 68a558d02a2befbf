import { eq, sql } from "drizzle-orm";
import type { Page } from "@playwright/test";
import { test as base, expect } from "./fixtures";
import { authSessions, sessions, users } from "../db/schema";
import { startTestIdp, type TestIdp } from "../server/testing/oidc";
import { createPerson } from "../server/testing/people";

// A real OIDC provider on loopback; Plenary is configured with it as its organization's SSO.
const test = base.extend<object, { idp: TestIdp }>({
  idp: [
    async ({}, use) => {
      const idp = await startTestIdp();
      await use(idp);
      await idp.close();
    },
    { scope: "worker" },
  ],
  plenaryOptions: [
    async ({ idp }, use) => use({ config: { oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: "Example Ministry" } } }),
    { scope: "worker" },
  ],
});

/** Through Plenary's sign-in page and the provider's own (development) login and consent pages. */
async function signInWithIdp(page: Page, idp: TestIdp, login: string, callbackUrl: string) {
  await page.goto(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  await page.getByRole("button", { name: "Sign in with Example Ministry" }).click();
  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any");
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // consent: "Continue"
}

async function linkedAccounts(plenary: { services: { db: { execute: (q: ReturnType<typeof sql>) => Promise<unknown> } } }, email: string) {
  const res = (await plenary.services.db.execute(
    sql`SELECT a.provider_account_id AS sub FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.email = ${email}`,
  )) as { rows: Array<{ sub: string }> };
  return res.rows.map((r) => r.sub);
}

test("single sign-on with the organization's identity provider", async ({ page, plenary, idp }) => {
  idp.allowRedirect(`${plenary.url}/api/auth/callback/oidc`);
  await signInWithIdp(page, idp, "alice", "/sessions/defense-industry-perspectives");
  await expect(page).toHaveURL(`${plenary.url}/sessions/defense-industry-perspectives`);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as IdP User alice");
  const people = await plenary.services.people.listParticipants("alice@idp.example.org");
  expect(people).toMatchObject([{ email: "alice@idp.example.org", name: "IdP User alice", attendanceMode: "remote" }]);
});

test("a participant imported before their first single sign-on is recognised by e-mail and keeps their roles, even on a phone that joined with a room code", async ({
  page,
  plenary,
  idp,
}) => {
  idp.allowRedirect(`${plenary.url}/api/auth/callback/oidc`);
  const org = await createPerson(plenary.services, { name: "Ivo Importer", email: "ivo@example.org", organizer: true });
  const { actor } = await plenary.services.auth.resolveToken(org.token);
  const imported = await plenary.services.people.applyImport(
    "name,email,affiliation,attendance_mode,roles\nBo Imported,bob@idp.example.org,Example Ministry (fictional),in_person,moderator:defense-industry-perspectives\n",
    actor!,
  );
  expect(imported).toMatchObject({ created: 1, rolesAdded: 1 });
  const [before] = await plenary.services.people.listParticipants("bob@idp.example.org");
  // As if Bo had signed in with a magic link before: this sign-in is still recorded as single sign-on.
  await plenary.services.db.update(users).set({ emailVerified: new Date() }).where(eq(users.email, "bob@idp.example.org"));

  // The phone first joined the room with the session's code, as a room device.
  const [row] = await plenary.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, "defense-industry-perspectives"));
  await page.goto(`/join?code=${row.code}`);
  await page.getByRole("button", { name: "Join" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Room guest");

  await signInWithIdp(page, idp, "bob", "/sessions/defense-industry-perspectives/moderate");
  await expect(page).toHaveURL(`${plenary.url}/sessions/defense-industry-perspectives/moderate`);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Bo Imported");
  await expect(page.getByRole("heading", { name: "Moderate: Defense Industry Perspectives", level: 1 })).toBeVisible();

  const after = await plenary.services.people.listParticipants("bob@idp.example.org");
  expect(after).toEqual([before]); // the same person, name and affiliation from the import
  expect(await linkedAccounts(plenary, "bob@idp.example.org")).toEqual(["bob"]);
  const signIns = await plenary.services.db
    .select({ method: authSessions.method })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(eq(users.email, "bob@idp.example.org"));
  expect(signIns.map((r) => r.method)).toEqual(["oidc"]);
  const devices = (await plenary.services.db.execute(
    sql`SELECT count(*)::int AS n FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.kind = 'device'`,
  )) as unknown as {
    rows: Array<{ n: number }>;
  };
  expect(devices.rows[0].n).toBe(0);
});

test("an address the identity provider has not verified is not linked to the registered participant", async ({ page, plenary, idp }) => {
  idp.allowRedirect(`${plenary.url}/api/auth/callback/oidc`);
  await createPerson(plenary.services, {
    name: "Carol Registered",
    email: "carol@idp.example.org",
    roles: [{ slug: "defense-industry-perspectives", role: "moderator" }],
  });
  await signInWithIdp(page, idp, "unverified-carol", "/sessions/defense-industry-perspectives/moderate");
  await expect(page).toHaveURL(/\/signin\?error=SsoEmailNotVerified/);
  await expect(page.getByRole("alert").filter({ hasText: "did not confirm your e-mail address" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  expect(await linkedAccounts(plenary, "carol@idp.example.org")).toEqual([]);
  expect(await plenary.services.people.listParticipants("carol@idp.example.org")).toHaveLength(1);
});
