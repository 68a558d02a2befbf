import { test, expect, expectNoAxeViolations } from "./fixtures";
import { createPerson } from "../server/testing/people";

async function signInAsOrganizer(context: import("@playwright/test").BrowserContext, plenary: import("../server/testing/test-server").TestServer) {
  const org = await createPerson(plenary.services, { name: "Olu Organizer", email: `org-${Math.random().toString(36).slice(2)}@example.org`, organizer: true });
  await context.addCookies([{ name: "next-auth.session-token", value: org.token, url: plenary.url }]);
}

test("an organizer edits a session's time; an open agenda page in another browser updates without reload", async ({ page, context, browser, plenary }) => {
  await signInAsOrganizer(context, plenary);
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await viewer.goto(`${plenary.url}/`);
  const row = viewer.locator('li[data-slug="fms-prioritization-and-possibilities"]');
  await expect(row.locator(".when")).toHaveText("14:15–15:45 EDT");
  await viewer.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  await page.goto("/admin");
  await expectNoAxeViolations(page, "organizer console");
  await page.getByRole("link", { name: "FMS Prioritization and Possibilities" }).click();
  await expectNoAxeViolations(page, "session editor");
  await page.getByLabel("Starts").fill("14:30");
  await page.getByLabel("Ends").fill("15:55");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  await expect(row.locator(".when")).toHaveText("14:30–15:55 EDT", { timeout: 2000 });
  expect(await viewer.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await viewerContext.close();
});

test("the form says why a Chatham House session cannot be streamed, and nothing changes", async ({ page, context, plenary }) => {
  await signInAsOrganizer(context, plenary);
  await page.goto("/admin/sessions/fms-case-development");
  await expect(page.getByText("not possible under the Chatham House Rule").first()).toBeVisible();
  await page.getByRole("checkbox", { name: /Streamed live/ }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#editor-status")).toHaveText(/Chatham House Rule: it stays in the room and can never be streamed or recorded/);
  expect((await plenary.services.agenda.get("fms-case-development")).streamed).toBe(false);
});

test("assigning a moderator and opening/closing Q&A from the console", async ({ page, context, plenary }) => {
  await signInAsOrganizer(context, plenary);
  await createPerson(plenary.services, { name: "Mara Moderator", email: "mara@example.org" });
  await page.goto("/admin/sessions/fms-planning");
  await page.getByLabel("Participant's e-mail").fill("mara@example.org");
  await page.getByRole("combobox", { name: "Role" }).selectOption("moderator");
  await page.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "Mara Moderator" })).toContainText("moderator");
  await page.getByRole("button", { name: "Remove Mara Moderator as moderator" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "Mara Moderator" })).toHaveCount(0);

  await page.goto("/admin");
  await page.getByRole("button", { name: "Close Q&A for FMS Planning: Understanding Partner Nation Needs" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Q&A is now closed" })).toBeVisible();
  expect((await plenary.services.agenda.get("fms-planning")).qaOpen).toBe(false);
  await page.getByRole("button", { name: "Open Q&A for FMS Planning: Understanding Partner Nation Needs" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Q&A is now open" })).toBeVisible();

  await page.goto("/admin/audit?action=role");
  await expectNoAxeViolations(page, "audit log");
  await expect(page.locator('tr[data-action="role:grant"]')).toContainText("Olu Organizer");
  await expect(page.locator('tr[data-action="role:revoke"]')).toHaveCount(1);
  // From/To are event-time fields: entries before "From" are left out.
  await page.getByLabel("From (event time)").fill("2099-01-01T00:00");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]from=2099-01-01T00%3A00/);
  await expect(page.locator('tr[data-action="role:grant"]')).toHaveCount(0);
  await expect(page.getByLabel("From (event time)")).toHaveValue("2099-01-01T00:00");
  await page.getByLabel("From (event time)").fill("2000-01-01T00:00");
  await page.getByLabel("To (event time)").fill("2099-12-31T23:59");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.locator('tr[data-action="role:grant"]')).toHaveCount(1);
});

test("CSV import: a preview with per-row errors, then apply; importing again changes nothing", async ({ page, context, plenary }) => {
  await signInAsOrganizer(context, plenary);
  const csv = [
    "name,email,affiliation,attendance_mode,roles",
    "Ines Import,ines@example.org,Example Aerospace (fictional),in_person,panelist:fms-planning",
    "Bad Mail,bad-mail,Nowhere,remote,",
    "Unknown Session,us@example.org,Nowhere,remote,moderator:not-a-session",
    "Ines Twice,ines@example.org,Dup,remote,",
  ].join("\n");
  await page.goto("/admin/import");
  await expectNoAxeViolations(page, "import page");
  await page.getByLabel("CSV file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-summary")).toHaveText("4 rows: 1 ready to import, 3 with errors (not imported).");
  await expect(page.locator('tr[data-line="3"]')).toContainText('"bad-mail" is not a valid e-mail address');
  await expect(page.locator('tr[data-line="4"]')).toContainText('unknown session "not-a-session"');
  await expect(page.locator('tr[data-line="5"]')).toContainText("duplicate of line 2");
  await expectNoAxeViolations(page, "import preview");
  await page.getByRole("button", { name: "Import 1 participant" }).click();
  await expect(page.getByTestId("import-result")).toHaveText("Imported: 1 new, 0 updated, 0 unchanged, 1 roles added, 3 rows skipped.");

  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Import 1 participant" }).click();
  await expect(page.getByTestId("import-result")).toHaveText("Imported: 0 new, 0 updated, 1 unchanged, 0 roles added, 3 rows skipped.");

  await page.goto("/admin/participants");
  await expectNoAxeViolations(page, "participants");
  await expect(page.getByRole("row").filter({ hasText: "ines@example.org" })).toHaveCount(1);
});
