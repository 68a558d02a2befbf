/**
 * The Q&A journey on the record (Day 2), with a browser context per person: an in-room phone
 * (360 px, joined with the room code), a remote attendee, a moderator, a panelist's tablet and the
 * room's screen. ask → see similar → approve → panelist sees it → on stage on the screen → answered.
 */
import { eq } from "drizzle-orm";
import { questions } from "../db/schema";
import { createPerson } from "../server/testing/people";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import {
  AudiencePage,
  ConsolePage,
  PanelPage,
  PHONE,
  PROJECTOR,
  ScreenPage,
  TABLET,
  accessCode,
  expectNoHorizontalScroll,
  joinWithCode,
  signedIn,
} from "./qa-pages";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });

test("ask, see similar, approve, panelist, on stage, answered — across five devices", async ({ browser, plenary }) => {
  test.setTimeout(120_000);
  const remote = await signedIn(browser, plenary, {
    name: "Rita Remote",
    email: "rita@example.org",
    affiliation: "Embassy of Norway",
    attendanceMode: "remote",
  });
  const moderator = await signedIn(browser, plenary, { name: "Maya Moderator", email: "maya@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const panelist = await signedIn(browser, plenary, { name: "Pat Panelist", email: "pat@example.org", roles: [{ slug: SLUG, role: "panelist" }] }, TABLET);
  const screen = await signedIn(browser, plenary, { name: "AV Desk", email: "av@example.org", roles: [{ slug: SLUG, role: "moderator" }] }, PROJECTOR);
  const phoneContext = await browser.newContext({ baseURL: plenary.url, ...PHONE });
  const phonePage = await phoneContext.newPage();

  // The screen is signed in with a moderator's account: it joins as the screen, so nothing only
  // moderators see may reach its browser (every socket.io frame it receives is kept).
  const screenFrames: string[] = [];
  screen.page.on("websocket", (ws) => ws.on("framereceived", (f) => screenFrames.push(String(f.payload))));
  const mod = new ConsolePage(moderator.page);
  const pan = new PanelPage(panelist.page);
  const scr = new ScreenPage(screen.page);
  await Promise.all([mod.goto(SLUG), pan.goto(SLUG), scr.goto(SLUG)]);
  const code = await scr.page.getByTestId("screen-code").textContent();
  expect(code?.replace("-", "")).toBe(await accessCode(plenary, SLUG));
  await expectNoAxeViolations(scr.page, "room screen (idle)");
  const qr = scr.page.getByRole("img", { name: /QR code: scan to join/ });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expectNoAxeViolations(pan.page, "panelist view (empty)");

  // A remote attendee asks, with their name.
  const rita = new AudiencePage(remote.page);
  await rita.goto(SLUG);
  await rita.textbox.fill("How will industry get earlier demand signals from FMS partners?");
  await expect(rita.qa.getByTestId("qa-count")).toHaveText("63 of 500 characters");
  await rita.qa.getByRole("radio", { name: /Show my name and affiliation \(Rita Remote, Embassy of Norway\)/ }).check();
  await rita.send.click();
  await expect(rita.mine.getByRole("listitem")).toContainText("Awaiting review");
  await expectNoAxeViolations(rita.page, "session page, remote attendee");

  // The moderator approves it from the incoming list.
  await expect(mod.item("earlier demand signals")).toContainText("Rita Remote, Embassy of Norway");
  await expect(mod.item("earlier demand signals")).toContainText("Remote");
  await mod.action("earlier demand signals", /^Approve/).click();
  await expect(mod.outcome).toHaveText("Approved.");
  await expect(rita.mine.getByRole("listitem")).toContainText("Approved");
  await expect(rita.question("earlier demand signals")).toContainText("Rita Remote, Embassy of Norway");

  // The phone in the room joins with the code on the screen.
  await phonePage.goto(`/join?code=${code!.trim()}`);
  await expectNoAxeViolations(phonePage, "join page on a phone");
  await joinWithCode(phonePage, code!.trim());
  const phone = new AudiencePage(phonePage);
  await expect(phone.qa.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  await expect(phone.question("earlier demand signals")).toBeVisible();
  await expectNoHorizontalScroll(phonePage);

  // Typing a similar question shows the existing one; the phone upvotes it instead.
  await phone.textbox.fill("When will industry get demand signals earlier from partners?");
  const similar = phone.qa.getByRole("region", { name: "Similar questions already asked" });
  await expect(similar).toContainText("How will industry get earlier demand signals from FMS partners?");
  await expectNoAxeViolations(phonePage, "session page on a phone, with similar questions");
  await similar.getByRole("button", { name: "Upvote instead" }).click();
  await expect(phone.textbox).toHaveValue("");
  await expect(phone.voteButton("earlier demand signals")).toHaveAttribute("aria-pressed", "true");
  await expect(rita.voteButton("earlier demand signals")).toHaveAccessibleName(/\(1 vote\)/);

  // The phone asks something new; the moderator approves it; the panelist sees it.
  await phone.ask("What training do partner nations need most?");
  await expect(phone.mine.getByRole("listitem").filter({ hasText: "What training" })).toContainText("Awaiting review");
  await expect(mod.item("What training")).toContainText("Room · Incoming");
  await expect(mod.page.getByTestId("qa-counts")).toContainText("From the room 1");
  await expect(mod.page.getByTestId("qa-counts")).toContainText("Remote 1");
  await mod.action("What training", /^Approve/).click();
  await expect(pan.queue).toContainText("What training do partner nations need most?");
  await expect(pan.queue).toContainText("How will industry get earlier demand signals");
  await expect(phone.question("What training")).toBeVisible();

  // Route to the panelist, then on stage: the screen shows it, with the name only because it is on the record.
  await mod.tab(/Panel queue/).click();
  await mod.choose("earlier demand signals", /Route to panelist/);
  await mod.page.getByRole("dialog").getByRole("radio", { name: "Pat Panelist" }).check();
  await expectNoAxeViolations(mod.page, "moderation console with the route dialog");
  await mod.page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(pan.page.getByRole("list", { name: "Questions routed to you" })).toContainText("earlier demand signals");
  await mod.action("earlier demand signals", /Put on stage/).click();
  await expect(scr.onStage).toContainText("How will industry get earlier demand signals from FMS partners?");
  await expect(scr.onStage).toContainText("Rita Remote, Embassy of Norway");
  await expect(pan.onStage).toContainText("earlier demand signals");
  await expect(phone.qa.getByTestId("qa-on-stage")).toContainText("earlier demand signals");
  await expect(rita.mine.getByRole("listitem")).toContainText("On stage now");
  await expectNoAxeViolations(scr.page, "room screen with a question on stage");
  await expectNoAxeViolations(pan.page, "panelist view with a question on stage");
  await expectNoAxeViolations(mod.page, "moderation console");
  await expectNoAxeViolations(phonePage, "phone with a question on stage");

  // The panelist marks it answered: it leaves the stage everywhere.
  await pan.onStage.getByRole("button", { name: "Mark answered" }).click();
  // Its confirmation floats over the tablet, so it goes by itself a few seconds later (below).
  await expect(pan.page.getByTestId("qa-connection")).toHaveText("Marked answered.");
  await expect(scr.onStage).toHaveCount(0);
  await expect(scr.page.getByText("Ask your questions and vote from your phone.")).toBeVisible();
  await expect(rita.mine.getByRole("listitem")).toContainText("Answered");
  await expect(phone.list.getByRole("list", { name: "Answered questions" })).toContainText("earlier demand signals");
  // Time left per the agenda (11:15), by the server's clock.
  const left = Math.floor((Date.parse("2024-05-24T11:15:00-04:00") - plenary.clock.now().getTime()) / 60_000);
  await expect(pan.page.getByTestId("panel-time-left")).toHaveText(new RegExp(`^1 h (${left - 60}|${left - 61}) min left$`));
  // An organizer moves the end: the panel's clock follows without a reload.
  await plenary.services.agenda.update(SLUG, { endsAt: "2024-05-24T12:15:00-04:00" });
  await expect(pan.page.getByTestId("panel-time-left")).toHaveText(/^2 h \d+ min left$/);
  await plenary.services.agenda.update(SLUG, { endsAt: "2024-05-24T11:15:00-04:00" });
  await expect(pan.page.getByTestId("qa-connection")).toBeHidden({ timeout: 10_000 });
  await expect(pan.page.getByTestId("panel-time-left")).toHaveText(/^1 h \d+ min left$/);

  // The screen's browser never received a pending question, moderators' fields or counts.
  expect(screenFrames.length).toBeGreaterThan(0);
  for (const frame of screenFrames) {
    expect(frame).not.toContain('"status":"pending"');
    for (const field of ['"originalText"', '"tags"', '"dismissReason"', '"counts":{', '"routedTo"', "poll:created"]) expect(frame, field).not.toContain(field);
  }

  const rows = await plenary.services.db.select().from(questions);
  expect(rows.map((r) => [r.text, r.status, r.origin]).sort()).toEqual([
    ["How will industry get earlier demand signals from FMS partners?", "answered", "remote"],
    ["What training do partner nations need most?", "approved", "room"],
  ]);
  const [answered] = rows.filter((r) => r.status === "answered");
  expect(answered.voteCount).toBe(1);
  for (const c of [remote.context, moderator.context, panelist.context, screen.context, phoneContext]) await c.close();
});

test("a phone offline keeps the question and sends it once when the connection returns; HTML stays text", async ({ browser, plenary }) => {
  const moderator = await signedIn(browser, plenary, { name: "Mo", email: "mo@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const phoneContext = await browser.newContext({ baseURL: plenary.url, ...PHONE });
  const phonePage = await phoneContext.newPage();
  let dialogs = 0;
  for (const p of [phonePage, moderator.page]) p.on("dialog", (d) => (dialogs++, void d.dismiss()));
  await joinWithCode(phonePage, await accessCode(plenary, SLUG), "Guest");
  const phone = new AudiencePage(phonePage);
  await expect(phone.qa.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");

  await phoneContext.setOffline(true);
  await expect(phone.qa.getByTestId("qa-connection")).toContainText("Offline");
  const text = 'Offline <img src=x onerror="alert(1)"> <script>alert(2)</script> question?';
  await phone.ask(text);
  await expect(phone.mine.getByRole("listitem")).toContainText("Waiting for the connection");
  await expectNoAxeViolations(phonePage, "phone offline with a waiting question");
  await expectNoHorizontalScroll(phonePage);
  // Still offline after a moment: nothing reached the server.
  await phonePage.waitForTimeout(500);
  expect(await plenary.services.db.select().from(questions).where(eq(questions.text, text))).toHaveLength(0);

  await phoneContext.setOffline(false);
  await expect(phone.mine.getByRole("listitem")).toContainText("Awaiting review");
  const mod = new ConsolePage(moderator.page);
  await mod.goto(SLUG);
  await expect(mod.item("Offline")).toContainText('<img src=x onerror="alert(1)"> <script>alert(2)</script>');
  await mod.action("Offline", /^Approve/).click();
  await expect(phone.question("Offline")).toContainText("<script>alert(2)</script>");
  expect(await plenary.services.db.select().from(questions).where(eq(questions.text, text))).toHaveLength(1);
  expect(await phonePage.locator(".qa img, .qa script").count()).toBe(0);
  expect(dialogs).toBe(0);
  await phoneContext.close();
  await moderator.context.close();
});

test("the audience sorts by popular or recent, hears new questions politely, and can pause the list", async ({ browser, plenary }) => {
  // A session of its own (questions may be asked before it starts), so other tests' questions do not count.
  const SLUG = "wrap-up-discussion-and-conclusion";
  const app = plenary.services;
  const actorOf = async (spec: Parameters<typeof signedIn>[2]) => (await app.auth.resolveToken((await createPerson(app, spec)).token)).actor;
  const moderator = await actorOf({ name: "Sort Mod", email: "sortmod@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const publish = async (text: string) => {
    const asker = await actorOf({ name: "Asker", email: `a-${Math.random()}@example.org` });
    const { question } = await app.qa.submit(asker, { slug: SLUG, key: `k${Math.random().toString(36).slice(2, 12)}`, text, anonymous: true });
    await app.qa.moderate(moderator, {
      slug: SLUG,
      key: `k${Math.random().toString(36).slice(2, 12)}`,
      questionId: question.id,
      expectedVersion: 1,
      action: { type: "approve" },
    });
    return question.id;
  };
  const older = await publish("Older question about offsets?");
  await publish("Newer question about export licences?");
  const voter = await actorOf({ name: "Voter", email: "voter@example.org" });
  await app.qa.vote(voter, { slug: SLUG, key: "vote-key-123", questionId: older, up: true });

  const { page, context } = await signedIn(browser, plenary, { name: "Reader", email: "reader@example.org" });
  const reader = new AudiencePage(page);
  await reader.goto(SLUG);
  const open = reader.list.getByRole("list", { name: "Open questions" }).getByRole("listitem");
  await expect(open).toHaveCount(2);
  await expect(reader.list.getByRole("radio", { name: "Popular" })).toBeChecked();
  await expect(open.first()).toContainText("Older question about offsets?");
  await reader.list.getByRole("radio", { name: "Recent" }).check();
  await expect(open.first()).toContainText("Newer question about export licences?");
  await reader.list.getByRole("radio", { name: "Popular" }).check();
  await expect(open.first()).toContainText("Older question about offsets?");
  // Live counts: another person's vote withdrawn shows up at once.
  await app.qa.vote(voter, { slug: SLUG, key: "vote-key-456", questionId: older, up: false });
  await expect(reader.voteButton("Older question")).toHaveAccessibleName(/\(0 votes\)/);

  // New questions are announced in a polite live region.
  await publish("Third question about co-production?");
  await expect(page.getByTestId("qa-announcer")).toHaveText("New question: Third question about co-production?");
  await expect(open).toHaveCount(3);

  // Paused, the list stays still; the updates wait behind a button.
  const pause = reader.list.getByRole("switch", { name: "Pause live updates" });
  await pause.click();
  await expect(pause).toHaveAttribute("aria-checked", "true");
  await publish("Fourth question arriving while paused?");
  await expect(reader.list.getByRole("button", { name: "Show 1 update" })).toBeVisible();
  await expect(open).toHaveCount(3);
  await expectNoAxeViolations(page, "session page with live updates paused");
  // Nothing is announced while paused; resuming says what came in meanwhile.
  await expect(page.getByTestId("qa-announcer")).toHaveText("New question: Third question about co-production?");
  await reader.list.getByRole("button", { name: "Show 1 update" }).click();
  await expect(open).toHaveCount(4);
  await expect(pause).toHaveAttribute("aria-checked", "false");
  await expect(page.getByTestId("qa-announcer")).toHaveText("Live updates resumed. While paused: 1 new question.");
  await context.close();
});

test("moderators close Q&A, pause intake and switch to open mode; the audience sees each at once", async ({ browser, plenary }) => {
  const moderator = await signedIn(browser, plenary, { name: "Ctl Mod", email: "ctl@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const attendee = await signedIn(browser, plenary, { name: "Ctl Attendee", email: "ctl-att@example.org" });
  const mod = new ConsolePage(moderator.page);
  const you = new AudiencePage(attendee.page);
  await Promise.all([mod.goto(SLUG), you.goto(SLUG)]);

  const open = moderator.page.getByRole("switch", { name: "Q&A open" });
  await expect(open).toHaveAttribute("aria-checked", "true");
  // A switch keeps its width on and off (its tick's room is kept), so the buttons after it stay put.
  const interleave = moderator.page.getByRole("button", { name: "Interleave room and remote" });
  const interleaveAt = (await interleave.boundingBox())!.x;
  await open.click();
  await expect(open).toHaveAttribute("aria-checked", "false");
  expect((await interleave.boundingBox())!.x).toBe(interleaveAt);
  await expect(you.qa.getByText("Q&A is closed for this session.")).toBeVisible();
  await expect(you.send).toBeDisabled();
  await open.click();
  await expect(you.send).toBeEnabled();

  await moderator.page.getByRole("switch", { name: "Pause new questions" }).click();
  await expect(you.qa.getByText("The moderators have paused new questions for a moment. You can still vote.")).toBeVisible();
  await moderator.page.getByRole("switch", { name: "Pause new questions" }).click();
  await expect(you.send).toBeEnabled();

  // Open mode: a question is published without review.
  // The mode follows the server's answer (a controlled radio), so click and wait for the state.
  const openMode = moderator.page.getByRole("radio", { name: "Open", exact: true });
  await openMode.click();
  await expect(openMode).toBeChecked();
  await expect(mod.outcome).toHaveText("Session settings saved.");
  await you.ask("Open mode: published at once?");
  await expect(you.question("Open mode")).toBeVisible();
  await expect(you.mine.getByRole("listitem")).toContainText("Approved");
  await moderator.page.getByRole("radio", { name: "Pre-moderated" }).click();
  await expect(moderator.page.getByRole("radio", { name: "Pre-moderated" })).toBeChecked();
  await moderator.context.close();
  await attendee.context.close();
});

test("a shared computer: what one person queued stays under their own opaque key, goes when they sign out, and is never sent for the next", async ({
  browser,
  plenary,
}) => {
  const first = await signedIn(browser, plenary, { name: "Sam Shared", email: "sam.shared@example.org", affiliation: "Kiosk Ministry" });
  const page = first.page;
  const you = new AudiencePage(page);
  await you.goto(SLUG);
  const text = "Queued on the kiosk before signing out?";
  await first.context.setOffline(true);
  await expect(you.qa.getByTestId("qa-connection")).toContainText("Offline");
  await you.ask(text);
  await expect(you.mine.getByRole("listitem")).toContainText("Waiting for the connection");
  const outboxes = () =>
    page.evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith("plenary.qa.outbox."))
        .map((k) => [k, localStorage.getItem(k) ?? ""]),
    );
  const kept = await outboxes();
  expect(kept).toHaveLength(1);
  expect(kept[0][1]).toContain(text);
  // Its name is opaque: neither the person's id, nor their e-mail.
  expect(kept[0][0]).not.toContain(first.person.userId);
  expect(kept[0][0]).not.toContain("sam.shared");
  // The network returns, but not for the live connection yet; the person signs out.
  await first.context.route("**/socket.io/**", (route) => route.abort());
  await first.context.setOffline(false);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${plenary.url}/`);
  expect(await outboxes()).toEqual([]);
  await first.context.unroute("**/socket.io/**");

  // The next person signs in on the same browser and opens the session: nothing of Sam's is sent.
  const next = await createPerson(plenary.services, { name: "Nia Next", email: "nia.next@example.org" });
  await first.context.addCookies([{ name: "next-auth.session-token", value: next.token, url: plenary.url }]);
  await you.goto(SLUG);
  await expect(page.getByTestId("signed-in-as")).toContainText("Nia Next");
  await expect(you.mine).toHaveCount(0);
  await expectNoAxeViolations(page, "session page after another person's sign-out");
  expect(await plenary.services.db.select().from(questions).where(eq(questions.text, text))).toHaveLength(0);
  await first.context.close();
});
