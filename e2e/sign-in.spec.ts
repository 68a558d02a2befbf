import { test as base, expect, expectNoAxeViolations } from "./fixtures";
import { startSmtpCapture, type SmtpCapture } from "../server/testing/smtp";
import { createPerson } from "../server/testing/people";
import { authSessions, sessions, users } from "../db/schema";
import { eq } from "drizzle-orm";

/** How each current sign-in of this person was made, as recorded. */
async function signInMethods(plenary: { services: { db: import("../db/client").Database } }, email: string) {
  const rows = await plenary.services.db
    .select({ method: authSessions.method })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(eq(users.email, email))
    .orderBy(authSessions.createdAt);
  return rows.map((r) => r.method);
}

// Mail goes out through a real SMTP server on loopback, started for this file.
const test = base.extend<object, { smtp: SmtpCapture }>({
  smtp: [
    async ({}, use) => {
      const smtp = await startSmtpCapture();
      await use(smtp);
      await smtp.close();
    },
    { scope: "worker" },
  ],
  plenaryOptions: [async ({ smtp }, use) => use({ config: { smtpUrl: smtp.url } }), { scope: "worker" }],
});

test("a registered participant signs in with a magic link sent over SMTP; the link works once", async ({ page, plenary, smtp, browser }) => {
  await createPerson(plenary.services, { name: "Nadia Registered", email: "nadia@example.org", affiliation: "Embassy of Freedonia (fictional)" });
  await page.goto("/sessions/defense-industry-perspectives");
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Sign in", level: 1 })).toBeVisible();
  await expectNoAxeViolations(page, "sign-in page");
  await page.getByLabel(/E-mail address/).fill("nadia@example.org");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();
  // Next streams the title after the navigation; axe judges the page once it has one.
  await expect(page).toHaveTitle(/Check your e-mail/);
  await expectNoAxeViolations(page, "check-email page");

  const mail = await smtp.waitFor("nadia@example.org");
  expect(mail.subject).toBe("Your sign-in link for 2024 Foreign Military Sales Symposium");
  const link = /https?:\/\/\S+/.exec(mail.text)![0];
  expect(new URL(link).origin).toBe(plenary.url);
  await page.goto(link);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Nadia Registered");
  // The test's own sign-in for Nadia (createPerson's), then the one the link made.
  expect(await signInMethods(plenary, "nadia@example.org")).toEqual(["demo", "email"]);

  // Single use: the same link in another browser does not sign anyone in.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(link);
  await expect(otherPage.getByRole("alert").filter({ hasText: "expired or was already used" })).toBeVisible();
  await expect(otherPage.getByTestId("signed-in-as")).toHaveCount(0);
  await other.close();

  // Signing out ends the sign-in.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("an address that is not registered gets no mail, and the page does not say so", async ({ page, smtp }) => {
  await page.goto("/signin");
  await page.getByLabel(/E-mail address/).fill("stranger@example.org");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();
  await page.waitForTimeout(500);
  expect(smtp.mails.filter((m) => m.to.includes("stranger@example.org"))).toEqual([]);
});

test.describe("in the room, on a 360 px phone", () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test("a wrong code is refused with a clear message; the right one joins in one step", async ({ page, plenary }) => {
    const [row] = await plenary.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, "fms-planning"));
    await page.goto("/join");
    await expectNoAxeViolations(page, "join page (phone)");
    await page.getByLabel(/Session code/).fill("ABCD-2345");
    await page.getByRole("button", { name: "Join" }).click();
    await expect(page.locator("p[role=alert]")).toHaveText("That code does not match any session. Check the code on the room's screen and try again.");
    await expectNoAxeViolations(page, "join page with an error (phone)");

    await page.getByLabel(/Session code/).fill(`${row.code!.slice(0, 4).toLowerCase()} ${row.code!.slice(4)}`);
    await page.getByLabel(/Your name/).fill("Jo in row 3");
    await page.getByRole("button", { name: "Join" }).click();
    await expect(page).toHaveURL(/\/sessions\/fms-planning$/);
    await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Jo in row 3");
  });

  test("the QR code link pre-fills the code", async ({ page, plenary }) => {
    const [row] = await plenary.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, "fms-case-development"));
    await page.goto(`/join?code=${row.code}`);
    await expect(page.getByLabel(/Session code/)).toHaveValue(row.code!);
    await page.getByRole("button", { name: "Join" }).click();
    await expect(page).toHaveURL(/\/sessions\/fms-case-development$/);
    await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Room guest");
  });
});
