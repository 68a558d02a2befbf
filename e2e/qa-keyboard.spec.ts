/**
 * Moderation without a mouse: every action from the keyboard with the shortcuts shown on screen (and
 * axe-core on every dialog and the edit mode); and two moderators at once, where the second is told
 * plainly and sees the fresh state.
 */
import { eq } from "drizzle-orm";
import { auditLog, questions } from "../db/schema";
import type { SubmitResult } from "../lib/qa";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { ConsolePage, signedIn } from "./qa-pages";
import { createPerson } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";

const SLUG = "defense-industry-perspectives";
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });

/** Questions asked through the service, the way a socket command would, by people of the audience. */
async function ask(plenary: TestServer, texts: string[], attendanceMode: "remote" | "in_person" = "remote") {
  const out: SubmitResult[] = [];
  for (const [i, text] of texts.entries()) {
    const p = await createPerson(plenary.services, {
      name: `Asker ${Math.random()}`,
      email: `asker-${Math.random()}@example.org`,
      attendanceMode: i % 2 ? "in_person" : attendanceMode,
    });
    const { actor } = await plenary.services.auth.resolveToken(p.token);
    out.push(await plenary.services.qa.submit(actor, { slug: SLUG, key: `k${Math.random().toString(36).slice(2, 12)}`, text, anonymous: true }));
  }
  return out;
}

