/**
 * The journey in a Day 1 session under the Chatham House Rule, with the identity scan: every page,
 * every HTTP response and every socket frame each browser received, and every server log line, are
 * searched for the askers' and voters' names, e-mails, affiliations and user ids.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { questions } from "../db/schema";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { AudiencePage, ConsolePage, PanelPage, PHONE, PROJECTOR, ScreenPage, TABLET, accessCode, joinWithCode, signedIn } from "./qa-pages";

const SLUG = "fms-planning"; // Chatham House, 09:45–11:15 Thursday
const logs: string[] = [];
test.use({ plenaryOptions: { now: "2024-05-23T10:00:00-04:00", logSink: (line: string) => logs.push(line) } });

/** Everything one browser received: documents and API responses (as text), socket frames, final DOMs. */
function capture(context: BrowserContext) {
  const items: Array<{ kind: "page" | "http" | "socket"; text: string }> = [];
  const watch = (page: Page) => {
    page.on("websocket", (ws) => ws.on("framereceived", (f) => items.push({ kind: "socket", text: String(f.payload) })));
    page.on("response", async (res) => {
      try {
        items.push({ kind: "http", text: `${res.url()} ${await res.text()}` });
      } catch {
        /* bodies of redirects and aborted requests are not available */
      }
    });
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return {
    items,
    async snapshot() {
      for (const p of context.pages()) items.push({ kind: "page", text: await p.content() });
    },
  };
}

test("Day 1: the same journey names nobody, anywhere", async ({ browser, plenary }) => {
  test.setTimeout(120_000);
  const zeb = { name: "Zebulon Quixote-Farnsworth", email: "zq.farnsworth@quixotic-ministry.example", affiliation: "Quixotic Ministry of Obscure Affairs" };
  const remote = await signedIn(browser, plenary, { ...zeb, attendanceMode: "remote" });
  const moderator = await signedIn(browser, plenary, { name: "Moderator Alpha", email: "alpha@dscu.example", roles: [{ slug: SLUG, role: "moderator" }] });
  const panelist = await signedIn(browser, plenary, { name: "Panelist Gamma", email: "gamma@dscu.example", roles: [{ slug: SLUG, role: "panelist" }] }, TABLET);
  const screen = await signedIn(browser, plenary, { name: "AV Desk", email: "av@dscu.example", organizer: true }, PROJECTOR);
  const phoneContext = await browser.newContext({ baseURL: plenary.url, ...PHONE });
  const phonePage = await phoneContext.newPage();
  const contexts = { remote: remote.context, moderator: moderator.context, panelist: panelist.context, screen: screen.context, phone: phoneContext };
  const seen = Object.fromEntries(Object.entries(contexts).map(([k, c]) => [k, capture(c)]));

  const mod = new ConsolePage(moderator.page);
  const pan = new PanelPage(panelist.page);
  const scr = new ScreenPage(screen.page);
  await Promise.all([mod.goto(SLUG), pan.goto(SLUG), scr.goto(SLUG)]);

  // The remote participant has no choice to make: the form says why, in one line.
  const z = new AudiencePage(remote.page);
  await z.goto(SLUG);
  await expect(z.qa.getByText("Questions here are always anonymous: this session is held under the Chatham House Rule.")).toBeVisible();
  await expect(z.qa.getByRole("radio", { name: /Show my name/ })).toHaveCount(0);
  await z.ask("What is the realistic timeline for case development reform?");
  await expect(z.mine.getByRole("listitem")).toContainText("Awaiting review · anonymous");
  await expectNoAxeViolations(z.page, "Day 1 session page");

  await expect(mod.item("realistic timeline")).toContainText("Remote");
  await expect(mod.page.getByText("Chatham House Rule: askers are never identified, not even here.")).toBeVisible();
  await mod.action("realistic timeline", /^Approve/).click();
  await expect(z.question("realistic timeline")).toContainText("Anonymous");

  // The phone joins with a distinctive name, sees the similar question and upvotes it instead.
  await joinWithCode(phonePage, await accessCode(plenary, SLUG), "Yggdrasil Pemberton-Okonkwo");
  const phone = new AudiencePage(phonePage);
  await expect(phone.qa.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  await phone.textbox.fill("When will case development reform happen, realistically?");
  const similar = phone.qa.getByRole("region", { name: "Similar questions already asked" });
  await expect(similar).toContainText("What is the realistic timeline for case development reform?");
  await similar.getByRole("button", { name: "Upvote instead" }).click();
  await phone.ask("Which planning tools help smaller partner nations?");
  await expectNoAxeViolations(phonePage, "Day 1 session page on a phone");

  await mod.action("planning tools", /^Approve/).click();
  await expect(pan.queue).toContainText("Which planning tools help smaller partner nations?");
  await mod.tab(/Panel queue/).click();
  await mod.action("planning tools", /Put on stage/).click();
  await expect(scr.onStage).toContainText("Which planning tools help smaller partner nations?");
  await expect(scr.onStage.locator(".qa-author")).toHaveCount(0);
  await expect(pan.onStage).toContainText("planning tools");
  await expectNoAxeViolations(scr.page, "Day 1 room screen");
  await expectNoAxeViolations(pan.page, "Day 1 panelist view");
  await expectNoAxeViolations(mod.page, "Day 1 moderation console");
  await pan.onStage.getByRole("button", { name: "Mark answered" }).click();
  await expect(scr.onStage).toHaveCount(0);
  await expect(phone.mine.getByRole("listitem").filter({ hasText: "planning tools" })).toContainText("Answered");
  await expect(z.voteButton("realistic timeline")).toHaveAccessibleName(/\(1 vote\)/);

  // The organizer's audit log, and a reload of every view, are captured too.
  await screen.page.goto(`/admin/audit`);
  await expect(screen.page.getByRole("heading", { level: 1 })).toBeVisible();
  await screen.page.goto(`/api/admin/audit?session=${SLUG}&limit=500`);
  await screen.page.goto(`/sessions/${SLUG}/screen`);
  for (const p of [z.page, phonePage, mod.page, pan.page]) await p.reload();
  await mod.tab(/Panel queue/).click();
  await expect(mod.item("realistic timeline")).toBeVisible();
  for (const s of Object.values(seen)) await s.snapshot();

  const rows = await plenary.services.db.select().from(questions);
  expect(rows.every((r) => r.chatham && r.anonymous && r.authorName === null && r.authorAffiliation === null)).toBe(true);

  // The scan. A person's own pages greet them by name in the header; everything else is strict.
  const device = rows.find((r) => r.text.startsWith("Which planning"))!.authorId!;
  const identities = {
    remote: [zeb.name, zeb.email, zeb.affiliation, "Quixote", remote.person.userId],
    phone: ["Yggdrasil", "Pemberton-Okonkwo", device],
  };
  const leaks: string[] = [];
  for (const [who, s] of Object.entries(seen)) {
    expect(s.items.filter((i) => i.kind === "socket").length, `${who} received socket frames`).toBeGreaterThan(3);
    for (const [owner, needles] of Object.entries(identities)) {
      for (const item of s.items) {
        if (who === owner && item.kind !== "socket") continue;
        for (const n of needles)
          if (item.text.includes(n))
            leaks.push(`${who} (${item.kind}) saw ${n}: …${item.text.slice(Math.max(0, item.text.indexOf(n) - 100), item.text.indexOf(n) + 60)}…`);
      }
    }
  }
  expect(logs.length).toBeGreaterThan(0);
  for (const line of logs)
    for (const needles of Object.values(identities)) for (const n of needles) if (line.includes(n)) leaks.push(`log: ${line.slice(0, 300)}`);
  expect(leaks).toEqual([]);
  for (const c of Object.values(contexts)) await c.close();
});
