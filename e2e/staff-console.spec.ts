/**
 * The moderation console on a laptop (1366×768): eight or more questions in sight with the controls,
 * the main actions as buttons and the rest in an accessible menu, and dialogs that open on their first
 * choice so Enter confirms.
 */
import { eq } from "drizzle-orm";
import { questions } from "../db/schema";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { ConsolePage, signedIn } from "./qa-pages";
import { createPerson } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";

const SLUG = "defense-industry-perspectives";
const LAPTOP = { viewport: { width: 1366, height: 768 } };
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });
// Several browsers and a server per worker: room for a busy shared machine.
test.describe.configure({ timeout: 180_000 });

async function ask(plenary: TestServer, texts: string[]) {
  for (const text of texts) {
    const p = await createPerson(plenary.services, { name: `Asker ${Math.random()}`, email: `asker-${Math.random()}@example.org` });
    const { actor } = await plenary.services.auth.resolveToken(p.token);
    await plenary.services.qa.submit(actor, { slug: SLUG, key: `k${Math.random().toString(36).slice(2, 12)}`, text, anonymous: true });
  }
}

const TWELVE = Array.from(
  { length: 12 },
  (_, i) => `Question ${i + 1}: how will the acquisition reforms change case timelines for partner nations over the next two years?`,
);

test("at 1366×768 the console shows at least eight whole questions with its controls, and the menu works by keyboard", async ({ browser, plenary }) => {
  await ask(plenary, TWELVE);
  const { page, context } = await signedIn(
    browser,
    plenary,
    { name: "Laptop Mod", email: "laptop@example.org", roles: [{ slug: SLUG, role: "moderator" }] },
    LAPTOP,
  );
  const mod = new ConsolePage(page);
  await mod.goto(SLUG);
  await expect(page.locator("article.qa-mod-item")).toHaveCount(12);
  const inside = await page.locator("article.qa-mod-item").evaluateAll(
    (cards) =>
      cards.filter((c) => {
        const r = c.getBoundingClientRect();
        return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      }).length,
  );
  expect(inside, "question cards wholly inside the 1366×768 viewport").toBeGreaterThanOrEqual(8);
  // The controls are still on screen: nothing was scrolled away to get there.
  expect(await page.evaluate(() => scrollY)).toBe(0);
  await expect(page.getByRole("tab", { name: /Incoming/ })).toBeInViewport();
  await expect(page.getByRole("switch", { name: "Q&A open" })).toBeInViewport();

  // Two buttons per card; the rest behind "More actions" (menu button pattern).
  const first = mod.item("Question 1:");
  await expect(first.getByRole("group", { name: "Actions" }).getByRole("button")).toHaveText([/Approve/, /Dismiss/, /More/]);
  const more = first.getByRole("button", { name: "More actions" });
  await expect(more).toHaveAttribute("aria-haspopup", "menu");
  await expect(more).toHaveAttribute("aria-expanded", "false");
  await more.focus();
  await page.keyboard.press("ArrowDown");
  await expect(more).toHaveAttribute("aria-expanded", "true");
  const menu = first.getByRole("menu");
  await expect(menu.getByRole("menuitem").first()).toBeFocused();
  await expect(menu.getByRole("menuitem")).toHaveText([/Edit/, /Star/, /Tags/, /Route to panelist/, /Merge into/]);
  await expectNoAxeViolations(page, "console with an open action menu");
  await page.keyboard.press("ArrowUp");
  await expect(menu.getByRole("menuitem", { name: /Merge into/ })).toBeFocused();
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: /^Star/ })).toBeFocused();
  // A shortcut letter inside the menu does not act on the question.
  await page.keyboard.press("a");
  await expect(mod.outcome).toHaveText("");
  await page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(more).toBeFocused();
  await expect(more).toHaveAttribute("aria-expanded", "false");
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(mod.outcome).toHaveText("Starred.");
  await expect(first).toContainText("★ Starred");
  await expectNoAxeViolations(page, "compact moderation console");
  await context.close();
});

test("Dismiss and Merge open on their first choice, and Enter confirms it", async ({ browser, plenary }) => {
  await ask(plenary, ["Dup one: how are FMS timelines measured?", "Dup two: how are timelines for FMS measured?", "Lunch: where is it?"]);
  const { page, context } = await signedIn(
    browser,
    plenary,
    { name: "Enter Mod", email: "enter@example.org", roles: [{ slug: SLUG, role: "moderator" }] },
    LAPTOP,
  );
  const mod = new ConsolePage(page);
  await mod.goto(SLUG);
  // Other tests of this worker share the session: pick the questions by their text.
  await mod.item("Lunch: where is it?").click();
  await expect(page.locator("article.qa-mod-item:focus")).toContainText("Lunch");
  await page.keyboard.press("d");
  const dismiss = page.getByRole("dialog", { name: "Dismiss question" });
  const firstReason = dismiss.getByRole("radio").first();
  await expect(firstReason).toBeFocused();
  await expect(firstReason).toBeChecked();
  await page.keyboard.press("Enter");
  await expect(mod.outcome).toHaveText("Dismissed: Already answered");

  await mod.item("Dup two").click();
  await expect(page.locator("article.qa-mod-item:focus")).toContainText("Dup two");
  await page.keyboard.press("m");
  const merge = page.getByRole("dialog", { name: "Merge into another question" });
  const firstTarget = merge.getByRole("radio").first();
  await expect(firstTarget).toBeFocused();
  await expect(firstTarget).toBeChecked();
  await expect(firstTarget).toHaveAccessibleName(/Dup one/);
  await page.keyboard.press("Enter");
  await expect(mod.outcome).toHaveText("Merged; votes combined.");
  const rows = await plenary.services.db.select().from(questions).where(eq(questions.status, "merged"));
  expect(rows.map((r) => r.text)).toEqual(["Dup two: how are timelines for FMS measured?"]);
  await context.close();
});