test("a moderator triages, edits, merges, stages, answers and undoes with the keyboard only", async ({ browser, plenary }) => {
  test.setTimeout(90_000);
  await ask(plenary, [
    "First: how are FMS timelines measured?",
    "Second: off topic, where is lunch?",
    "Third: wat about trainig budgets",
    "Fourth: how are timelines for FMS measured today?",
  ]);
  await createPerson(plenary.services, { name: "Penny Panelist", email: "penny@example.org", roles: [{ slug: SLUG, role: "panelist" }] });
  const { page, context } = await signedIn(browser, plenary, { name: "Kim Keyboard", email: "kim@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const mod = new ConsolePage(page);
  await mod.goto(SLUG);
  const key = (k: string) => page.keyboard.press(k);
  const focused = page.locator("article.qa-mod-item:focus");

  // The shortcuts are on screen.
  await expect(page.getByRole("group", { name: "Keyboard shortcuts" }).or(page.locator("details.qa-shortcuts"))).toContainText(
    "Approve, dismiss, edit, star, tags",
  );
  await expect(mod.action("First", /Approve/)).toContainText("A");

  await key("1");
  await key("j");
  await expect(focused).toContainText("First: how are FMS timelines measured?");
  await key("a");
  await expect(mod.outcome).toHaveText("Approved.");
  // The next incoming question takes the focus.
  await expect(focused).toContainText("Second");
  await key("d");
  const dialog = page.getByRole("dialog", { name: "Dismiss question" });
  await expect(dialog).toBeVisible();
  await expectNoAxeViolations(page, "dismiss dialog");
  await key("ArrowDown");
  await key("ArrowDown");
  await expect(dialog.getByRole("radio", { name: "Off topic for this session" })).toBeChecked();
  await key("Enter");
  await expect(mod.outcome).toHaveText("Dismissed: Off topic for this session");
  await expect(dialog).toHaveCount(0);

  await expect(focused).toContainText("Third");
  await key("e");
  const editor = page.getByRole("textbox", { name: /Edit the question/ });
  await expect(editor).toBeFocused();
  await expectNoAxeViolations(page, "moderation console in edit mode");
  await key("Control+a");
  await page.keyboard.type("Third: what about training budgets?");
  await key("Control+Enter");
  await expect(mod.outcome).toHaveText("Text edited; the original is kept.");
  await expect(focused).toContainText("Edited; the asker wrote: “Third: wat about trainig budgets”");
  await key("s");
  await expect(mod.outcome).toHaveText("Starred.");
  await key("t");
  await expect(page.getByRole("dialog", { name: "Private tags" })).toBeVisible();
  await expectNoAxeViolations(page, "tags dialog");
  await page.keyboard.type("budget, training");
  await key("Enter");
  await expect(mod.outcome).toHaveText("Tags: budget, training.");
  await key("a");
  await expect(mod.outcome).toHaveText("Approved.");

  // Merge the duplicate into the first question: the most similar candidate comes first, and a
  // search reaches any open question of the session.
  await expect(focused).toContainText("Fourth");
  await key("m");
  const merge = page.getByRole("dialog", { name: "Merge into another question" });
  await expect(merge.getByRole("radio").first()).toBeFocused();
  await expect(merge.getByRole("radio").first()).toHaveAccessibleName(/First: how are FMS timelines measured\?/);
  await expectNoAxeViolations(page, "merge dialog");
  await key("Shift+Tab");
  await expect(merge.getByRole("searchbox", { name: "Search all open questions of this session" })).toBeFocused();
  await page.keyboard.type("budgets");
  await expect(merge.getByRole("status")).toHaveText("1 question matches “budgets”.");
  await expect(merge.getByRole("radio")).toHaveCount(1);
  await expect(merge.getByRole("radio")).toHaveAccessibleName(/Third: what about training budgets\?/);
  await key("Control+a");
  await page.keyboard.type("FMS timelines");
  await expect(merge.getByRole("radio")).toHaveCount(1);
  await expectNoAxeViolations(page, "merge dialog with a search");
  await key("Tab");
  await expect(merge.getByRole("radio", { name: /First: how are FMS timelines measured\?/ })).toBeFocused();
  await key("Space");
  await key("Enter");
  await expect(mod.outcome).toHaveText("Merged; votes combined.");

  // The panel queue: order, stage, answer, undo.
  await key("2");
  await key("j");
  await expect(focused).toContainText("First");
  await expect(focused).toContainText("+1 merged");
  await key("]");
  await expect(mod.outcome).toHaveText("Moved down.");
  await expect(page.locator("article.qa-mod-item").first()).toContainText("Third");
  await key("p");
  await expect(mod.outcome).toHaveText("On stage.");
  await expect(focused).toContainText("On stage");
  await key("x");
  await expect(mod.outcome).toHaveText("Marked answered.");
  await key("u");
  await expect(mod.outcome).toHaveText("Undone: marking answered.");
  await key("3");
  await expect(page.getByText("No questions here.")).toBeVisible();
  await key("2");

  // Off the stage (P), routed to a panelist (R), answered, back in the queue (O), and a dismissed
  // question restored to the incoming list (O).
  await key("j");
  await expect(focused).toContainText("Third");
  await key("j");
  await expect(focused).toContainText("First");
  await expect(focused).toContainText("On stage");
  await expect(mod.action("First", /Take off stage/)).toContainText("P");
  await key("p");
  await expect(mod.outcome).toHaveText("Taken off stage.");
  await expect(focused).not.toContainText("On stage");
  await key("r");
  const route = page.getByRole("dialog", { name: "Route to a panelist" });
  await expect(route.getByRole("radio", { name: "Nobody in particular" })).toBeFocused();
  await expectNoAxeViolations(page, "route dialog");
  await key("ArrowDown");
  await expect(route.getByRole("radio", { name: "Penny Panelist" })).toBeChecked();
  await key("Enter");
  await expect(mod.outcome).toHaveText("Routed to Penny Panelist.");
  await expect(focused).toContainText("For Penny Panelist");
  await key("x");
  await expect(mod.outcome).toHaveText("Marked answered.");
  await key("3");
  await key("j");
  await expect(focused).toContainText("First");
  await expect(mod.action("First", /Back to queue/)).toContainText("O");
  await key("o");
  await expect(mod.outcome).toHaveText("Back in the queue.");
  await key("4");
  await key("j");
  await expect(focused).toContainText("Second");
  await key("o");
  await expect(mod.outcome).toHaveText("Restored to the incoming list.");
  await key("2");

  // Search, and the session switches, reached with Tab.
  await key("/");
  await expect(page.getByRole("searchbox", { name: /Search/ })).toBeFocused();
  await page.keyboard.type("training");
  await expect(page.locator("article.qa-mod-item")).toHaveCount(1);
  await key("Escape");
  await expect(page.locator("article.qa-mod-item")).toHaveCount(2);
  // Filters: by origin and starred.
  await page.getByRole("combobox", { name: "From" }).selectOption("room");
  await expect(page.getByText("No questions here with these filters.")).toBeVisible();
  await page.getByRole("combobox", { name: "From" }).selectOption("remote");
  await expect(page.locator("article.qa-mod-item")).toHaveCount(2);
  await page.getByRole("checkbox", { name: "Starred only" }).check();
  await expect(page.locator("article.qa-mod-item")).toHaveCount(1);
  await expect(page.locator("article.qa-mod-item")).toContainText("Third");
  await page.getByRole("combobox", { name: "Tag" }).selectOption("budget");
  await expect(page.locator("article.qa-mod-item")).toHaveCount(1);
  await page.getByRole("checkbox", { name: "Starred only" }).uncheck();
  await page.getByRole("combobox", { name: "Tag" }).selectOption("");
  await page.getByRole("combobox", { name: "From" }).selectOption("all");

  const pause = page.getByRole("switch", { name: "Pause new questions" });
  for (let i = 0; i < 30 && !(await pause.evaluate((el) => el === document.activeElement)); i++) await key("Shift+Tab");
  await expect(pause).toBeFocused();
  await key("Space");
  await expect(pause).toHaveAttribute("aria-checked", "true");
  await expectNoAxeViolations(page, "moderation console after a keyboard run");
  await key("Space");
  await expect(pause).toHaveAttribute("aria-checked", "false");

  const rows = await plenary.services.db.select().from(questions);
  const byText = (t: string) => rows.find((r) => r.text.startsWith(t))!;
  expect(byText("First")).toMatchObject({ status: "approved" });
  expect(byText("Second")).toMatchObject({ status: "pending", dismissReason: null });
  expect(byText("Third")).toMatchObject({ status: "approved", starred: true, tags: ["budget", "training"], originalText: "Third: wat about trainig budgets" });
  expect(byText("First").routedTo).not.toBeNull();
  expect(byText("Fourth")).toMatchObject({ status: "merged", mergedInto: byText("First").id });
  const trail = await plenary.services.db.select().from(auditLog).where(eq(auditLog.actorLabel, "Kim Keyboard"));
  expect(new Set(trail.map((e) => e.action))).toEqual(
    new Set([
      "question:approve",
      "question:dismiss",
      "question:edit",
      "question:star",
      "question:tags",
      "question:merge",
      "question:move",
      "question:stage",
      "question:unstage",
      "question:route",
      "question:answer",
      "question:reopen",
      "question:restore",
      "question:undo",
      "qa:pause",
    ]),
  );
  await context.close();
});

test("two moderators: every action shows up live for the other, and a stale action is refused plainly with the fresh state", async ({ browser, plenary }) => {
  const [q] = await ask(plenary, ["Concurrent: who decides partner priority?"]);
  const a = await signedIn(browser, plenary, { name: "Mod A", email: "a@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const b = await signedIn(browser, plenary, { name: "Mod B", email: "b@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const ma = new ConsolePage(a.page);
  const mb = new ConsolePage(b.page);
  await Promise.all([ma.goto(SLUG), mb.goto(SLUG)]);
  await ma.choose("Concurrent", /^Star/);
  await expect(mb.item("Concurrent")).toContainText("★ Starred");

  // B loses the connection and, looking at the old state, dismisses; meanwhile A approves.
  await b.context.setOffline(true);
  await expect(b.page.getByTestId("qa-connection")).toHaveAttribute("data-status", "offline");
  await mb.action("Concurrent", /^Dismiss/).click();
  await b.page.getByRole("dialog").getByRole("radio", { name: "Not a question" }).check();
  await b.page.getByRole("dialog").getByRole("button", { name: "Dismiss" }).click();
  await ma.action("Concurrent", /^Approve/).click();
  await expect(ma.outcome).toHaveText("Approved.");
  await b.context.setOffline(false);
  await expect(mb.outcome).toHaveText(/A moderator changed this question a moment ago \(it is now approved\)\. Your action was not applied/);
  await mb.tab(/Panel queue/).click();
  await expect(mb.item("Concurrent")).toBeVisible();
  const [row] = await plenary.services.db.select().from(questions).where(eq(questions.id, q.question.id));
  expect(row).toMatchObject({ status: "approved", dismissReason: null });
  await a.context.close();
  await b.context.close();
});
