import type { BrowserContext } from "@playwright/test";
import { test, expect, expectNoAxeViolations, loseCommands } from "./fixtures";
import { createPerson } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";

// Friday 24 May 2024, 10:00 EDT: "Defense Industry Perspectives" (Day 2, on the record, streamed) is live.
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });
// Several browsers in one test on a shared, busy machine: setting them up alone can take a minute.
test.describe.configure({ timeout: 240_000 });
// Counts follow a join within a second or two; the budget is for a machine shared with other test runs.
const LIVE = { timeout: 30_000 };

const SLUG = "defense-industry-perspectives";

async function signIn(context: BrowserContext, plenary: TestServer, spec: Parameters<typeof createPerson>[1]) {
  const person = await createPerson(plenary.services, spec);
  await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  return person;
}

test("the organizer's dashboard shows today's sessions live, and moves as people join and leave", async ({ page, context, browser, plenary }) => {
  await signIn(context, plenary, { name: "Ola Organizer", email: "ola@example.org", organizer: true });
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Today's sessions at a glance" })).toBeVisible();
  const card = page.locator(`li[data-slug="${SLUG}"]`);
  await expect(card.getByRole("list", { name: "Status" })).toContainText("Live now");
  await expect(card.getByRole("list", { name: "Status" })).toContainText("Q&A open");
  const remote = page.getByTestId(`remote-${SLUG}`);
  const inRoom = page.getByTestId(`in-room-${SLUG}`);
  await expect(remote).toHaveText("0");
  await expectNoAxeViolations(page, "organizer dashboard");

  // A remote stakeholder and an in-person participant open the session in their own browsers.
  const remoteContext = await browser.newContext();
  await signIn(remoteContext, plenary, { name: "Rita Remote", email: "rita@example.org", attendanceMode: "remote" });
  const remotePage = await remoteContext.newPage();
  await remotePage.goto(`${plenary.url}/sessions/${SLUG}`);
  const roomContext = await browser.newContext();
  await signIn(roomContext, plenary, { name: "Ivo In-Person", email: "ivo@example.org", attendanceMode: "in_person" });
  const roomPage = await roomContext.newPage();
  await roomPage.goto(`${plenary.url}/sessions/${SLUG}`);

  await expect(remote).toHaveText("1", LIVE);
  await expect(inRoom).toHaveText("1", LIVE);
  await expect(page.getByTestId("total-remote")).toHaveText("1", LIVE);
  await page.screenshot({ path: test.info().outputPath("admin-dashboard.png"), fullPage: true });

  // The attendance chart has its numbers as a table too.
  await page.getByText(/Attendance over time: Defense Industry Perspectives: as a table/).click();
  await expect(page.getByRole("table").filter({ hasText: "Stream viewers" }).first()).toBeVisible();
  await expectNoAxeViolations(page, "organizer dashboard with tables open");

  await remoteContext.close();
  await expect(remote).toHaveText("0", LIVE);
  await expect(inRoom).toHaveText("1", LIVE);
  await expect(card).toContainText("1 room · 1 remote");
  await roomContext.close();
});

test("staff who are not organizers are turned away from the dashboard and the event exports", async ({ page, context, plenary }) => {
  await signIn(context, plenary, { name: "Mo Moderator", email: "mo@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const res = await page.request.get("/api/admin/report.csv");
  expect(res.status()).toBe(403);
  expect((await res.json()).error.code).toBe("forbidden");
  const own = await page.request.get(`/api/sessions/${SLUG}/questions.csv`);
  expect(own.status()).toBe(200);
  expect(own.headers()["content-type"]).toContain("text/csv");
});

test("a dashboard refresh the server never answers does not stop the later ones", async ({ page, context, browser, plenary }) => {
  await signIn(context, plenary, { name: "Oda Organizer", email: "oda@example.org", organizer: true });
  // The first refresh is lost on the way, as on a network that drops a packet and then recovers.
  const losing = await loseCommands(page, "admin:dashboard");
  await page.goto("/admin");
  const remote = page.getByTestId(`remote-${SLUG}`);
  await expect(remote).toHaveText("0");
  await expect.poll(() => losing.lost, LIVE).toBeGreaterThan(0);
  losing.on = false;

  const remoteContext = await browser.newContext();
  await signIn(remoteContext, plenary, { name: "Rex Remote", email: "rex@example.org", attendanceMode: "remote" });
  const remotePage = await remoteContext.newPage();
  await remotePage.goto(`${plenary.url}/sessions/${SLUG}`);
  // Within the lost refresh's wait for an answer (10 s) and the next refresh.
  await expect(remote).toHaveText("1", LIVE);
  await remoteContext.close();
});
