import { test as base, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { startTestServer, type TestServer, type TestServerOptions } from "../server/testing/test-server";
import { SERVER_START_MS } from "../server/testing/timeouts";

type WorkerFixtures = { plenary: TestServer; plenaryOptions: TestServerOptions };

/**
 * `plenary`: a real Plenary server (Next + socket.io + PGlite) started in the test worker, so a spec
 * can also reach its services directly (e.g. change the agenda through the agenda service, or move
 * the simulated clock). Set the clock per file with `test.use({ plenaryOptions: { now: "…" } })`.
 */
export const test = base.extend<{ baseURL: string; failOnPageErrors: void }, WorkerFixtures>({
  plenaryOptions: [{}, { option: true, scope: "worker" }],
  plenary: [
    async ({ plenaryOptions }, use) => {
      const server = await startTestServer({ withNext: true, ...plenaryOptions });
      await use(server);
      await server.close();
    },
    // Starting the server is setup with its own budget: a busy machine must not fail the run (server/testing/timeouts.ts).
    { scope: "worker", timeout: SERVER_START_MS },
  ],
  baseURL: async ({ plenary }, use) => use(plenary.url),
  // Uncaught errors and React hydration mismatches in any page of the test fail it.
  failOnPageErrors: [
    async ({ context }, use) => {
      const problems: string[] = [];
      const watch = (page: Page) => {
        page.on("pageerror", (err) => problems.push(`${page.url()}: ${err.message}`));
        page.on("console", (msg) => {
          if (msg.type() === "error" && /hydrat/i.test(msg.text())) problems.push(`${page.url()}: ${msg.text()}`);
        });
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      await use();
      expect(problems, "errors in the page").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** axe-core on the current page: WCAG 2.x A/AA rules (Section 508). */
export async function expectNoAxeViolations(page: Page, label = page.url()) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, `axe violations on ${label}`).toEqual([]);
}

/**
 * Loses the page's socket.io commands named `event` (one name or several) while `losing.on` is true,
 * over the WebSocket and over HTTP polling before the upgrade, as a network that drops them would;
 * `losing.lost` counts them. Call before the page opens its socket.
 */
export async function loseCommands(page: Page, event: string | string[]): Promise<{ on: boolean; lost: number }> {
  const losing = { on: true, lost: 0 };
  const names = [event].flat().map((e) => `"${e}"`);
  const lose = (text: string) => {
    const drop = losing.on && names.some((n) => text.includes(n));
    if (drop) losing.lost++;
    return drop;
  };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      if (!lose(String(m))) server.send(m);
    });
    server.onMessage((m) => ws.send(m));
  });
  await page.route(/\/socket\.io\/.*transport=polling/, (route) => (lose(route.request().postData() ?? "") ? route.abort() : route.continue()));
  return losing;
}
