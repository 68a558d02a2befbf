/**
 * The room screen never scrolls (issue 13): at 1920×1080 and 1280×720, with the join code, a
 * 500-character question on stage and a six-option poll (then a word cloud), the page fits the
 * viewport, every poll bar is inside it, and the type stays large enough for the back of a ballroom.
 */
import type { Page } from "@playwright/test";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { layoutShifts, ScreenPage, signedIn, watchLayoutShifts } from "./qa-pages";
import { approvedQuestions, attendeeActor, longQuestion, moderatorActor, pageFit, runningPoll, SIX_OPTIONS } from "./design-helpers";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });
const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 720 },
];

async function expectInside(page: Page, selector: string, what: string) {
  const { innerWidth, innerHeight } = await pageFit(page);
  const boxes = await page.locator(selector).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  expect(boxes.length, `${what} present`).toBeGreaterThan(0);
  for (const [i, b] of boxes.entries()) {
    expect(b.top, `${what} ${i + 1} top`).toBeGreaterThanOrEqual(0);
    expect(b.bottom, `${what} ${i + 1} bottom inside the ${innerHeight} px screen`).toBeLessThanOrEqual(innerHeight);
    expect(b.right, `${what} ${i + 1} right edge`).toBeLessThanOrEqual(innerWidth);
  }
}

async function expectFits(page: Page, label: string) {
  const fit = await pageFit(page);
  expect(fit.scrollHeight, `${label}: page taller than the screen`).toBeLessThanOrEqual(fit.innerHeight);
  expect(fit.scrollWidth, `${label}: page wider than the screen`).toBeLessThanOrEqual(fit.innerWidth);
  await expectInside(page, '[data-testid="screen-code"]', "join code");
}

/** The screen refits its text after a resize (a frame or two, longer on a loaded machine): the layout must end up fitting. */
const settled = (check: () => Promise<void>) => expect(check).toPass({ timeout: 10_000 });

const px = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));

test("the room screen's words appear at their size: nothing jumps as it loads (no poll running)", async ({ browser, plenary }) => {
  const { page, context } = await signedIn(
    browser,
    plenary,
    { name: "Room Screen Load", email: "room-screen-load@example.org", roles: [{ slug: SLUG, role: "panelist" }] },
    { viewport: SIZES[0] },
  );
  await watchLayoutShifts(context);
  const screen = new ScreenPage(page);
  await screen.goto(SLUG);
  await expect(page.locator(".screen-fit")).toBeVisible();
  // First in the file: no poll runs yet (one appearing after the first paint rearranges the screen).
  // Its server-rendered text had no size yet: it is shown once sized, so its first frame is its last.
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((done) => requestAnimationFrame(done))));
  // The fitted block itself (a web font arriving late may still nudge the bar's and the card's words).
  expect(await layoutShifts(page), "what moved as the screen loaded").not.toContainEqual(expect.stringContaining("screen-fit"));
  await context.close();
});

test("the room screen fits 1080p and 720p with a 500-character question, a six-option poll and a word cloud", async ({ browser, plenary }) => {
  test.setTimeout(120_000);
  const text = longQuestion(500);
  expect(text).toHaveLength(500);
  await approvedQuestions(plenary, SLUG, [text], { stage: true });
  const { page, context } = await signedIn(
    browser,
    plenary,
    { name: "Room Screen", email: "room-screen@example.org", roles: [{ slug: SLUG, role: "panelist" }] },
    { viewport: SIZES[0] },
  );
  const screen = new ScreenPage(page);
  await screen.goto(SLUG);
  await expect(screen.onStage).toContainText(text.slice(0, 40));

  // The question alone.
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await settled(async () => {
      await expectFits(page, `question only at ${size.width}×${size.height}`);
      await expectInside(page, '[data-testid="screen-on-stage"] .qa-text', "question");
      // Read from the back of the room: no smaller than ~3.3% of the screen's height even at 500 characters.
      expect(await px(page, '[data-testid="screen-on-stage"] .qa-text')).toBeGreaterThanOrEqual(size.height * 0.033);
    });
  }

  // A six-option poll beside it.
  await runningPoll(plenary, SLUG, "Which area should government and industry tackle first, and why does it matter to partners?", SIX_OPTIONS, 12);
  await expect(page.getByTestId("poll-results").getByRole("listitem")).toHaveCount(6);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await settled(async () => {
      await expectFits(page, `question and poll at ${size.width}×${size.height}`);
      await expectInside(page, ".poll-bar-row", "poll bar");
      await expectInside(page, '[data-testid="screen-on-stage"] .qa-text', "question");
      expect(await px(page, ".poll-bar-label")).toBeGreaterThanOrEqual(size.height * 0.018);
    });
  }
  await page.setViewportSize(SIZES[0]);
  await expectNoAxeViolations(page, "room screen with a question and a poll");

  // The poll closes; a word cloud runs instead.
  const mod = await moderatorActor(plenary, SLUG);
  const open = (await plenary.services.polls.sync(mod, SLUG)).polls.filter((e) => e.poll.status === "open");
  for (const e of open) await plenary.services.polls.close(mod, e.poll.id);
  const cloud = await plenary.services.polls.create(mod, {
    slug: SLUG,
    clientKey: "design-word-cloud-1",
    draft: { kind: "word_cloud", question: "One word for the FMS process today?", resultsVisibility: "live", durationSeconds: null },
    open: true,
  });
  const words = ["slow", "complex", "improving", "opaque", "essential", "slow", "slow", "complex", "partnership", "bureaucratic", "predictable", "improving"];
  for (const [i, w] of words.entries()) {
    const voter = await attendeeActor(plenary, `cloud-${i}`);
    await plenary.services.polls.answer(voter, { pollId: cloud.id, answer: { kind: "word_cloud", text: w } });
  }
  await expect(page.getByRole("heading", { name: "One word for the FMS process today?" })).toBeVisible();
  await expect(page.locator(".poll-cloud li").first()).toBeVisible();
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await settled(async () => {
      await expectFits(page, `question and word cloud at ${size.width}×${size.height}`);
      await expectInside(page, ".poll-cloud li", "word");
    });
  }
  await expectNoAxeViolations(page, "room screen with a word cloud");
  await context.close();
});
