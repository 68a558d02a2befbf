/**
 * First run on a machine without the LiveKit binary: the Day 2 pages say the media server is being
 * prepared (a live region), and streaming switches on by itself, without a reload or a restart. The
 * build is server/testing/livekit-build-copy.mjs (install-livekit.sh's protocol, the real binary copied).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { livekitBinForTests } from "../server/testing/livekit";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { personContext } from "./stream-helpers";

const SLUG = "conversation-with-asd-acquisition"; // 08:45–09:30 Fri 24 May 2024
const source = livekitBinForTests();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-e2e-media-"));
const bin = path.join(dir, "livekit-server");
const release = path.join(dir, "release");

test.skip(!source, "needs a LiveKit server binary to copy");
test.use({
  plenaryOptions: {
    now: "2024-05-24T08:50:00-04:00",
    config: { livekit: { mode: "embedded", bin } },
    livekitBuild: {
      command: process.execPath,
      args: [fileURLToPath(new URL("../server/testing/livekit-build-copy.mjs", import.meta.url))],
      // It "builds" until the test has seen both pages in the preparing state.
      env: { LIVEKIT_SOURCE: source ?? "", BUILD_RELEASE_FILE: release },
    },
  },
});

test("while the media server is built, Day 2 pages say so, and streaming turns on by itself", async ({ browser, plenary }) => {
  expect(plenary.services.streaming.media.status).toBe("preparing");
  const viewer = await personContext(browser, plenary, { name: "Remy Remote", email: "remy@example.org" });
  const moderator = await personContext(browser, plenary, {
    name: "Morgan Moderator",
    email: "morgan@example.org",
    roles: [{ slug: SLUG, role: "moderator" }],
  });
  await viewer.page.goto(`/sessions/${SLUG}`);
  const region = viewer.page.getByRole("region", { name: "Live stream" });
  const notice = region.getByRole("status").filter({ hasText: "media server" }).last();
  await expect(notice).toHaveText("Preparing the media server (first run) — streaming turns on by itself in a few minutes.");
  await expect(region.getByRole("status").first()).toContainText("Preparing the media server");
  await expectNoAxeViolations(viewer.page, "session page while the media server is prepared");

  await moderator.page.goto(`/sessions/${SLUG}/backstage`);
  await expect(moderator.page.getByText("Preparing the media server (first run)")).toBeVisible();
  await expect(moderator.page.getByRole("button", { name: "Go live" })).toBeDisabled();

  // The build finishes: the same pages, never reloaded, switch on.
  fs.writeFileSync(release, "");
  await expect(notice).toHaveText("The media server is ready: streaming is on.", { timeout: 45_000 });
  await expect(region.getByRole("status").first()).toContainText("Stream not started yet");
  await expect(moderator.page.getByRole("button", { name: "Go live" })).toBeEnabled();
  expect(plenary.services.streaming.available).toBe(true);
  viewer.assertClean();
  moderator.assertClean();
  await viewer.context.close();
  await moderator.context.close();
});

test.afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
