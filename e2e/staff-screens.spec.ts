/**
 * Screenshots of the staff views for the design notes (docs/screens/<prefix>-*.png). Opt-in: run with
 * STAFF_SCREENS=before|after; the layout itself is asserted in staff-console.spec.ts.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "./fixtures";
import { ConsolePage, signedIn } from "./qa-pages";
import { createPerson } from "../server/testing/people";

const PREFIX = process.env.STAFF_SCREENS;
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "docs", "screens");
const SLUG = "defense-industry-perspectives";
const LAPTOP = { viewport: { width: 1366, height: 768 } };
test.skip(!PREFIX, "screenshots only on request (STAFF_SCREENS=before|after)");
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });

const QUESTIONS = [
  "How are FMS timelines measured from letter of request to delivery?",
  "What is the department doing about training budgets for partner nations?",
  "Where is lunch today?",
  "How will the new acquisition workforce rules change case processing?",
  "Can industry see the demand signal earlier than the LOR?",
  "What role do the combatant commands play in prioritising cases?",
  "Is there a plan to reduce contract award times for sustainment cases?",
  "How are timelines for FMS measured today, and who owns them?",
  "What lessons from Ukraine assistance apply to routine FMS?",
  "How do you balance co-production requests with US industrial base capacity?",
  "Will tranche pricing become the default for large cases?",
  "What is the status of the exportability features programme?",
];

test("staff views for the design notes", async ({ browser, plenary }) => {
  test.setTimeout(120_000);
  for (const text of QUESTIONS) {
    const p = await createPerson(plenary.services, { name: `Asker ${Math.random()}`, email: `a-${Math.random()}@example.org` });
    const { actor } = await plenary.services.auth.resolveToken(p.token);
    await plenary.services.qa.submit(actor, { slug: SLUG, key: `k${Math.random().toString(36).slice(2, 12)}`, text, anonymous: true });
  }
  const { page } = await signedIn(browser, plenary, { name: "Morgan Moderator", email: "mod@example.org", roles: [{ slug: SLUG, role: "moderator" }] }, LAPTOP);
  const mod = new ConsolePage(page);
  await mod.goto(SLUG);
  await expect(mod.item(QUESTIONS[11])).toBeVisible();
  await page.screenshot({ path: path.join(DIR, `${PREFIX}-moderator.png`) });
  await page.keyboard.press("1");
  await page.keyboard.press("j");
  await page.keyboard.press("d");
  await expect(page.getByRole("dialog", { name: "Dismiss question" })).toBeVisible();
  await page.screenshot({ path: path.join(DIR, `${PREFIX}-moderator-dismiss.png`) });
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.keyboard.press("m");
  await expect(page.getByRole("dialog", { name: "Merge into another question" })).toBeVisible();
  await page.screenshot({ path: path.join(DIR, `${PREFIX}-moderator-merge.png`) });
  await page.keyboard.press("Escape");

  await page.goto(`/sessions/${SLUG}/backstage`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(DIR, `${PREFIX}-backstage.png`) });

  const day1 = await signedIn(browser, plenary, { name: "Dana Day1", email: "d1@example.org", roles: [{ slug: "fms-planning", role: "moderator" }] }, LAPTOP);
  await day1.page.goto(`/sessions/fms-planning/backstage`);
  await day1.page.waitForTimeout(500);
  await day1.page.screenshot({ path: path.join(DIR, `${PREFIX}-backstage-day1.png`) });

  const panel = await signedIn(
    browser,
    plenary,
    { name: "Penny Panelist", email: "penny@example.org", roles: [{ slug: SLUG, role: "panelist" }] },
    { viewport: { width: 1024, height: 768 } },
  );
  await panel.page.goto(`/sessions/${SLUG}/panel`);
  await expect(panel.page.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  await panel.page.screenshot({ path: path.join(DIR, `${PREFIX}-panel.png`) });
});
