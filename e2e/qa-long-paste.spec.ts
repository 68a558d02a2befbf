/**
 * A very long text pasted into the question box (an article, a whole email): the page says it is too
 * long and keeps its live connection. The page asks for similar questions as the person types; a text
 * over the socket's frame limit (16 KB) would cut the connection, and the page would ask again on
 * reconnecting. `checkQuestionText` stops that (nothing is asked above 2,000 characters); this holds it.
 */
import { test, expect } from "./fixtures";
import { AudiencePage, PHONE, signedIn } from "./qa-pages";

const SLUG = "defense-industry-perspectives";
test.use({ plenaryOptions: { now: "2024-05-24T10:00:00-04:00" } });

test("pasting 20,000 characters into the question box keeps the page live and says the question is too long", async ({ browser, plenary }) => {
  const { context, page } = await signedIn(browser, plenary, { name: "Pat Paster", email: "pat.paster@example.org" }, PHONE);
  const audience = new AudiencePage(page);
  await audience.goto(SLUG);
  const status = audience.qa.getByTestId("qa-connection");
  // Every status the connection shows from here on, in order.
  await status.evaluate((el) => {
    const seen: string[] = [];
    (window as unknown as { seenStatus: string[] }).seenStatus = seen;
    new MutationObserver(() => seen.push(el.getAttribute("data-status") ?? "")).observe(el, { attributes: true, attributeFilter: ["data-status"] });
  });
  const words = "Partner nations ask how sustainment cases are priced over a decade of support. ";
  await audience.textbox.fill(words.repeat(Math.ceil(20_000 / words.length)));
  await expect(audience.qa.getByTestId("qa-count")).toContainText("of 500 characters");
  // Longer than the 400 ms the page waits before asking for similar questions, with time for a reconnect.
  await page.waitForTimeout(3_000);
  await expect(status).toHaveAttribute("data-status", "live");
  expect(await page.evaluate(() => (window as unknown as { seenStatus: string[] }).seenStatus)).toEqual([]);
  // Shortened to a question, it is sent as usual.
  await audience.ask("How are sustainment cases priced over a decade?");
  await expect(audience.mine.getByText("How are sustainment cases priced over a decade?")).toBeVisible();
  await context.close();
});
