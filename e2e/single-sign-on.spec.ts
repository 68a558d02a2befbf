import { test as base, expect } from "./fixtures";
import { startTestIdp, type TestIdp } from "../server/testing/oidc";

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

test("single sign-on with the organization's identity provider", async ({ page, plenary, idp }) => {
  idp.allowRedirect(`${plenary.url}/api/auth/callback/oidc`);
  await page.goto("/signin?callbackUrl=%2Fsessions%2Fdefense-industry-perspectives");
  await page.getByRole("button", { name: "Sign in with Example Ministry" }).click();
  // The provider's own (development) login and consent pages.
  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill("alice");
  await page.locator('input[name="password"]').fill("any");
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // consent: "Continue"
  await expect(page).toHaveURL(`${plenary.url}/sessions/defense-industry-perspectives`);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as IdP User alice");
  const people = await plenary.services.people.listParticipants("alice@idp.example.org");
  expect(people).toMatchObject([{ email: "alice@idp.example.org", name: "IdP User alice", attendanceMode: "remote" }]);
});
