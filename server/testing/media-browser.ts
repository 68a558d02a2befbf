import { chromium, type Browser } from "@playwright/test";

/**
 * Debian's Chromium with a fake camera and microphone that may play and publish WebRTC on loopback:
 * what the streaming benchmarks and the cluster's LiveKit test drive (Playwright's own specs set the
 * same flags in playwright.config.ts).
 */
export function launchMediaChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      "--allow-loopback-in-peer-connection",
      "--disable-features=WebRtcHideLocalIpsWithMdns",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}
