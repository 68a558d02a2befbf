import { defineConfig, devices } from "@playwright/test";

/**
 * Every spec starts its own Plenary server inside the test worker (e2e/fixtures.ts), on a loopback
 * port, with the clock and database it needs. The browser is Debian's Chromium: Playwright's own
 * download does not work on these machines. CHROMIUM_PATH overrides the path.
 */
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const desktop = { ...devices["Desktop Chrome"], channel: undefined };
/** The specs that start the embedded LiveKit server (`livekit: true`) and play its media, or decode a camera feed. */
const MEDIA_SPECS = /\/(stream-[^/]*|browser-defences|captions|design-audience|design-screenshots|check-in-desk)\.spec\.ts$/;

export default defineConfig({
  testDir: "./e2e",
  globalSetup: "./scripts/ensure-build.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--allow-loopback-in-peer-connection",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        "--autoplay-policy=no-user-gesture-required",
      ],
    },
  },
  projects: [
    // Specs with live LiveKit media run one at a time: two of them decoding and encoding video at once
    // starve a 2-core machine (videos stall), while the other worker takes the rest of the suite.
    { name: "media", testMatch: MEDIA_SPECS, workers: 1, use: desktop },
    { name: "chromium", testIgnore: MEDIA_SPECS, use: desktop },
  ],
});
