/**
 * Notes to the panel end to end, and honest refusals backstage: a moderator sends a note from the
 * console, the panelist's tablet shows it large and announces it, the panelist acknowledges, and the
 * console shows who read it. A Day 1 moderator opening Backstage is told the real reason (the
 * Chatham House Rule); a Day 2 backstage before its window says when it opens.
 */
import { test, expect, expectNoAxeViolations, loseCommands } from "./fixtures";
import { ConsolePage, PanelPage, signedIn, TABLET } from "./qa-pages";

const SLUG = "defense-industry-perspectives"; // Day 2, 09:45–11:15, on the record and streamed
const LAPTOP = { viewport: { width: 1366, height: 768 } };
/** A socket event name (`note:send`, `caption:push`…) shown to a person. */
const PROTOCOL_NAME = /\b(caption|stream|note|question|hand|session|poll|qa):[a-z-]+\b/;
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });
// Several browsers and a server per worker: room for a busy shared machine.
test.describe.configure({ timeout: 180_000 });

test("a note from the moderation console reaches the panel view, and the sender sees it read", async ({ browser, plenary }) => {
  const mod = await signedIn(browser, plenary, { name: "Morgan Moderator", email: "morgan@example.org", roles: [{ slug: SLUG, role: "moderator" }] }, LAPTOP);
  const pan = await signedIn(browser, plenary, { name: "Penny Panelist", email: "penny@example.org", roles: [{ slug: SLUG, role: "panelist" }] }, TABLET);
  const audience = await signedIn(browser, plenary, { name: "Ari Attendee", email: "ari@example.org" });
  const console_ = new ConsolePage(mod.page);
  const panel = new PanelPage(pan.page);
  await Promise.all([console_.goto(SLUG), panel.goto(SLUG)]);
  await audience.page.goto(`/sessions/${SLUG}`);

  const composer = mod.page.getByRole("region", { name: "Note to the panel" });
  await expect(composer).toBeVisible();
  await expect(composer).toBeInViewport();
  // Nothing for the panel yet: the tablet gives the notes no room.
  await expect(pan.page.getByTestId("notes-inbox")).toHaveCount(0);

  // A free text over the limit is refused with the shared text rule's message, and nothing is sent.
  await composer.getByRole("textbox", { name: /Your note/ }).fill("x".repeat(141));
  await composer.getByRole("button", { name: "Send note" }).click();
  await expect(composer.getByTestId("note-outcome")).toHaveText(/at most 140 characters/);
  await composer.getByRole("textbox", { name: /Your note/ }).fill("");

  await composer.getByRole("group", { name: "Quick notes" }).getByRole("button", { name: "2 minutes left" }).click();
  await expect(composer.getByTestId("note-outcome")).toHaveText("Sent: 2 minutes left");
  await expect(composer.getByTestId("sent-note").first()).toContainText("Not read yet");

  const note = pan.page.getByTestId("unread-note");
  await expect(note).toContainText("2 minutes left");
  await expect(note).toContainText("From Morgan Moderator (moderator)");
  await expect(note).toBeInViewport();
  // Announced to screen readers as it arrives.
  await expect(pan.page.locator('.visually-hidden[aria-live="assertive"]')).toHaveText("Note from Morgan Moderator: 2 minutes left");
  await expectNoAxeViolations(pan.page, "panel view with a note");
  await expectNoAxeViolations(mod.page, "moderation console after sending a note");

  await note.getByRole("button", { name: "Got it: 2 minutes left" }).click();
  await expect(note).toHaveCount(0);
  await expect(pan.page.getByTestId("last-read-note")).toContainText("2 minutes left");
  await expect(composer.getByTestId("sent-note").first()).toContainText(/Read by Penny Panelist at \d{1,2}:\d\d/);

  // No protocol names on the staff views.
  for (const p of [mod.page, pan.page]) expect(await p.locator("body").innerText()).not.toMatch(PROTOCOL_NAME);
  // The audience's page never received it.
  expect(await audience.page.content()).not.toContain("2 minutes left");
  for (const c of [mod, pan, audience]) await c.context.close();
});

test("Backstage tells a Day 1 moderator the real reason (Chatham House Rule), and a Day 2 backstage before its window when it opens", async ({
  browser,
  plenary,
}) => {
  const day1 = await signedIn(
    browser,
    plenary,
    { name: "Dana DayOne", email: "dana@example.org", roles: [{ slug: "fms-planning", role: "moderator" }] },
    LAPTOP,
  );
  const res = await day1.page.goto("/sessions/fms-planning/backstage");
  expect(res?.status()).toBe(200);
  await expect(day1.page.getByTestId("refusal-reason")).toHaveText(
    "This session is held under the Chatham House Rule: it is in the room only and never streamed.",
  );
  await expect(day1.page.getByText("your role does not allow")).toHaveCount(0);
  await expectNoAxeViolations(day1.page, "Day 1 backstage refusal");

  const later = await signedIn(
    browser,
    plenary,
    { name: "Lee Later", email: "lee@example.org", roles: [{ slug: "wrap-up-discussion-and-conclusion", role: "moderator" }] },
    LAPTOP,
  );
  await later.page.goto("/sessions/wrap-up-discussion-and-conclusion/backstage");
  await expect(later.page.getByTestId("stream-window")).toHaveText(
    /^The stream of this session opens at 11:00 .* \(30 minutes before the start\)\. Come back then\.$/,
  );
  expect(await day1.page.locator("body").innerText()).not.toMatch(PROTOCOL_NAME);
  await day1.context.close();
  await later.context.close();
});

test("Backstage keeps its layout while the notes load: the composer has its place from the start", async ({ browser, plenary }) => {
  const mod = await signedIn(
    browser,
    plenary,
    { name: "Bea Backstage", email: "bea-backstage@example.org", roles: [{ slug: SLUG, role: "moderator" }] },
    LAPTOP,
  );
  const losing = await loseCommands(mod.page, ["note:sync"]);
  await mod.page.goto(`/sessions/${SLUG}/backstage`);
  await expect.poll(() => losing.lost).toBeGreaterThan(0);
  // The server said at render that this moderator sends notes: the composer is there, unusable.
  const composer = mod.page.getByRole("region", { name: "Note to the panel" });
  await expect(composer.getByRole("button", { name: "Send note" })).toBeDisabled();
  await expect(composer.getByText("Loading notes…")).toBeVisible();
  const requests = mod.page.getByRole("heading", { name: "Requests to speak" });
  const loading = await requests.boundingBox();
  losing.on = false;
  await mod.page.reload();
  await expect(composer.getByRole("button", { name: "Send note" })).toBeEnabled();
  await expect(composer.getByText("Loading notes…")).toHaveCount(0);
  expect(await requests.boundingBox(), "where the requests to speak are, once the notes are in").toEqual(loading);
  await mod.context.close();
});
