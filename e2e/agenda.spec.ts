import fs from "node:fs";
import ICAL from "ical.js";
import { programme } from "../db/seed/programme";
import { test, expect, expectNoAxeViolations } from "./fixtures";

// Friday 24 May 2024, 09:00 in Washington: "A Conversation with the ASD(A)" is live.
test.use({ plenaryOptions: { now: "2024-05-24T09:00:00-04:00" } });

test("the agenda lists every item of both days in order with the seed's times", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("2024 Foreign Military Sales Symposium");
  await expect(page.getByText("Professionalization of the Workforce and the Promise of Security Cooperation")).toBeVisible();
  await expect(page.getByText(/Gaylord National Resort & Convention Center, National Harbor, Maryland · Thursday 23 May and Friday 24 May 2024/)).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Day 1 · Thursday 23 May 2024" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Day 2 · Friday 24 May 2024" })).toBeVisible();

  const rows = page.locator("li.agenda-item");
  await expect(rows).toHaveCount(programme.length);
  const seen = await rows.evaluateAll((els) =>
    els.map((el) => ({
      slug: el.getAttribute("data-slug"),
      when: el.querySelector(".when")?.textContent?.replace(/\s+/g, " ").trim(),
      title: el.querySelector("h3")?.textContent,
    })),
  );
  expect(seen).toEqual(programme.map((p) => ({ slug: p.slug, when: `${p.start}–${p.end} EDT`, title: p.title })));

  const welcome = page.locator('li[data-slug="welcome-and-opening-remarks"]');
  await expect(welcome).toContainText("Topic: Institutionalizing Excellence in FMS");
  await expect(welcome).toContainText("Remarks");
  await expect(page.locator('li[data-slug="fms-planning"] .description')).toContainText("tool of statecraft");

  // Day 1 carries the Rule once, as a legend under its heading, not on every row; Day 2 programme
  // sessions say streamed live; breaks have no Q&A.
  const legend = page.getByTestId("chatham-legend");
  await expect(legend).toHaveCount(1);
  await expect(legend).toContainText("Chatham House Rule — in the room only, never recorded");
  await expect(page.getByRole("region", { name: /^Day 1/ }).getByTestId("chatham-legend")).toHaveCount(1);
  for (const p of programme) {
    const row = page.locator(`li[data-slug="${p.slug}"]`);
    if (p.day === "2024-05-23") await expect(row).not.toContainText("Chatham House Rule — in the room only, never recorded");
    if (p.day === "2024-05-24" && p.kind !== "break") await expect(row).toContainText("Streamed live");
    if (["registration", "break", "meal", "reception"].includes(p.kind)) await expect(row.getByText("Q&A", { exact: true })).toHaveCount(0);
  }
  await expect(page.getByText(/Participants are free to use the information received/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Day 2: hosted by OUSD(A&S)" })).toBeVisible();
});

test("the simulated clock marks the right item live and the next one up next", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator('li[data-slug="conversation-with-asd-acquisition"]')).toHaveAttribute("data-status", "live");
  await expect(page.locator('li[data-slug="conversation-with-asd-acquisition"]').getByText("Live now")).toBeVisible();
  await expect(page.locator('li[data-slug="break-friday-0930"]').getByText("Up next")).toBeVisible();
  await expect(page.getByTestId("now-status")).toHaveText("Live now: A Conversation with the Assistant Secretary of Defense for Acquisition. Up next: Break.");
  await expect(page.locator('[data-status="live"]')).toHaveCount(1);
});

test.describe("a foreign partner in Tokyo", () => {
  test.use({ timezoneId: "Asia/Tokyo" });

  test("sees event time by default and correct local times and dates with one toggle", async ({ page }) => {
    await page.goto("/");
    const registration = page.locator('li[data-slug="registration-and-check-in"] .when');
    const reception = page.locator('li[data-slug="reception"] .when');
    await expect(registration).toHaveText("08:00–08:30 EDT");
    await page.getByRole("radio", { name: /My time zone \(Asia\/Tokyo\)/ }).check();
    // 08:00 EDT Thursday = 21:00 JST Thursday; the 17:30–18:45 reception is Friday morning in Tokyo.
    await expect(registration).toHaveText(/^21:00–21:30 GMT\+9/);
    await expect(reception).toContainText("06:30–07:45 GMT+9");
    await expect(reception.getByTestId("local-day")).toHaveText("Fri 24 May");
    await expect(page.locator('li[data-slug="wrap-up-discussion-and-conclusion"] .when')).toContainText("00:30–01:00 GMT+9");
    await expect(page.locator('li[data-slug="wrap-up-discussion-and-conclusion"] [data-testid="local-day"]')).toHaveText("Sat 25 May");

    // The choice is remembered on the session page too.
    await page.goto("/sessions/reception");
    await expect(page.getByTestId("session-when")).toContainText("06:30–07:45 GMT+9");
    await page.getByRole("radio", { name: /Event time/ }).check();
    await expect(page.getByTestId("session-when")).toContainText("17:30–18:45 EDT");
  });
});

