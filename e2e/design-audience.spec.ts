/**
 * Each audience view designed for its device and its moment (issue 13), as layout assertions:
 * - the phone in the room (390×844, joined with the room code): the ask box inside the first screen,
 *   no stream card, a newly opened poll announced (banner with a jump, and the live region);
 * - the remote stakeholder (1366×768, stream live): the video at least 60% of the page's width, with
 *   labelled, keyboard-operable mute, volume, picture-in-picture and full-screen controls, and a
 *   captions slot over the video;
 * - the panelist's tablet (1024×768): no site chrome above the stage, the queue starting at the top.
 */
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { accessCode, joinWithCode, signedIn } from "./qa-pages";
import { approvedQuestions, moderatorActor, runningPoll } from "./design-helpers";
import { expectVideoPlaying } from "./stream-helpers";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record, streamed
const DAY1 = "fms-planning"; // 09:45–11:15 Thursday, Chatham House Rule
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00", livekit: true } });
test.describe.configure({ mode: "serial" });
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

test("in the room on a phone: ask first, no stream card, a new poll announced with a jump to it", async ({ browser, plenary }) => {
  await approvedQuestions(plenary, SLUG, ["How do partners see LOA status in real time?", "Will the reform working group publish its findings?"]);
  const context = await browser.newContext({ baseURL: plenary.url, ...PHONE });
  const page = await context.newPage();
  await joinWithCode(page, await accessCode(plenary, SLUG));
  const qa = page.getByRole("region", { name: "Questions & answers" });
  const ask = qa.getByRole("textbox", { name: "Your question" });
  await expect(ask).toBeVisible();
  await expect(qa.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  await expect(page.locator("article[data-audience]")).toHaveAttribute("data-audience", "room");

  // The ask box's top is inside the first screen, and there is no stream card for a phone in the room.
  const box = (await ask.boundingBox())!;
  expect(box.y, "ask box top").toBeLessThan(844 - 100);
  await expect(page.getByRole("heading", { name: "Live stream" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Watch" })).toHaveCount(0);
  await expectNoAxeViolations(page, "session page on a phone in the room");

  // A poll opens: a visible banner with a jump, and the screen-reader announcement.
  const question = "Which area should government and industry tackle first?";
  await runningPoll(plenary, SLUG, question, ["Contracting speed", "Workforce", "Export policy", "Industrial base"], 0);
  const banner = page.getByTestId("poll-banner");
  await expect(banner).toContainText(`New poll: ${question}`);
  await expect(page.getByTestId("poll-announcer")).toHaveText(`New poll: ${question}`);
  // It slides in: measure where it comes to rest.
  await banner.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
  const bannerBox = (await banner.boundingBox())!;
  expect(bannerBox.y + bannerBox.height, "banner inside the screen").toBeLessThanOrEqual(844);
  await expectNoAxeViolations(page, "session page on a phone with the new-poll banner");
  await banner.getByRole("link", { name: "Jump to poll" }).click();
  const poll = page.getByRole("article", { name: question });
  await expect(poll).toBeFocused();
  await expect(poll).toBeInViewport();
  await expect(banner).toHaveCount(0);
  // The live poll comes right after the ask box, before the audience's questions.
  const pollTop = (await poll.boundingBox())!.y + (await page.evaluate(() => window.scrollY));
  const listTop = (await qa.getByRole("region", { name: "Questions from the audience" }).boundingBox())!.y + (await page.evaluate(() => window.scrollY));
  expect(pollTop, "poll above the question list").toBeLessThan(listTop);
  await context.close();
});

test("in the room on a Day 1 phone: the ask box in the first screen, under the Chatham House Rule", async ({ browser, plenary }) => {
  plenary.clock.set!(new Date("2024-05-23T10:00:00-04:00"));
  try {
    const context = await browser.newContext({ baseURL: plenary.url, ...PHONE });
    const page = await context.newPage();
    await joinWithCode(page, await accessCode(plenary, DAY1));
    const ask = page.getByRole("region", { name: "Questions & answers" }).getByRole("textbox", { name: "Your question" });
    await expect(ask).toBeVisible();
    expect((await ask.boundingBox())!.y, "ask box top").toBeLessThan(844 - 100);
    await expect(page.getByText("Chatham House Rule.", { exact: false }).first()).toBeVisible();
    await expect(page.getByRole("heading", { name: "Live stream" })).toHaveCount(0);
    await expectNoAxeViolations(page, "Day 1 session page on a phone in the room");
    await context.close();
  } finally {
    plenary.clock.set!(new Date("2024-05-24T10:00:00-04:00"));
  }
});

test("a remote stakeholder at 1366×768 watches in a theater layout with player controls", async ({ browser, plenary }) => {
  test.setTimeout(300_000);
  const panelist = await signedIn(browser, plenary, { name: "Pat Panelist", email: "pat-design@example.org", roles: [{ slug: SLUG, role: "panelist" }] });
  const bp = panelist.page;
  await bp.goto(`/sessions/${SLUG}/backstage`);
  await bp.getByRole("button", { name: "Preview camera and microphone" }).click();
  await bp.getByRole("button", { name: "Join backstage" }).click();
  await expect(bp.getByText("You are backstage.")).toBeVisible({ timeout: 20_000 });
  const row = (await plenary.services.agenda.findRow(SLUG))!;
  await plenary.services.streaming.setState(await moderatorActor(plenary, SLUG), row, "start", { emptyStage: true });

  const viewer = await signedIn(
    browser,
    plenary,
    { name: "Remy Remote", email: "remy-design@example.org", affiliation: "Partner Nation MoD", attendanceMode: "remote" },
    { viewport: { width: 1366, height: 768 } },
  );
  const page = viewer.page;
  await page.goto(`/sessions/${SLUG}`);
  await page.getByRole("button", { name: "Watch" }).click();
  const video = 'video[aria-label="Pat Panelist (camera)"]';
  await expectVideoPlaying(page, video);
  const width = await page.locator(video).evaluate((v) => v.getBoundingClientRect().width);
  expect(width, "video width against 60% of 1366 px").toBeGreaterThanOrEqual(0.6 * 1366);
  const frame = (await page.getByTestId("player").boundingBox())!;
  expect(frame.width / frame.height).toBeCloseTo(16 / 9, 1);
  // Q&A beside the video, not a page below it.
  const qa = (await page.getByRole("region", { name: "Questions & answers" }).boundingBox())!;
  expect(qa.y, "Q&A starts within the first screen").toBeLessThan(768);
  // The captions slot is inside the player frame (so it goes full screen with it).
  await expect(page.getByTestId("player").getByTestId("video-captions-slot")).toHaveCount(1);

  // Controls: labelled, reachable and operable by keyboard.
  const controls = page.getByRole("group", { name: "Player controls" });
  const mute = controls.getByRole("button", { name: "Mute" });
  await mute.focus();
  await page.keyboard.press("Enter");
  await expect(controls.getByRole("button", { name: "Unmute" })).toHaveAttribute("aria-pressed", "true");
  await expect
    .poll(() =>
      page
        .locator('audio[data-speaker="Pat Panelist"]')
        .first()
        .evaluate((a: HTMLAudioElement) => a.muted),
    )
    .toBe(true);
  await page.keyboard.press("Enter");
  const volume = controls.getByRole("slider", { name: "Volume" });
  await volume.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowLeft");
  await expect(volume).toHaveValue("80");
  await expect
    .poll(() =>
      page
        .locator('audio[data-speaker="Pat Panelist"]')
        .first()
        .evaluate((a: HTMLAudioElement) => a.volume),
    )
    .toBeCloseTo(0.8);
  await expect(controls.getByRole("button", { name: "Picture in picture" })).toBeEnabled();
  const fullscreen = controls.getByRole("button", { name: "Full screen" });
  await fullscreen.focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute("data-testid") ?? null)).toBe("player");
  await page.evaluate(() => document.exitFullscreen());
  await expect(controls.getByRole("button", { name: "Full screen" })).toHaveAttribute("aria-pressed", "false");
  await expectNoAxeViolations(page, "session page, remote, watching in the theater");
  await viewer.context.close();
  await panelist.context.close();
});

test("the panelist's tablet: no site chrome above the stage, the queue at the top, a way out", async ({ browser, plenary }) => {
  await approvedQuestions(
    plenary,
    SLUG,
    ["What is the timeline for the new pricing rules?", "How will FMS-only items be handled?", "What about sustainment cases?"],
    { stage: true },
  );
  const { page, context } = await signedIn(
    browser,
    plenary,
    { name: "Tab Panelist", email: "tab-panel@example.org", roles: [{ slug: SLUG, role: "panelist" }] },
    { viewport: { width: 1024, height: 768 }, hasTouch: true },
  );
  await page.goto(`/sessions/${SLUG}/panel`);
  await expect(page.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  await expect(page.locator(".site-header")).toBeHidden();
  const stage = (await page.getByRole("heading", { name: "On stage" }).boundingBox())!;
  expect(stage.y, "stage heading near the top").toBeLessThan(105);
  const queue = page.getByRole("list", { name: "Approved questions in the moderators' order" });
  await expect(queue.getByRole("listitem").first()).toBeVisible();
  expect((await page.getByRole("heading", { name: /^Queue/ }).boundingBox())!.y, "queue heading near the top").toBeLessThan(150);
  expect((await queue.boundingBox())!.y, "queue inside the first screen").toBeLessThan(768 / 2);
  await expect(page.getByRole("navigation", { name: "Leave the panel view" }).getByRole("link", { name: "← Session page" })).toHaveAttribute(
    "href",
    `/sessions/${SLUG}`,
  );
  await expectNoAxeViolations(page, "panel view on a tablet");
  await context.close();
});
