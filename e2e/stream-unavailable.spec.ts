/**
 * Where there is no stream: every Day 1 session (Chatham House Rule), and a Plenary running without
 * any LiveKit server. This worker's server is started without LiveKit on purpose.
 */
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { personContext } from "./stream-helpers";

test.use({ plenaryOptions: { now: "2024-05-23T10:00:00-04:00" } }); // fms-planning is live (Day 1)

test("a Day 1 session offers no stream, and its stream routes refuse with 403 and an audit entry", async ({ browser, plenary }) => {
  const moderator = await personContext(browser, plenary, {
    name: "Morgan Moderator",
    email: "morgan@example.org",
    roles: [{ slug: "fms-planning", role: "moderator" }],
  });
  const page = moderator.page;
  await page.goto("/sessions/fms-planning");
  const stream = page.getByRole("region", { name: "Live stream" });
  await expect(stream).toContainText("it is held under the Chatham House Rule, in the room only, and is never streamed or recorded");
  await expect(page.getByRole("button", { name: "Watch" })).toHaveCount(0);
  await expect(page.getByText("Open backstage")).toHaveCount(0);
  // Live captions are no longer absent on Day 1: they serve the room (issue 14), never stored (e2e/captions.spec.ts).
  await expectNoAxeViolations(page, "Day 1 session page");

  const post = (path: string, data: unknown) => page.request.post(path, { data, headers: { origin: plenary.url } });
  const token = await post("/api/sessions/fms-planning/stream-token", {});
  expect(token.status()).toBe(403);
  expect(await token.json()).toEqual({
    error: { code: "forbidden", message: "This session is held under the Chatham House Rule: it is in the room only and never streamed." },
  });
  // Even its moderator cannot start a stream or a recording there.
  expect((await post("/api/sessions/fms-planning/stream", { action: "start" })).status()).toBe(403);
  const recording = await post("/api/sessions/fms-planning/recording", { action: "start" });
  expect(recording.status()).toBe(403);
  expect((await recording.json()).error.message).toMatch(/Chatham House Rule: it can never be recorded/);
  // The backstage has nothing for it: its staff read why (the Chatham House Rule) instead of a role refusal.
  expect((await page.goto("/sessions/fms-planning/backstage"))?.status()).toBe(200);
  await expect(page.getByTestId("refusal-reason")).toHaveText("This session is held under the Chatham House Rule: it is in the room only and never streamed.");

  const audit = await plenary.services.audit.list({ limit: 20 });
  const session = (await plenary.services.agenda.findRow("fms-planning"))!;
  const refusals = audit.filter((e) => e.sessionId === session.id && e.outcome === "refused").map((e) => e.action);
  expect(refusals).toEqual(expect.arrayContaining(["stream:view", "stream:control", "recording:control", "stream:publish"]));
  moderator.assertClean();
  await moderator.context.close();
});

test("without LiveKit, a streamed session's page says the stream is not available and everything else works", async ({ browser, plenary }) => {
  expect(plenary.services.streaming.available).toBe(false);
  const viewer = await personContext(browser, plenary, { name: "Remy Remote", email: "remy@example.org" });
  const page = viewer.page;
  await page.goto("/sessions/defense-industry-perspectives");
  await expect(page.getByRole("region", { name: "Live stream" })).toContainText("The live stream is not available");
  await expect(page.getByRole("region", { name: "Live stream" }).getByRole("status").first()).toContainText("Stream not available");
  await expect(page.getByRole("button", { name: "Watch" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Questions & answers" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Polls" })).toBeVisible();
  await expectNoAxeViolations(page, "streamed session without LiveKit");

  // On Thursday the Friday session's window is not open: the same 403 as with LiveKit (policy and
  // window come first); inside the window the answer is that there is no video server.
  const early = await page.request.post("/api/sessions/defense-industry-perspectives/stream-token", { data: {}, headers: { origin: plenary.url } });
  expect(early.status()).toBe(403);
  expect((await early.json()).error.code).toBe("outside_window");
  const clock = plenary.clock as { set(d: Date): void; now(): Date };
  const thursday = clock.now();
  clock.set(new Date("2024-05-24T09:50:00-04:00"));
  try {
    const token = await page.request.post("/api/sessions/defense-industry-perspectives/stream-token", { data: {}, headers: { origin: plenary.url } });
    expect(token.status()).toBe(503);
    expect((await token.json()).error.message).toMatch(/running without a LiveKit server/);
  } finally {
    clock.set(thursday);
  }
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("2024 Foreign Military Sales Symposium");
  viewer.assertClean();
  await viewer.context.close();
});
