/**
 * Before its questions arrive, a screen says they are loading; it never says that there are none.
 * The page's first syncs (`qa:sync`, `note:sync`) are lost on the way, as on a network that drops
 * them, so each screen stays in the state between opening and its first answer: the audience's
 * phone, the panelist's tablet and the moderators' console. Once a sync gets through they say their
 * usual words for an empty session.
 *
 * The file's clock (10:00:07, used by no other file) gives it a server of its own, so no other
 * file's questions are in the session.
 */
import type { Page } from "@playwright/test";
import { test, expect, expectNoAxeViolations, loseCommands } from "./fixtures";
import { accessCode, AudiencePage, joinWithCode, layoutShifts, PHONE, signedIn, TABLET, watchLayoutShifts } from "./qa-pages";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record
const LAPTOP = { viewport: { width: 1366, height: 768 } };
const LOADING = "Loading questions…";
test.use({ plenaryOptions: { now: "2024-05-24T10:00:07-04:00" } });

/** Opens `path` with its syncs lost, and waits until at least one was asked for and lost. */
async function openUnsynced(page: Page, path: string) {
  const losing = await loseCommands(page, ["qa:sync", "note:sync"]);
  await page.goto(path);
  await expect.poll(() => losing.lost).toBeGreaterThan(0);
  return losing;
}

test("until its questions arrive, each screen says they are loading, not that there are none", async ({ browser, plenary }) => {
  const ann = await signedIn(browser, plenary, { name: "Ann Loading", email: "ann-loading@example.org" }, PHONE);
  const pan = await signedIn(browser, plenary, { name: "Pat Loading", email: "pat-loading@example.org", roles: [{ slug: SLUG, role: "panelist" }] }, TABLET);
  const mod = await signedIn(browser, plenary, { name: "Mo Loading", email: "mo-loading@example.org", roles: [{ slug: SLUG, role: "moderator" }] }, LAPTOP);
  const audience = new AudiencePage(ann.page);

  const annLosing = await openUnsynced(ann.page, `/sessions/${SLUG}`);
  await expect(audience.qa.getByText(LOADING)).toBeVisible();
  await expect(audience.qa.getByText("No questions yet")).toHaveCount(0);
  await expectNoAxeViolations(ann.page, "session page before its questions arrive");

  const panLosing = await openUnsynced(pan.page, `/sessions/${SLUG}/panel`);
  await expect(pan.page.getByText(LOADING).first()).toBeVisible();
  await expect(pan.page.getByText("Nothing on stage")).toHaveCount(0);
  await expect(pan.page.getByText("No approved questions yet.")).toHaveCount(0);
  await expect(pan.page.getByRole("heading", { name: "Queue", exact: true })).toBeVisible();
  await expect(pan.page.getByTestId("qa-connection")).toHaveText("Connecting…");
  const stageAt = async () => (await pan.page.getByRole("heading", { name: "On stage" }).boundingBox())?.y;
  const stageLoading = await stageAt();
  const forYouAt = async () => (await pan.page.getByRole("heading", { name: /^For you/ }).boundingBox())?.y;
  const forYouLoading = await forYouAt();
  await expectNoAxeViolations(pan.page, "panel page before its questions arrive");

  const modLosing = await openUnsynced(mod.page, `/sessions/${SLUG}/moderate`);
  await expect(mod.page.getByText(LOADING)).toBeVisible();
  await expect(mod.page.getByText("No questions here")).toHaveCount(0);
  // The tabs and the session's counts make no claim either: no tab says (0), every count is a dash.
  await expect(mod.page.getByRole("tab", { name: /Incoming/ })).toBeVisible();
  await expect(mod.page.getByRole("tab", { name: /\(\d+\)/ })).toHaveCount(0);
  await expect(mod.page.getByTestId("qa-counts")).toContainText("Answered –");
  await expect(mod.page.getByTestId("qa-counts")).not.toContainText("0");
  // Nor do the session's settings: no mode is chosen and no switch can be flipped before they load.
  const settings = mod.page.getByRole("region", { name: "Session Q&A settings" });
  await expect(settings.getByRole("radio", { checked: true })).toHaveCount(0);
  await expect(settings.getByRole("radio", { name: "Open" })).toBeDisabled();
  await expect(settings.getByRole("switch", { name: "Q&A open" })).toBeDisabled();
  const tabsAt = async () => (await mod.page.getByRole("tablist", { name: "Question lists" }).boundingBox())?.y;
  const tabsLoading = await tabsAt();
  // The side column too: the note composer is there (unusable) while the notes load.
  const shortcutsAt = async () => (await mod.page.getByText("Keyboard shortcuts").boundingBox())?.y;
  const shortcutsLoading = await shortcutsAt();
  await expect(mod.page.getByRole("button", { name: "Send note" })).toBeDisabled();
  const notes = mod.page.getByTestId("notes-sender");
  await expect(notes.getByText("Loading notes…")).toBeVisible();
  await expect(notes.getByText("No notes sent yet.")).toHaveCount(0);
  await expectNoAxeViolations(mod.page, "moderation console before its questions arrive");

  // The syncs get through: each screen says what an empty session says.
  for (const losing of [annLosing, panLosing, modLosing]) losing.on = false;
  await Promise.all([ann.page.reload(), pan.page.reload(), mod.page.reload()]);
  await expect(audience.qa.getByText("No questions yet. Be the first to ask.")).toBeVisible();
  await expect(ann.page.getByText(LOADING)).toHaveCount(0);
  await expect(pan.page.getByText("No approved questions yet.")).toBeVisible();
  await expect(pan.page.getByRole("heading", { name: "Queue (0)" })).toBeVisible();
  await expect(pan.page.getByText(LOADING)).toHaveCount(0);
  // On the tablet too the notice's going moves nothing: it floated at the window's foot.
  await expect(pan.page.getByTestId("qa-connection")).toBeHidden();
  expect(await stageAt()).toBe(stageLoading);
  // Nor does the empty stage's longer text move "For you" down.
  expect(await forYouAt()).toBe(forYouLoading);
  await expect(mod.page.getByRole("tab", { name: /^Incoming \(0\)/ })).toBeVisible();
  await expect(mod.page.getByText("No questions here.")).toBeVisible();
  await expect(mod.page.getByTestId("qa-counts")).toContainText("Answered 0");
  await expect(settings.getByRole("radio", { name: "Pre-moderated" })).toBeChecked();
  await expect(settings.getByRole("switch", { name: "Q&A open" })).toHaveAttribute("aria-checked", "true");
  await expect(settings.getByRole("switch", { name: "Q&A open" })).toBeEnabled();
  await expect(notes.getByText("No notes sent yet.")).toBeVisible();
  await expect(mod.page.getByText(LOADING)).toHaveCount(0);
  // The notice "Connecting…" has gone from the header, and the lists did not move up under the pointer.
  await expect(mod.page.getByTestId("qa-connection")).toBeHidden();
  expect(await tabsAt()).toBe(tabsLoading);
  // The notes, and the caption feed's panel (which comes last), moved the shortcuts neither.
  await expect(mod.page.getByRole("heading", { name: "Caption feed" })).toBeVisible();
  await expect(mod.page.getByRole("button", { name: "Send note" })).toBeEnabled();
  expect(await shortcutsAt()).toBe(shortcutsLoading);
  await Promise.all([ann.context.close(), pan.context.close(), mod.context.close()]);
});

