/**
 * Screenshots of every audience-facing view at its device's size, for docs/screens/ (the design pass,
 * issue 13). Runs only when SHOTS is set: `SHOTS=before npx playwright test e2e/design-screenshots.spec.ts`
 * writes docs/screens/before-<view>.png; SHOTS=after the after-images. The layout assertions are in
 * the design-*.spec.ts files; this file asserts only that each view is there.
 */
import { test, expect } from "./fixtures";
import { accessCode, joinWithCode, signedIn } from "./qa-pages";
import { approvedQuestions, longQuestion, runningPoll, shoot } from "./design-helpers";
import { personContext, expectSomeoneOnStage, expectVideoPlaying } from "./stream-helpers";

test.skip(!process.env.SHOTS, "screenshots only on demand (SHOTS=before|after)");
// One server for both days: each test sets the simulated clock to its day.
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00", livekit: true } });
test.describe.configure({ mode: "serial" });
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };

test.describe("Day 1", () => {
  const SLUG = "fms-planning"; // Chatham House, 09:45–11:15 Thursday

  test("phone in the room, agenda", async ({ browser, plenary }) => {
    test.setTimeout(180_000);
    plenary.clock.set!(new Date("2024-05-23T10:00:00-04:00"));
    await runningPoll(plenary, SLUG, "Which planning step slows your cases most?", ["Requirements", "Pricing", "Congressional notification", "Contracting"], 6);
    await approvedQuestions(plenary, SLUG, ["How early should partners engage on total package approach?", "What changed in the LOR checklist this year?"]);
    const context = await browser.newContext({ baseURL: plenary.url, ...PHONE });
    const page = await context.newPage();
    await joinWithCode(page, await accessCode(plenary, SLUG));
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.waitForTimeout(1000);
    await shoot(page, "phone-day1");
    await context.close();

    const desk = await browser.newContext({ baseURL: plenary.url, viewport: { width: 1366, height: 768 } });
    const agenda = await desk.newPage();
    await agenda.goto("/");
    await shoot(agenda, "agenda-1366");
    await desk.close();
  });
});

test.describe("Day 2", () => {
  const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record, streamed

  test("projector, phone, panel tablet, remote viewer", async ({ browser, plenary }) => {
    test.setTimeout(360_000);
    plenary.clock.set!(new Date("2024-05-24T10:00:00-04:00"));
    await approvedQuestions(
      plenary,
      SLUG,
      [
        longQuestion(500),
        "Will the FMS reform working group publish its findings?",
        "How do partners see LOA status in real time?",
        "What is the timeline for the new pricing rules?",
      ],
      { stage: true },
    );
    await runningPoll(plenary, SLUG, "Which area should government and industry tackle first?");

    for (const [w, h] of [
      [1920, 1080],
      [1280, 720],
    ]) {
      const screen = await signedIn(
        browser,
        plenary,
        { name: `Screen ${w}`, email: `screen-${w}@example.org`, roles: [{ slug: SLUG, role: "panelist" }] },
        { viewport: { width: w, height: h } },
      );
      await screen.page.goto(`/sessions/${SLUG}/screen`);
      await expect(screen.page.getByTestId("screen-on-stage")).toBeVisible();
      await expect(screen.page.getByTestId("poll-results")).toBeVisible();
      await screen.page.waitForTimeout(500);
      await shoot(screen.page, `screen-${w}x${h}`);
      await screen.context.close();
    }

    const phone = await browser.newContext({ baseURL: plenary.url, ...PHONE });
    const p = await phone.newPage();
    await joinWithCode(p, await accessCode(plenary, SLUG));
    await expect(p.getByRole("heading", { level: 1 })).toBeVisible();
    await p.waitForTimeout(1000);
    await shoot(p, "phone-day2");
    await phone.close();

    const panel = await signedIn(
      browser,
      plenary,
      { name: "Pat Panelist", email: "pat-panel@example.org", roles: [{ slug: SLUG, role: "panelist" }] },
      { viewport: { width: 1024, height: 768 }, hasTouch: true },
    );
    await panel.page.goto(`/sessions/${SLUG}/panel`);
    await expect(panel.page.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
    await shoot(panel.page, "panel-tablet");

    // The stream: the panelist goes backstage with the fake camera, a moderator goes live, a remote viewer watches.
    const bp = panel.page;
    await bp.setViewportSize({ width: 1280, height: 800 });
    await bp.goto(`/sessions/${SLUG}/backstage`);
    await bp.getByRole("button", { name: "Preview camera and microphone" }).click();
    await bp.getByRole("button", { name: "Join backstage" }).click();
    await expect(bp.getByText("You are backstage.")).toBeVisible({ timeout: 20_000 });
    const mod = await personContext(browser, plenary, {
      name: "Morgan Moderator",
      email: "morgan-shots@example.org",
      roles: [{ slug: SLUG, role: "moderator" }],
    });
    await mod.page.goto(`/sessions/${SLUG}/backstage`);
    await expectSomeoneOnStage(mod.page);
    await mod.page.getByRole("button", { name: "Go live" }).click();
    await expect(mod.page.getByRole("status").filter({ hasText: "Live: viewers can see" })).toBeVisible();

    const viewer = await signedIn(
      browser,
      plenary,
      { name: "Remy Remote", email: "remy-shots@example.org", affiliation: "Partner Nation MoD", attendanceMode: "remote" },
      { viewport: { width: 1366, height: 768 } },
    );
    await viewer.page.goto(`/sessions/${SLUG}`);
    await viewer.page.getByRole("button", { name: "Watch" }).click();
    await expectVideoPlaying(viewer.page, 'video[aria-label="Pat Panelist (camera)"]');
    await shoot(viewer.page, "remote-1366");
    await viewer.context.close();
    await mod.context.close();
    await panel.context.close();
  });
});