test("the .ics download parses and has one event per item at the right UTC instants", async ({ page }) => {
  await page.goto("/");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Add the whole programme to your calendar/ }).click()]);
  expect(download.suggestedFilename()).toBe("fms-symposium-2024.ics");
  const text = fs.readFileSync(await download.path(), "utf8");
  const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
  expect(events.map((e) => e.summary)).toEqual(programme.map((p) => p.title));
  expect(events.map((e) => e.startDate.toJSDate().toISOString())).toEqual(programme.map((p) => new Date(`${p.day}T${p.start}:00-04:00`).toISOString()));
  expect(events.map((e) => e.endDate.toJSDate().toISOString())).toEqual(programme.map((p) => new Date(`${p.day}T${p.end}:00-04:00`).toISOString()));
});

test("a change made through the agenda service reaches open pages without reload", async ({ page, browser, plenary }) => {
  await page.goto("/");
  const other = await browser.newContext();
  const sessionPage = await other.newPage();
  await sessionPage.goto(`${plenary.url}/sessions/defense-industry-perspectives`);
  await expect(sessionPage.getByTestId("session-when")).toContainText("09:45–11:15");
  // Both pages must be connected before the change (a change before that is caught up on connect).
  await expect(page.locator('[data-live="connected"]')).toHaveCount(1);
  await expect(sessionPage.locator('[data-live="connected"]')).toHaveCount(1);

  const marker = await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = Math.random()));
  await plenary.services.agenda.update("defense-industry-perspectives", {
    title: "Defense Industry Perspectives (extended)",
    startsAt: "2024-05-24T09:50:00-04:00",
    endsAt: "2024-05-24T11:20:00-04:00",
  });
  const row = page.locator('li[data-slug="defense-industry-perspectives"]');
  await expect(row.locator(".when")).toHaveText("09:50–11:20 EDT", { timeout: 1000 });
  await expect(row.locator("h3")).toHaveText("Defense Industry Perspectives (extended)", { timeout: 1000 });
  await expect(page.getByTestId("agenda-announcer")).toHaveText("Agenda updated: Defense Industry Perspectives (extended).");
  await expect(sessionPage.getByRole("heading", { level: 1 })).toHaveText("Defense Industry Perspectives (extended)", { timeout: 1000 });
  await expect(sessionPage.getByTestId("session-when")).toContainText("09:50–11:20");
  // No reload happened.
  expect(await page.evaluate(() => (window as unknown as { __marker: number }).__marker)).toBe(marker);
  await other.close();
});

test("a change made between rendering the page and its socket connecting is caught up on connect", async ({ page, plenary }) => {
  // Hold the socket's first handshake (HTTP long-polling) until the change has been made.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/socket.io/**", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/sessions/fms-case-development");
  await expect(page.locator('[data-live="connecting"]')).toHaveCount(1);
  const before = await plenary.services.agenda.get("fms-case-development");
  await plenary.services.agenda.update("fms-case-development", { title: `${before.title} (moved)` });
  release();
  await expect(page.locator('[data-live="connected"]')).toHaveCount(1);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${before.title} (moved)`);
  await plenary.services.agenda.update("fms-case-development", { title: before.title });
});

test.describe("accessibility", () => {
  for (const viewport of [
    { name: "desktop", width: 1280, height: 900 },
    { name: "360 px phone", width: 360, height: 740 },
  ]) {
    test(`axe-core finds no violations on the agenda and session pages (${viewport.name})`, async ({ page }) => {
      await page.setViewportSize(viewport);
      for (const path of ["/", "/sessions/fms-planning", "/sessions/conversation-with-asd-acquisition", "/sessions/hosted-lunch", "/sessions/nope"]) {
        await page.goto(path);
        await expect(page.locator("main")).toBeVisible();
        // Scan the page as people use it: hydrated, its live parts connected (the 404 page has none).
        if (path !== "/sessions/nope") await expect(page.locator('[data-live="connected"]')).toHaveCount(1);
        await expectNoAxeViolations(page, `${path} (${viewport.name})`);
        // WCAG 1.4.10 reflow: nothing scrolls sideways on a 360 px phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} scrolls sideways`).toBeLessThanOrEqual(viewport.width);
      }
    });
  }

  test("the agenda works from the keyboard: skip link, then the time-zone choice", async ({ page }) => {
    await page.goto("/");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/#main$/);
  });
});
