/**
 * Live captions from a CART captioner's software, end to end: the Zoom-style ingest URL an organizer
 * hands out, a caption POSTed to it, and where it appears — the session page's "Live captions"
 * region, over the video, the room screen — within a second. A Day 1 (Chatham House) caption
 * reaches the room and leaves no trace in the database, the log or any download.
 */
import { randomBytes } from "node:crypto";
import { Captioner } from "../server/testing/captioner";
import { tablesContaining } from "../server/testing/no-trace";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { personContext } from "./stream-helpers";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024: streamed, may be recorded
const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thu 23 May 2024
const FRIDAY = new Date("2024-05-24T09:50:00-04:00");
const THURSDAY = new Date("2024-05-23T10:00:00-04:00");
const logLines: string[] = [];
test.use({ plenaryOptions: { now: FRIDAY, livekit: true, logSink: (line) => logLines.push(line) } });

const WITHIN_A_SECOND = { timeout: 1000 };

test("a caption POSTed to the ingest URL shows on the session page, over the video and on the room screen within a second", async ({ browser, plenary }) => {
  // LiveKit, four pages and axe: a loaded machine needs the time.
  test.setTimeout(420_000);
  plenary.clock.set!(FRIDAY);
  const organizer = await personContext(browser, plenary, { name: "Olive Organizer", email: "olive@example.org", organizer: true });
  const moderator = await personContext(browser, plenary, {
    name: "Morgan Moderator",
    email: "morgan@example.org",
    roles: [{ slug: SLUG, role: "moderator" }],
  });
  const viewer = await personContext(browser, plenary, { name: "Remy Remote", email: "remy@example.org" });

  // The URL comes from the API, for organizers and this session's moderators only.
  const res = await organizer.page.request.get(`/api/sessions/${SLUG}/captions/ingest-url`);
  expect(res.status()).toBe(200);
  const { url } = (await res.json()) as { url: string };
  expect(url).toMatch(new RegExp(`^${plenary.url}/api/captions/${SLUG}\\?key=`));
  expect((await viewer.page.request.get(`/api/sessions/${SLUG}/captions/ingest-url`)).status()).toBe(403);

  // The stream is live; the viewer watches; the room screen is up.
  const session = (await plenary.services.agenda.findRow(SLUG))!;
  await plenary.services.streaming.setState((await plenary.services.auth.resolveToken(moderator.person.token)).actor, session, "start", { emptyStage: true });
  const v = viewer.page;
  await v.goto(`/sessions/${SLUG}`);
  const region = v.getByTestId("live-captions");
  await expect(region.getByRole("heading", { name: "Live captions" })).toBeVisible();
  await expect(region.getByRole("log")).toContainText("Live captions appear here");
  await v.getByRole("button", { name: "Watch" }).click();
  await expect(v.getByText(/Waiting for the panelists|cameras are off/)).toBeVisible({ timeout: 20_000 });
  const screen = moderator.page;
  await screen.goto(`/sessions/${SLUG}/screen`);
  await expect(screen.getByRole("button", { name: /Captions on screen/ })).toBeVisible();
  await expect(v.locator("[data-live=connected]")).toHaveCount(1);
  // Captions are live only: the screen shows the lines sent once it follows the feed (its button shows before that).
  await expect(screen.getByTestId("screen-captions")).toHaveAttribute("data-feed", "loaded");

  const captioner = new Captioner({ url });
  expect(await captioner.resume()).toBe(0);
  expect((await captioner.send("Good morning and welcome\nto Friday's panel.")).status).toBe(200);
  await expect(region.getByRole("log")).toContainText("Good morning and welcome", WITHIN_A_SECOND);
  await expect(v.getByTestId("caption-overlay")).toContainText("to Friday's panel.", WITHIN_A_SECOND);
  await expect(screen.getByTestId("screen-captions")).toContainText("Good morning and welcome", WITHIN_A_SECOND);
  // A retry of the same seq is not shown twice.
  expect((await captioner.post("Good morning and welcome\nto Friday's panel.", 1)).status).toBe(200);
  expect((await captioner.send("Our first speaker.")).status).toBe(200);
  await expect(region.getByRole("log").locator("p")).toHaveText(["Good morning and welcome\nto Friday's panel.", "Our first speaker."], WITHIN_A_SECOND);

  // 30 s without a caption (the server's clock moves on; the once-a-second check runs now): viewers
  // see and hear it in a status region, and it clears by itself with the next caption.
  plenary.clock.set!(new Date(plenary.clock.now().getTime() + 31_000));
  await plenary.services.captions.checkFeeds();
  await expect(region.getByRole("status")).toHaveText("Captions temporarily unavailable", WITHIN_A_SECOND);
  await expect(screen.getByTestId("screen-captions").getByRole("status")).toHaveText("Captions temporarily unavailable", WITHIN_A_SECOND);
  await expectNoAxeViolations(v, "session page, captions unavailable");
  expect((await captioner.send("We are back.")).status).toBe(200);
  await expect(region.getByRole("status")).toHaveText("", WITHIN_A_SECOND);
  await expect(v.getByTestId("caption-overlay")).toContainText("We are back.", WITHIN_A_SECOND);

  // The viewer's overlay settings stay in this browser.
  await region.getByLabel("Caption size over the video").selectOption("large");
  await v.reload();
  await expect(v.getByTestId("live-captions").getByLabel("Caption size over the video")).toHaveValue("large");

  // Staff see the URL, the feed's state and its last seq in the moderation console.
  const o = organizer.page;
  await o.goto(`/sessions/${SLUG}/moderate`);
  const panel = o.getByTestId("caption-feed-panel");
  await expect(panel.getByLabel(/Ingest URL/)).toHaveValue(url);
  // (On a slow run the feed may have gone quiet again meanwhile: a caption makes it live for sure.)
  expect((await captioner.send("Still captioning.")).status).toBe(200);
  await expect(panel.getByTestId("last-seq-en-US")).toHaveText("4");
  await expect(panel.getByTestId("caption-feed-state")).toContainText("Live");

  await expectNoAxeViolations(v, "session page with captions");
  await expectNoAxeViolations(screen, "room screen with captions");
  await expectNoAxeViolations(o, "moderation console with the caption feed");
  for (const p of [organizer, moderator, viewer]) p.assertClean();
});

