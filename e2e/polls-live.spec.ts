import { sql } from "drizzle-orm";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { expectNoPageErrors, participant, PHONE, resultRow } from "./polls-helpers";

// Friday 24 May, 09:50 EDT: "Defense industry perspectives" is live, on the record and streamed.
test.use({ plenaryOptions: { now: "2024-05-24T09:50:00-04:00" } });
const SLUG = "defense-industry-perspectives";
const QUESTION = "Which area should government and industry tackle first?";
// The tests of this file share one server: each uses its own session, so none sees another's polls.
const KEYBOARD_SLUG = "conversation-with-asd-acquisition";
const OFFLINE_SLUG = "wrap-up-discussion-and-conclusion";

test("a moderator launches a poll, phones answer, the screen shows the chart, the moderator closes and publishes, the audience sees the results", async ({
  browser,
  plenary,
}) => {
  test.setTimeout(120_000);
  const mod = await participant(browser, plenary, { name: "Mo Moderator", email: "mo@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const screen = await participant(
    browser,
    plenary,
    { name: "Ballroom screen", email: "screen@example.org", roles: [{ slug: SLUG, role: "panelist" }] },
    {
      viewport: { width: 1920, height: 1080 },
    },
  );
  const phones = await Promise.all(
    ["Ann", "Bob", "Cy"].map((n) =>
      participant(browser, plenary, { name: `${n} Attendee`, email: `${n.toLowerCase()}@example.org`, attendanceMode: "in_person" }, PHONE),
    ),
  );

  // The moderator prepares a poll before the session.
  await mod.page.goto(`/sessions/${SLUG}/polls`);
  await expect(mod.page.getByRole("heading", { level: 1 })).toContainText("Polls:");
  const form = mod.page.getByRole("form", { name: "New poll" });
  await form.getByLabel("Question").fill(QUESTION);
  await form.getByRole("textbox", { name: "Option 1" }).fill("Contracting speed");
  await form.getByRole("textbox", { name: "Option 2" }).fill("Workforce");
  await form.getByRole("button", { name: "Add option" }).click();
  await form.getByRole("textbox", { name: "Option 3" }).fill("Export policy");
  await form.getByRole("radio", { name: "Only when a moderator publishes them" }).check();
  await form.getByRole("button", { name: "Save as draft" }).click();
  await expect(mod.page.getByTestId("console-status")).toHaveText(`Draft saved: ${QUESTION}`);
  const drafts = mod.page.getByRole("region", { name: "Drafts" });
  await expect(drafts.getByRole("heading", { name: QUESTION })).toBeVisible();
  await expectNoAxeViolations(mod.page, "poll console with a draft");

  // Phones and the room screen are open before the launch; nothing is running yet.
  for (const p of phones) await p.page.goto(`/sessions/${SLUG}`);
  await screen.page.goto(`/sessions/${SLUG}/screen`);
  await expect(screen.page.getByTestId("screen-code")).toBeVisible();
  await expect(screen.page.locator(".screen-polls")).toHaveCount(0);
  await expect(phones[0].page.getByText("No polls yet")).toBeVisible();
  await expectNoAxeViolations(phones[0].page, "session page on a phone, no poll yet");

  // Launch: the poll appears on every phone without reload, and is announced to screen readers.
  await drafts.getByRole("button", { name: `Launch: ${QUESTION}` }).click();
  for (const p of phones) {
    await expect(p.page.getByRole("heading", { name: QUESTION })).toBeVisible();
    await expect(p.page.getByTestId("poll-announcer")).toHaveText(`New poll: ${QUESTION}`);
  }
  await expectNoAxeViolations(phones[0].page, "session page on a phone with an open poll");

  const answer = async (i: number, choice: string) => {
    const page = phones[i].page;
    await page.getByRole("radio", { name: choice }).check();
    await page.getByRole("button", { name: /Send answer|Change answer/ }).click();
    await expect(page.getByRole("status").filter({ hasText: "Your answer was counted" })).toHaveText(`Your answer was counted: ${choice}.`);
  };
  await answer(0, "Workforce");
  await answer(1, "Workforce");
  await answer(2, "Export policy");
  // Changing one's mind while the poll is open replaces the answer.
  await answer(2, "Contracting speed");
  await expect(phones[2].page.getByRole("button", { name: "Change answer" })).toBeVisible();

  // The room screen shows the live chart, large, with its numbers as text.
  await expect(screen.page.getByRole("heading", { name: QUESTION })).toBeVisible();
  await expect(resultRow(screen.page, "Workforce")).toContainText("2 · 66.7%");
  await expect(resultRow(screen.page, "Contracting speed")).toContainText("1 · 33.3%");
  await expect(resultRow(screen.page, "Export policy")).toContainText("0");
  await expect(screen.page.getByTestId("poll-results")).toContainText("3 answers");
  const fontSize = await screen.page.getByTestId("poll-results").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  // The chart's type is fitted to its cell (docs/design.md, at most 5% of the screen's height): three
  // options read from the back of the room at no less than the question's own floor, 3.3%.
  expect(fontSize, "the screen chart is set in large type").toBeGreaterThanOrEqual(Math.floor(1080 * 0.033));
  await expectNoAxeViolations(screen.page, "room screen with the live chart");

  // The audience does not see results yet: this poll shows them only when the moderator publishes.
  for (const p of phones) {
    await expect(p.page.getByText("Results appear here when the moderator publishes them.")).toBeVisible();
    await expect(p.page.getByTestId("poll-results")).toHaveCount(0);
  }

  // The moderator watches the same totals, closes the poll and publishes the results.
  const launched = mod.page.getByRole("region", { name: "Launched polls" });
  await expect(launched.getByTestId("poll-results")).toContainText("3 answers");
  await launched.getByRole("button", { name: `Close: ${QUESTION}` }).click();
  await expect(mod.page.getByTestId("console-status")).toHaveText(`Closed: ${QUESTION}`);
  for (const p of phones) await expect(p.page.getByRole("region", { name: "Polls" }).getByRole("radio")).toHaveCount(0);
  await expect(screen.page.getByText("Poll closed")).toBeVisible();
  await launched.getByRole("button", { name: `Publish results: ${QUESTION}` }).click();
  await expect(launched.getByText("Results published")).toBeVisible();
  await expectNoAxeViolations(mod.page, "poll console with a closed, published poll");

  for (const p of phones) {
    await expect(p.page.getByTestId("poll-announcer")).toHaveText(`Results published: ${QUESTION}`);
    await expect(resultRow(p.page, "Workforce")).toContainText("2 · 66.7%");
    await expect(p.page.getByTestId("poll-results")).toContainText("3 answers");
  }
  await expect(phones[0].page.getByText("Your answer: Workforce")).toBeVisible();
  await expectNoAxeViolations(phones[0].page, "session page on a phone with published results");

  // After a reload the phone still knows its answer, and sees the results.
  await phones[2].page.reload();
  await expect(phones[2].page.getByText("Your answer: Contracting speed")).toBeVisible();
  await expect(resultRow(phones[2].page, "Contracting speed")).toContainText("1 · 33.3%");

  expectNoPageErrors(mod, screen, ...phones);
  for (const c of [mod, screen, ...phones]) await c.context.close();
});

test("a moderator creates a poll on the spot and runs it with the keyboard alone", async ({ browser, plenary }) => {
  const mod = await participant(browser, plenary, { name: "Kay Keyboard", email: "kay@example.org", roles: [{ slug: KEYBOARD_SLUG, role: "moderator" }] });
  const phone = await participant(browser, plenary, { name: "Phil Phone", email: "phil@example.org" }, PHONE);
  await phone.page.goto(`/sessions/${KEYBOARD_SLUG}`);
  await expect(phone.page.getByText("No polls yet")).toBeVisible();
  await mod.page.goto(`/sessions/${KEYBOARD_SLUG}/polls`);
  const form = mod.page.getByRole("form", { name: "New poll" });

  // Kind: word cloud, chosen with the arrow keys inside the radio group.
  await form.getByRole("radio", { name: "Single choice" }).focus();
  for (let i = 0; i < 3; i++) await mod.page.keyboard.press("ArrowRight");
  await expect(form.getByRole("radio", { name: "Word cloud" })).toBeChecked();
  await mod.page.keyboard.press("Tab");
  await expect(form.getByLabel("Question")).toBeFocused();
  await mod.page.keyboard.type("One word for this morning?");
  // Tab on to "Launch now" and press it.
  for (let i = 0; i < 12 && !(await form.getByRole("button", { name: "Launch now" }).evaluate((el) => el === document.activeElement)); i++) {
    await mod.page.keyboard.press("Tab");
  }
  await expect(form.getByRole("button", { name: "Launch now" })).toBeFocused();
  await mod.page.keyboard.press("Enter");
  await expect(mod.page.getByTestId("console-status")).toHaveText("Launched: One word for this morning?");

  // The phone answers; words are counted whatever their case and spacing.
  await phone.page.getByLabel("Your answer (a word or a short phrase)").fill("  Momentum ");
  await phone.page.getByRole("button", { name: "Send answer" }).click();
  await expect(phone.page.getByRole("status").filter({ hasText: "Your answer was counted" })).toHaveText("Your answer was counted: “momentum”.");
  const launched = mod.page.getByRole("region", { name: "Launched polls" });
  await expect(launched.getByTestId("poll-results").getByRole("listitem")).toHaveText("momentum (1)");

  // Close it from the keyboard.
  await launched.getByRole("button", { name: "Close: One word for this morning?" }).focus();
  await mod.page.keyboard.press("Enter");
  await expect(mod.page.getByTestId("console-status")).toHaveText("Closed: One word for this morning?");
  await expect(phone.page.getByText("Closed", { exact: true })).toBeVisible();
  await expectNoAxeViolations(mod.page, "poll console with a word cloud");
  await expectNoAxeViolations(phone.page, "phone with a closed word cloud");
  expectNoPageErrors(mod, phone);
  await mod.context.close();
  await phone.context.close();
});

test("a phone that lost its connection catches up on what it missed when it comes back", async ({ browser, plenary }) => {
  const mod = await participant(browser, plenary, { name: "Rae Moderator", email: "rae@example.org", roles: [{ slug: OFFLINE_SLUG, role: "moderator" }] });
  const phone = await participant(browser, plenary, { name: "Offline Olu", email: "olu@example.org" }, PHONE);
  await phone.page.goto(`/sessions/${OFFLINE_SLUG}`);
  await expect(phone.page.getByRole("region", { name: "Polls" })).toBeVisible();
  await expect(phone.page.getByText("Loading polls…")).toHaveCount(0);

  // The phone drops off the network (its socket closes); meanwhile a poll is launched.
  await phone.context.setOffline(true);
  await expect(phone.page.getByText("Reconnecting…")).toBeVisible({ timeout: 30_000 });
  await mod.page.goto(`/sessions/${OFFLINE_SLUG}/polls`);
  const form = mod.page.getByRole("form", { name: "New poll" });
  await form.getByRole("radio", { name: "Rating scale" }).check();
  await form.getByLabel("Question").fill("How useful was this panel?");
  await form.getByRole("button", { name: "Launch now" }).click();
  await expect(mod.page.getByTestId("console-status")).toHaveText("Launched: How useful was this panel?");
  await expect(phone.page.getByRole("heading", { name: "How useful was this panel?" })).toHaveCount(0);

  // Back online: the socket reconnects and a fresh snapshot brings the poll in, without reload.
  await phone.context.setOffline(false);
  await expect(phone.page.getByRole("heading", { name: "How useful was this panel?" })).toBeVisible({ timeout: 30_000 });
  await phone.page.getByRole("radio", { name: "4", exact: true }).check();
  await phone.page.getByRole("button", { name: "Send answer" }).click();
  await expect(phone.page.getByRole("status").filter({ hasText: "Your answer was counted" })).toHaveText("Your answer was counted: 4 of 5.");
  await expectNoAxeViolations(phone.page, "phone with a rating poll");

  // An answer changed while offline is kept, and sent once the connection is back.
  await phone.context.setOffline(true);
  await expect(phone.page.getByText("Reconnecting…")).toBeVisible({ timeout: 30_000 });
  await phone.page.getByRole("radio", { name: "5", exact: false }).check();
  await phone.page.getByRole("button", { name: "Change answer" }).click();
  await expect(phone.page.getByText("You are offline. It will be sent when the connection is back.")).toBeVisible();
  await phone.context.setOffline(false);
  await expect(phone.page.getByRole("status").filter({ hasText: "Your answer was counted" })).toHaveText("Your answer was counted: 5 of 5.", {
    timeout: 30_000,
  });
  const stored = await plenary.services.db.execute(sql`SELECT rating FROM poll_responses WHERE voter_id = ${phone.person.userId}`);
  expect((stored as { rows: Array<{ rating: number }> }).rows.map((r) => r.rating)).toEqual([5]);
  expectNoPageErrors(mod, phone);
  await mod.context.close();
  await phone.context.close();
});
