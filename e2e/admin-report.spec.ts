import { test, expect, expectNoAxeViolations } from "./fixtures";
import { createPerson } from "../server/testing/people";
import { connectClient } from "../server/testing/clients";
import { key, ok } from "../server/qa/testing";

// Thursday 23 May 2024, 10:00 EDT: "FMS Planning" (Day 1, Chatham House Rule) is under way.
test.use({ plenaryOptions: { now: "2024-05-23T10:00:00-04:00" } });
test.describe.configure({ timeout: 180_000 });

const DAY1 = "fms-planning";

test("the post-event report lists all 19 items, keeps Day 1 anonymous, and prints without the site's chrome", async ({ page, context, plenary }) => {
  // Two people ask in the Day 1 session: fewer than 3, and nobody named.
  const askers = [
    { name: "Ozymandias Thistlewaite", email: "ozy@obscure-ministry.example", affiliation: "Ministry of Obscure Liaison" },
    { name: "Perpetua Quillfeather", email: "pq@far-agency.example", affiliation: "Far Agency of Quills" },
  ];
  for (const [i, a] of askers.entries()) {
    const person = await createPerson(plenary.services, { ...a, attendanceMode: "in_person" });
    const s = await connectClient(plenary.url, { origin: plenary.url, cookie: person.cookie });
    await ok(s, "session:join", { slug: DAY1 });
    await ok(s, "question:submit", { slug: DAY1, key: key(), text: `Day one question ${i + 1} about planning?` });
    s.close();
  }
  const organizer = await createPerson(plenary.services, { name: "Ola Organizer", email: "ola@example.org", organizer: true });
  await context.addCookies([{ name: "next-auth.session-token", value: organizer.token, url: plenary.url }]);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/admin/report");
  await expect(page.getByRole("heading", { name: "Post-event report" })).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(19);
  const day1 = page.locator(`tr[data-slug="${DAY1}"]`);
  await expect(day1).toContainText("Chatham House Rule");
  await expect(day1.getByRole("cell").nth(4)).toHaveText("fewer than 3"); // questions asked
  for (const a of askers) for (const needle of [a.name, a.email, a.affiliation]) await expect(page.locator("body")).not.toContainText(needle);
  await expect(page.getByRole("link", { name: "Report (CSV)" })).toHaveAttribute("href", "/api/admin/report.csv");
  await expectNoAxeViolations(page, "post-event report");

  // Printed: the site header, the console's navigation and the buttons stay off the paper.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByRole("button", { name: "Print or save as PDF" })).toBeHidden();
  await expect(page.locator("tbody tr").first()).toBeVisible();
  const pdf = await page.pdf({ landscape: true, printBackground: true });
  expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
  await test.info().attach("report.pdf", { body: pdf, contentType: "application/pdf" });
  await page.emulateMedia({ media: "screen" });
  await page.screenshot({ path: test.info().outputPath("admin-report.png"), fullPage: true });
});

test("staff who are not organizers get the 403 page for the report", async ({ page, context, plenary }) => {
  const mod = await createPerson(plenary.services, { name: "Mo Moderator", email: "mo@example.org", roles: [{ slug: DAY1, role: "moderator" }] });
  await context.addCookies([{ name: "next-auth.session-token", value: mod.token, url: plenary.url }]);
  const res = await page.goto("/admin/report");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Post-event report" })).toHaveCount(0);
});
