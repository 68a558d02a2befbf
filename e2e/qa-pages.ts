/** Page objects for the Q&A journeys: one per view, all through roles and labels. */
import { eq } from "drizzle-orm";
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from "@playwright/test";
import { sessions } from "../db/schema";
import { createPerson, type PersonSpec, type TestPerson } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";
import { expect } from "./fixtures";

export const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const TABLET: BrowserContextOptions = { viewport: { width: 1024, height: 768 }, hasTouch: true };
export const PROJECTOR: BrowserContextOptions = { viewport: { width: 1920, height: 1080 } };

export async function signedIn(
  browser: Browser,
  plenary: TestServer,
  spec: PersonSpec,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; person: TestPerson }> {
  const person = await createPerson(plenary.services, spec);
  const context = await browser.newContext({ baseURL: plenary.url, ...options });
  await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  return { context, page: await context.newPage(), person };
}

export async function accessCode(plenary: TestServer, slug: string): Promise<string> {
  const [row] = await plenary.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, slug));
  return row.code!;
}

/** The audience island on a session page. */
export class AudiencePage {
  constructor(readonly page: Page) {}
  get qa(): Locator {
    return this.page.getByRole("region", { name: "Questions & answers" });
  }
  get textbox() {
    return this.qa.getByRole("textbox", { name: "Your question" });
  }
  get send() {
    return this.qa.getByRole("button", { name: "Send question" });
  }
  get mine() {
    return this.qa.getByRole("region", { name: "Your questions" });
  }
  get list() {
    return this.qa.getByRole("region", { name: "Questions from the audience" });
  }
  async goto(slug: string) {
    await this.page.goto(`/sessions/${slug}`);
    await expect(this.qa.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  }
  async ask(text: string) {
    await this.textbox.fill(text);
    await this.send.click();
    await expect(this.textbox).toHaveValue("");
  }
  question(text: string): Locator {
    return this.list.getByRole("listitem").filter({ hasText: text });
  }
  voteButton(text: string): Locator {
    return this.question(text).getByRole("button", { name: /^Upvote/ });
  }
}

export class ConsolePage {
  constructor(readonly page: Page) {}
  async goto(slug: string) {
    await this.page.goto(`/sessions/${slug}/moderate`);
    await expect(this.page.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  }
  tab(name: RegExp | string) {
    return this.page.getByRole("tab", { name });
  }
  item(text: string): Locator {
    return this.page.locator("article.qa-mod-item").filter({ hasText: text });
  }
  action(text: string, name: RegExp | string): Locator {
    return this.item(text).getByRole("button", { name });
  }
  /** Runs an action of a card: one of its buttons, else an item of its "More actions" menu. */
  async choose(text: string, name: RegExp | string): Promise<void> {
    const button = this.action(text, name);
    if (await button.count()) return button.click();
    await this.item(text).getByRole("button", { name: "More actions" }).click();
    await this.item(text).getByRole("menuitem", { name }).click();
  }
  get outcome() {
    return this.page.getByTestId("qa-outcome");
  }
}

export class PanelPage {
  constructor(readonly page: Page) {}
  async goto(slug: string) {
    await this.page.goto(`/sessions/${slug}/panel`);
    await expect(this.page.getByTestId("qa-connection")).toHaveAttribute("data-status", "live");
  }
  get queue() {
    return this.page.getByRole("list", { name: "Approved questions in the moderators' order" });
  }
  get onStage() {
    return this.page.getByTestId("panel-on-stage");
  }
}

export class ScreenPage {
  constructor(readonly page: Page) {}
  async goto(slug: string) {
    await this.page.goto(`/sessions/${slug}/screen`);
    await expect(this.page.getByTestId("screen-code")).toBeVisible();
  }
  get onStage() {
    return this.page.getByTestId("screen-on-stage");
  }
}

/** The phone joins the way people in the room do: the code from the screen, on /join. */
export async function joinWithCode(page: Page, code: string, name?: string) {
  await page.goto(`/join?code=${code}`);
  if (name) await page.getByRole("textbox", { name: /Your name/ }).fill(name);
  await page.getByRole("button", { name: "Join" }).click();
  await page.waitForURL(/\/sessions\//);
}

/** No horizontal scrolling: everything fits the viewport's width. */
export async function expectNoHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, "page wider than the screen").toBeLessThanOrEqual(client);
}

/**
 * Records every layout shift of the context's pages from their first paint (the Layout Instability
 * API): `layoutShifts(page)` gives the class of each element a shift moved.
 */
export async function watchLayoutShifts(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as { shifted: string[] };
    w.shifted = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as Array<{ sources?: Array<{ node?: Node | null }> }>)
        for (const s of e.sources ?? []) w.shifted.push(s.node instanceof Element ? s.node.className : String(s.node?.nodeName));
    }).observe({ type: "layout-shift", buffered: true });
  });
}

export function layoutShifts(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { shifted: string[] }).shifted);
}
