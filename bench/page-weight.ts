/**
 * Page weight: the JavaScript a first visit downloads, per page, measured in real Chromium against a
 * real server. Baseline in the same run: the 404 page, which carries React, Next and the site layout
 * (header, account menu) but no page island, so the ratio shows what each page's island adds.
 *
 *   npx tsx bench/page-weight.ts [--pages /,/sessions/fms-planning]
 */
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { startTestServer } from "../server/testing/test-server";
import ensureBuild from "../scripts/ensure-build";

const args = process.argv.slice(2);
const pagesArg = args.indexOf("--pages");
const pages = pagesArg >= 0 ? args[pagesArg + 1].split(",") : ["/", "/sessions/fms-planning", "/sessions/defense-industry-perspectives"];
const BASELINE = "/this-page-does-not-exist";

export async function measurePageWeight(paths: string[]) {
  ensureBuild();
  const server = await startTestServer({ withNext: true, now: "2024-05-24T09:00:00-04:00" });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  const results: Array<{ path: string; files: number; bytes: number; gzip: number }> = [];
  try {
    for (const path of [BASELINE, ...paths]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const scripts: Buffer[] = [];
      page.on("response", async (res) => {
        if (res.request().resourceType() === "script") scripts.push(await res.body().catch(() => Buffer.alloc(0)));
      });
      await page.goto(`${server.url}${path}`, { waitUntil: "networkidle" });
      const bytes = scripts.reduce((n, b) => n + b.length, 0);
      const gzip = scripts.reduce((n, b) => n + gzipSync(b).length, 0);
      results.push({ path, files: scripts.length, bytes, gzip });
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await measurePageWeight(pages);
  const base = results[0];
  console.log("page weight (first-load JavaScript, Chromium, production build)");
  for (const r of results) {
    const label = r.path === BASELINE ? "baseline: 404 page (layout only)" : r.path;
    console.log(
      `  ${label.padEnd(42)} ${String(r.files).padStart(3)} files  ${kb(r.bytes).padStart(10)}  gzip ${kb(r.gzip).padStart(9)}  ratio ${(r.gzip / base.gzip).toFixed(2)}×`,
    );
  }
}
