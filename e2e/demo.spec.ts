import { test, expect, expectNoAxeViolations } from "./fixtures";

test.use({ plenaryOptions: { demo: true } });

test("demo mode: a banner, one-click sign-in as any demo person, and the mailbox", async ({ page }) => {
  await page.goto("/signin");
  await expect(page.getByRole("note")).toContainText("Demo mode.");
  await expectNoAxeViolations(page, "demo sign-in page");
  await page.getByRole("button", { name: /Sign in as Avery Quinn \(demo\), Organizer/ }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Avery Quinn (demo)");
  await expect(page.getByRole("link", { name: "Organizer console" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" })).toBeVisible();

  // Without SMTP, the demo's sign-in mails land in the mailbox page.
  await page.goto("/signin");
  await page.getByLabel(/E-mail address/).fill("sam.okafor@example.org");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("main").getByRole("link", { name: "demo mailbox" }).click();
  await expectNoAxeViolations(page, "demo mailbox");
  const mail = page.getByRole("article", { name: /Mail to sam\.okafor@example\.org/ });
  // The mail's second link, to the check-in pass, ends before the sentence's full stop.
  await expect(mail.getByRole("link", { name: /\/me\/pass$/ })).toHaveAttribute("href", /\/me\/pass$/);
  await mail.getByRole("link", { name: /\/api\/auth\/callback\/email/ }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Sam Okafor (demo)");
});