test("a Day 1 caption reaches the room and leaves no trace in the database, the log or any download", async ({ browser, plenary }) => {
  test.setTimeout(360_000);
  plenary.clock.set!(THURSDAY);
  const marker = `Chatham${randomBytes(6).toString("hex")}`;
  const organizer = await personContext(browser, plenary, { name: "Otto Organizer", email: "otto@example.org", organizer: true });
  const moderator = await personContext(browser, plenary, { name: "Mia Moderator", email: "mia@example.org", roles: [{ slug: DAY1, role: "moderator" }] });
  const attendee = await personContext(browser, plenary, { name: "Ann Attendee", email: "ann@example.org" });
  const { url } = (await (await moderator.page.request.get(`/api/sessions/${DAY1}/captions/ingest-url`)).json()) as { url: string };
  await attendee.page.goto(`/sessions/${DAY1}`);
  await moderator.page.goto(`/sessions/${DAY1}/screen`);
  await expect(attendee.page.getByTestId("live-captions").getByRole("log")).toContainText("Live captions appear here");
  await expect(moderator.page.getByRole("button", { name: /Captions on screen/ })).toBeVisible();
  await expect(moderator.page.getByTestId("screen-captions")).toHaveAttribute("data-feed", "loaded");

  expect((await new Captioner({ url }).send(`Off the record: ${marker}.`)).status).toBe(200);
  await expect(attendee.page.getByTestId("live-captions").getByRole("log")).toContainText(marker, WITHIN_A_SECOND);
  await expect(moderator.page.getByTestId("screen-captions")).toContainText(marker, WITHIN_A_SECOND);

  // No download has it: the WebVTT does not exist, and the organizer's pages and exports do not carry it.
  const o = organizer.page;
  expect((await o.request.get(`/sessions/${DAY1}/captions.en-US.vtt`)).status()).toBe(404);
  for (const path of [`/sessions/${DAY1}/polls.csv`, `/api/sessions/${DAY1}/polls.csv`, "/admin/audit", `/sessions/${DAY1}/moderate`]) {
    const r = await o.request.get(path);
    expect({ path, leaked: (await r.text()).includes(marker) }).toEqual({ path, leaked: false });
  }
  // No table holds it, no log line mentions it.
  const scan = await tablesContaining(plenary.services, marker);
  expect(scan.tables).toBeGreaterThan(10);
  expect(scan.found).toEqual([]);
  expect(logLines.length).toBeGreaterThan(0);
  expect(logLines.filter((l) => l.includes(marker))).toEqual([]);
  await expectNoAxeViolations(attendee.page, "Day 1 session page with captions");
  plenary.clock.set!(FRIDAY);
});
