import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { chromium, type BrowserContext } from "@playwright/test";
import { test, expect, expectNoAxeViolations, loseCommands } from "./fixtures";
import { createPerson } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";

// Thursday 23 May 2024, 08:10 EDT: registration and check-in (0800–0830), the programme about to open.
test.use({ plenaryOptions: { now: "2024-05-23T08:10:00-04:00" } });
test.describe.configure({ timeout: 240_000 });
const LIVE = { timeout: 30_000 };

async function signIn(context: BrowserContext, plenary: TestServer, spec: Parameters<typeof createPerson>[1]) {
  const person = await createPerson(plenary.services, spec);
  await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  return person;
}

test("only organizers and check-in helpers open the desk; others get the 403 page", async ({ page, context, plenary }) => {
  await signIn(context, plenary, { name: "Mo Moderator", email: "mo@example.org", roles: [{ slug: "fms-planning", role: "moderator" }] });
  const res = await page.goto("/check-in");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Check-in desk" })).toHaveCount(0);
});

test("a helper checks a participant in by search; a second desk sees the count and hears when they were first checked in", async ({
  page,
  context,
  browser,
  plenary,
}) => {
  await signIn(context, plenary, { name: "Hal Helper", email: "hal@example.org", checkIn: true });
  await createPerson(plenary.services, {
    name: "Ines Inperson",
    email: "ines@ministry.example",
    affiliation: "Ministry of Quills",
    attendanceMode: "in_person",
  });
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto("/check-in");
  await expect(page.getByRole("heading", { name: "Check-in desk" })).toBeVisible();
  const checkedIn = page.getByTestId("checked-in");
  await expect(checkedIn).toContainText(/^0 of \d+$/);
  await expectNoAxeViolations(page, "check-in desk");

  // A second desk (an organizer's laptop) has the same participant on screen.
  const orgContext = await browser.newContext();
  await signIn(orgContext, plenary, { name: "Olga Organizer", email: "olga@example.org", organizer: true });
  const other = await orgContext.newPage();
  await other.goto(`${plenary.url}/check-in`);
  await other.getByLabel("Name, e-mail or affiliation").fill("quills");
  await expect(other.getByRole("button", { name: "Check in Ines Inperson" })).toBeVisible();

  await page.getByLabel("Name, e-mail or affiliation").fill("ine");
  await page.getByRole("button", { name: "Check in Ines Inperson" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Ines Inperson is checked in (in person)." })).toBeVisible();
  await expect(page.getByRole("list", { name: "Matching participants" })).toContainText(/Checked in 08:1\d/);
  await expect(checkedIn).toContainText(/^1 of/);
  await expect(page.getByTestId("checked-in-in-person")).toContainText(/^1 of/);
  await expectNoAxeViolations(page, "check-in desk after a check-in");
  await page.screenshot({ path: test.info().outputPath("check-in-desk-1024x768.png") });

  // Pushed to the other desk: its count, and the row it shows, without searching again.
  await expect(other.getByTestId("checked-in")).toContainText(/^1 of/, LIVE);
  await expect(other.getByRole("list", { name: "Matching participants" })).toContainText(/Checked in 08:1\d/, LIVE);
  await expect(other.getByRole("button", { name: "Check in Ines Inperson" })).toHaveCount(0);

  // A walk-in.
  await page.getByLabel("Name", { exact: true }).fill("Walter Walkin");
  await page.getByLabel("E-mail", { exact: true }).fill("walter@example.org");
  await page.getByRole("button", { name: "Add and check in" }).click();
  await expect(page.getByRole("status")).toContainText("Walter Walkin is checked in (in person).");
  await expect(checkedIn).toContainText(/^2 of/);
  await page.getByLabel("Name", { exact: true }).fill("Walter Again");
  await page.getByLabel("E-mail", { exact: true }).fill("walter@example.org");
  await page.getByRole("button", { name: "Add and check in" }).click();
  await expect(page.getByRole("status")).toContainText("walter@example.org is already registered");
  await orgContext.close();
});

test("the desk scans a pass with the camera; the holder's phone shows the pass and is then in the room", async ({ browser, plenary }, testInfo) => {
  test.setTimeout(180_000);
  const rafael = await createPerson(plenary.services, { name: "Rafael Remote", email: "rafael@far.example", attendanceMode: "remote" });

  // The participant's phone: their pass.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.addCookies([{ name: "next-auth.session-token", value: rafael.token, url: plenary.url }]);
  const pass = await phone.newPage();
  await pass.goto(`${plenary.url}/me/pass`);
  await expect(pass.getByRole("img", { name: "Your pass's QR code" })).toBeVisible();
  await expect(pass.getByTestId("pass-status")).toHaveText("Show this code at the registration desk to check in.");
  await expectNoAxeViolations(pass, "my pass");
  await pass.screenshot({ path: testInfo.outputPath("pass-390x844.png") });
  // Where a phone's own camera app leads: what the code is for, and nobody's name.
  // (Opened by someone else, signed out: the page must not say whose pass it is.)
  const link = await fetch((await plenary.services.checkIn.passFor(rafael.userId)).url);
  expect(link.status).toBe(200);
  expect(link.headers.get("referrer-policy")).toBe("no-referrer");
  const linkPage = await link.text();
  expect(linkPage).toContain("This QR code is a participant");
  expect(linkPage).not.toContain("Rafael");

  // The same pass as a camera would see it: a still video made from the QR code's PNG.
  const png = testInfo.outputPath("pass.png");
  const y4m = testInfo.outputPath("pass.y4m");
  writeFileSync(png, await plenary.services.checkIn.passPng(rafael.userId));
  execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    "-loop",
    "1",
    "-i",
    png,
    "-vf",
    "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p",
    "-t",
    "1",
    "-r",
    "10",
    y4m,
  ]);
  const camera = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${y4m}`],
  });
  try {
    const deskContext = await camera.newContext({ viewport: { width: 1024, height: 768 } });
    await signIn(deskContext, plenary, { name: "Hedy Helper", email: "hedy@example.org", checkIn: true });
    // A busy device's preview can take many seconds to report that it plays; here play() never
    // settles at all (the video still runs: it autoplays). The desk must read passes regardless,
    // and turning the camera off must stop it (the streams are kept to look at their tracks).
    await deskContext.addInitScript(() => {
      const w = window as unknown as { cameraStreams: MediaStream[] };
      w.cameraStreams = [];
      HTMLMediaElement.prototype.play = () => new Promise<void>(() => undefined);
      const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await getUserMedia(constraints);
        w.cameraStreams.push(stream);
        return stream;
      };
    });
    const desk = await deskContext.newPage();
    const errors: string[] = [];
    desk.on("pageerror", (e) => errors.push(e.message));
    await desk.goto(`${plenary.url}/check-in`);
    await desk.getByRole("button", { name: "Turn the camera on" }).click();
    // Decoding the camera's frames is CPU work; a busy machine needs more than the default wait.
    await expect(desk.getByRole("status")).toHaveText("Rafael Remote is checked in (registered remote).", { timeout: 90_000 });
    await expect(desk.getByTestId("checked-in-remote")).toContainText(/^1 of/);
    await desk.screenshot({ path: testInfo.outputPath("desk-camera-1024x768.png") });
    // The pass is still in front of the camera: read again a few seconds later, it is a second check-in, told when the first was.
    await expect(desk.getByRole("status")).toHaveText(/^Rafael Remote was already checked in at 08:1\d event time\.$/, LIVE);
    await expect(desk.getByTestId("checked-in-remote")).toContainText(/^1 of/);
    await desk.getByRole("button", { name: "Turn the camera off" }).click();
    const cameraTracks = () =>
      desk.evaluate(() => (window as unknown as { cameraStreams: MediaStream[] }).cameraStreams.flatMap((s) => s.getTracks().map((t) => t.readyState)));
    await expect.poll(cameraTracks).toEqual(["ended"]);
    expect(errors).toEqual([]);
  } finally {
    await camera.close();
  }

  // The server now has the phone in the room: its pass says so, and a session opens in the room layout without a code.
  await pass.reload();
  await expect(pass.getByTestId("pass-status")).toContainText(/^Checked in at 08:1\d/);
  await pass.goto(`${plenary.url}/sessions/fms-planning`);
  await expect(pass.locator("[data-audience]")).toHaveAttribute("data-audience", "room");
  await phone.close();
});

test("a check-in the server never answers is reported as not confirmed; doing it again checks them in", async ({ page, context, plenary }) => {
  await signIn(context, plenary, { name: "Dora Desk", email: "dora@example.org", checkIn: true });
  await createPerson(plenary.services, { name: "Uma Unconfirmed", email: "uma@example.org", attendanceMode: "in_person" });
  // The desk's connection goes through Playwright, which loses its check-ins as a dead network would
  // (over the WebSocket, or over HTTP polling before the upgrade).
  const losing = await loseCommands(page, "checkin:check-in");
  await page.goto("/check-in");
  // Other tests in this file share the server: count from here.
  const checkedIn = page.getByTestId("checked-in");
  await expect(checkedIn).toContainText(/^\d+ of/);
  const before = Number(/^(\d+)/.exec((await checkedIn.textContent()) ?? "")![1]);
  await page.getByLabel("Name, e-mail or affiliation").fill("uma");
  await page.getByRole("button", { name: "Check in Uma Unconfirmed" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Not confirmed: the server did not answer." })).toBeVisible(LIVE);
  await page.screenshot({ path: test.info().outputPath("check-in-not-confirmed.png") });
  await expect(checkedIn).toContainText(new RegExp(`^${before} of`));

  losing.on = false;
  await page.getByRole("button", { name: "Check in Uma Unconfirmed" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Uma Unconfirmed is checked in (in person)." })).toBeVisible(LIVE);
  await expect(checkedIn).toContainText(new RegExp(`^${before + 1} of`));
});
