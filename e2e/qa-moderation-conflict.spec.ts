/**
 * Two moderators never silently overwrite each other (issue 10 §5): B opens Dismiss on a question,
 * A approves it meanwhile, B confirms. B decided on the question as it was when the dialog opened,
 * so the dismissal is refused with the fresh state, and the question stays approved for the panel.
 */
import { eq } from "drizzle-orm";
import { questions } from "../db/schema";
import { createPerson } from "../server/testing/people";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { ConsolePage, PanelPage, signedIn } from "./qa-pages";

const SLUG = "defense-industry-perspectives";
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });

test("a dismissal decided on a stale view is refused and the question stays approved for the panel", async ({ browser, plenary }) => {
  test.setTimeout(90_000);
  const asker = await createPerson(plenary.services, { name: "Asker", email: "asker@example.org", attendanceMode: "remote" });
  const { actor } = await plenary.services.auth.resolveToken(asker.token);
  const asked = await plenary.services.qa.submit(actor, { slug: SLUG, key: "conflict-k1", text: "Stale: who signs off on partner priority?", anonymous: true });

  const a = await signedIn(browser, plenary, { name: "Mod A", email: "mod-a@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const b = await signedIn(browser, plenary, { name: "Mod B", email: "mod-b@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const panelist = await signedIn(browser, plenary, { name: "Pia Panelist", email: "pia@example.org", roles: [{ slug: SLUG, role: "panelist" }] });
  const ma = new ConsolePage(a.page);
  const mb = new ConsolePage(b.page);
  const pan = new PanelPage(panelist.page);
  await Promise.all([ma.goto(SLUG), mb.goto(SLUG), pan.goto(SLUG)]);

  // B opens Dismiss: the first reason is already chosen, so Enter would confirm it.
  await mb.action("Stale", /^Dismiss/).click();
  const dialog = b.page.getByRole("dialog", { name: "Dismiss question" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("radio", { name: "Already answered" })).toBeChecked();
  await expect(dialog.getByRole("button", { name: "Dismiss" })).toBeEnabled();
  await expectNoAxeViolations(b.page, "dismiss dialog");

  // Meanwhile A approves; B's list shows it live, behind the open dialog.
  await ma.action("Stale", /^Approve/).click();
  await expect(ma.outcome).toHaveText("Approved.");
  await expect(pan.queue.getByText("Stale: who signs off on partner priority?")).toBeVisible();

  // B confirms the dismissal decided on the old view: refused, told plainly, the card shows the fresh state.
  await dialog.getByRole("radio", { name: "Not a question" }).check();
  await dialog.getByRole("button", { name: "Dismiss" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(mb.outcome).toHaveText(/A moderator changed this question a moment ago \(it is now approved\)\. Your action was not applied/);
  await expect(mb.outcome).toHaveAttribute("role", "status");
  await mb.tab(/Panel queue/).click();
  await expect(mb.item("Stale")).toBeVisible();
  await expect(mb.action("Stale", /^Put on stage/)).toBeVisible();
  await expectNoAxeViolations(b.page, "moderation console after a refused action");

  // The panel still has it; the database agrees.
  await expect(pan.queue.getByText("Stale: who signs off on partner priority?")).toBeVisible();
  const [row] = await plenary.services.db.select().from(questions).where(eq(questions.id, asked.question.id));
  expect(row).toMatchObject({ status: "approved", dismissReason: null });

  // The merge dialog opens with the most similar question chosen: Enter confirms it.
  await plenary.services.qa.submit(actor, { slug: SLUG, key: "conflict-k2", text: "Stale too: who signs off on partner priority today?", anonymous: true });
  await mb.tab(/Incoming/).click();
  await mb.choose("Stale too", /^Merge/);
  const merge = b.page.getByRole("dialog", { name: "Merge into another question" });
  await expect(merge.getByRole("radio").first()).toBeChecked();
  await expect(merge.getByRole("radio").first()).toBeFocused();
  await b.page.keyboard.press("Enter");
  await expect(mb.outcome).toHaveText("Merged; votes combined.");

  await Promise.all([a.context.close(), b.context.close(), panelist.context.close()]);
});