test("the staff screens stay put when they connect, at every width, beside the Chatham House Rule's notice", async ({ browser, plenary }) => {
  // Day 1 for this test (fms-planning, 09:45–11:15 Thursday: a long title, and the rule's notice
  // in the console's head), and Day 2 again after it.
  plenary.clock.set!(new Date("2024-05-23T10:00:07-04:00"));
  try {
    const screens = [
      { path: "moderate", role: "moderator", width: 1280, height: 720, anchor: (p: Page) => p.getByRole("tablist", { name: "Question lists" }) },
      { path: "moderate", role: "moderator", width: 1024, height: 768, anchor: (p: Page) => p.getByRole("tablist", { name: "Question lists" }) },
      { path: "panel", role: "panelist", width: 1024, height: 768, anchor: (p: Page) => p.getByRole("heading", { name: "On stage" }) },
      { path: "panel", role: "panelist", width: 768, height: 1024, anchor: (p: Page) => p.getByRole("heading", { name: "On stage" }) },
    ] as const;
    for (const { path, role, width, height, anchor } of screens) {
      const staff = await signedIn(
        browser,
        plenary,
        { name: "Sam Rule", email: `sam-rule-${path}-${width}@example.org`, roles: [{ slug: "fms-planning", role }] },
        { viewport: { width, height } },
      );
      const losing = await openUnsynced(staff.page, `/sessions/fms-planning/${path}`);
      await expect(staff.page.getByTestId("qa-connection")).toContainText("Connecting…");
      if (path === "moderate") await expect(staff.page.getByText("Chatham House Rule: askers are never identified")).toBeVisible();
      const at = async () => (await anchor(staff.page).boundingBox())?.y;
      const loadingAt = await at();
      losing.on = false;
      await staff.page.reload();
      await expect(staff.page.getByTestId("qa-connection")).toBeHidden();
      await expect(staff.page.getByText(path === "moderate" ? "No questions here." : "No approved questions yet.")).toBeVisible();
      expect(await at(), `${path} at ${width}×${height}`).toBe(loadingAt);
      await staff.context.close();
    }
  } finally {
    plenary.clock.set!(new Date("2024-05-24T10:00:07-04:00"));
  }
});

test("the phone's ask box stays put while the page connects, and a slow first connection is said", async ({ browser, plenary }) => {
  // A phone in the room, joined with the room code: the ask box is in its first screen.
  const context = await browser.newContext({ baseURL: plenary.url, ...PHONE });
  await watchLayoutShifts(context);
  const page = await context.newPage();
  const audience = new AudiencePage(page);
  await joinWithCode(page, await accessCode(plenary, SLUG));
  for (let i = 0; i < 2; i++) {
    if (i) await page.reload();
    await expect(audience.qa.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
    await expect(audience.qa.getByText("No questions yet. Be the first to ask.")).toBeVisible();
    await expect(audience.qa.getByTestId("qa-connection")).toHaveText("");
    await expect(audience.qa.getByRole("textbox", { name: "Your question" })).toBeInViewport();
    expect(await layoutShifts(page), "what moved as the page connected").not.toContainEqual(expect.stringContaining("qa-ask"));
  }

  // A first connection that does not come: after a moment the page says so, and keeps what is sent.
  await page.routeWebSocket(/\/socket\.io\//, () => {});
  await page.route(/\/socket\.io\//, (route) => route.abort());
  await page.reload();
  await expect(audience.qa.getByTestId("qa-connection")).toHaveAttribute("data-status", "connecting");
  await expect(audience.qa.getByTestId("qa-connection")).toHaveText(/^Connecting… What you send now stays on this device/);
  await context.close();
});
