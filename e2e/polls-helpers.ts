import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect } from "./fixtures";
import { createPerson, type PersonSpec, type TestPerson } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";

/** A phone-sized screen (360 × 740 CSS px), as in the ballroom. */
export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export interface Participant {
  person: TestPerson;
  spec: PersonSpec;
  context: BrowserContext;
  page: Page;
  /** Every socket.io frame this page received. */
  frames: string[];
}

/**
 * A signed-in browser context with its own page. Like the `context` fixture, it fails the test on
 * uncaught page errors and hydration mismatches (checked by `expectNoPageErrors`).
 */
export async function participant(
  browser: Browser,
  plenary: TestServer,
  spec: PersonSpec,
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<Participant & { errors: string[] }> {
  const person = await createPerson(plenary.services, spec);
  const context = await browser.newContext(options);
  await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  const page = await context.newPage();
  const frames: string[] = [];
  const errors: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(typeof f.payload === "string" ? f.payload : f.payload.toString("utf8"))));
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && /hydrat/i.test(msg.text())) errors.push(`${page.url()}: ${msg.text()}`);
  });
  return { person, spec, context, page, frames, errors };
}

export function expectNoPageErrors(...people: Array<{ errors: string[] }>) {
  expect(
    people.flatMap((p) => p.errors),
    "errors in the pages",
  ).toEqual([]);
}

/** The row of a results chart for one answer. */
export function resultRow(scope: Page, label: string) {
  return scope.getByTestId("poll-results").getByRole("listitem").filter({ hasText: label });
}
