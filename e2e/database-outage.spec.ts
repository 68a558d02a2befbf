/**
 * A database outage as a person sees it. First the database refuses writes (Postgres's read-only
 * mode on the worker's PGlite): a question and a poll answer wait on the device, the page says
 * "Can't save right now — we'll keep trying", and both go through once writes work again. Then the
 * database goes away for good: a page answers 503 with the "briefly unavailable" page.
 *
 * The last test closes this worker's database, so the file runs in order and its clock (10:00:05,
 * used by no other file) keeps Playwright from handing this worker's server to another file.
 */
import { sql } from "drizzle-orm";
import type { TestServer } from "../server/testing/test-server";
import { createPerson } from "../server/testing/people";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { AudiencePage, signedIn, TABLET } from "./qa-pages";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record
const STALLED = "Can't save right now — we'll keep trying.";
const LAPTOP = { viewport: { width: 1366, height: 768 } };
const FAULT = "Something went wrong on the server. Try again; if it persists, tell the organizers.";
test.use({ plenaryOptions: { now: "2024-05-24T10:00:05-04:00" } });
test.describe.configure({ mode: "serial" });

/** A moderator of the session (`who`) launches a single-choice poll; it is open for answers. */
async function launchPoll(plenary: TestServer, who: string, question: string, options: string[]) {
  const mod = await createPerson(plenary.services, {
    name: `Mo ${who}`,
    email: `mo-${who.toLowerCase()}@example.org`,
    roles: [{ slug: SLUG, role: "moderator" }],
  });
  await plenary.services.polls.create((await plenary.services.auth.resolveToken(mod.token)).actor, {
    slug: SLUG,
    clientKey: `${who.toLowerCase()}-e2e-poll`,
    draft: { kind: "single", question, options, resultsVisibility: "published", durationSeconds: null },
    open: true,
  });
}

function readOnly(plenary: TestServer, on: boolean) {
  return plenary.services.db.execute(on ? sql`SET default_transaction_read_only = on` : sql`SET default_transaction_read_only = off`);
}

test("while the database refuses writes, a question and a poll answer wait on the device, then go through", async ({ browser, plenary }) => {
  await launchPoll(plenary, "Outage", "Which reform matters most?", ["Speed", "Training"]);
  const ann = await signedIn(browser, plenary, { name: "Ann Outage", email: "ann-outage@example.org" });
  const audience = new AudiencePage(ann.page);
  await audience.goto(SLUG);
  const poll = ann.page.getByRole("article", { name: "Which reform matters most?" });
  await expect(poll).toBeVisible();

  await readOnly(plenary, true);
  try {
    await audience.textbox.fill("Asked while the database refused writes: is it kept?");
    await audience.send.click();
    await expect(audience.qa.getByTestId("qa-connection")).toHaveText(STALLED);
    await expect(audience.mine.getByRole("listitem")).toHaveCount(1);

    await poll.getByRole("radio", { name: "Speed" }).check();
    await poll.getByRole("button", { name: /Send answer/ }).click();
    await expect(poll.getByRole("status")).toHaveText(STALLED);
    await expect(ann.page.getByText("Something went wrong")).toHaveCount(0);
    await expectNoAxeViolations(ann.page, "session page while saves wait");
  } finally {
    await readOnly(plenary, false);
  }

  // Both are sent again by themselves (every 3 s) once writes work.
  await expect(audience.mine.getByRole("listitem")).toContainText("Awaiting review", { timeout: 15_000 });
  await expect(audience.qa.getByTestId("qa-connection")).toHaveText("");
  await expect(poll.getByRole("status")).toHaveText("Your answer was counted: Speed.", { timeout: 15_000 });
  await ann.context.close();
});

test("a page that cannot load its questions and polls says so, and loads them by itself once it can", async ({ browser, plenary }) => {
  await launchPoll(plenary, "Fault", "Which partner matters most?", ["Allies", "Industry"]);
  const ann = await signedIn(browser, plenary, { name: "Ann Fault", email: "ann-fault@example.org" });
  const audience = new AudiencePage(ann.page);
  const pan = await signedIn(browser, plenary, { name: "Pat Fault", email: "pat-fault@example.org", roles: [{ slug: SLUG, role: "panelist" }] }, TABLET);
  const mod = await signedIn(browser, plenary, { name: "Mo Fault", email: "mo-fault-console@example.org", roles: [{ slug: SLUG, role: "moderator" }] }, LAPTOP);
  // Reads of both fail while the tables are away: a fault on the server, not the person's doing.
  const away = (on: boolean) =>
    Promise.all(
      ["questions", "polls"].map((t) =>
        plenary.services.db.execute(sql.raw(on ? `ALTER TABLE ${t} RENAME TO ${t}_away` : `ALTER TABLE ${t}_away RENAME TO ${t}`)),
      ),
    );
  await away(true);
  try {
    await ann.page.goto(`/sessions/${SLUG}`);
    await expect(audience.qa.getByTestId("qa-connection")).toHaveText(FAULT);
    await expect(ann.page.getByTestId("polls-refusal")).toHaveText(`Polls could not be loaded: ${FAULT}`);
    await expect(ann.page.getByText("Loading polls…")).toHaveCount(0);
    // Nothing was loaded, so the list does not claim that nobody has asked.
    await expect(audience.qa.getByText("No questions yet")).toHaveCount(0);
    await expectNoAxeViolations(ann.page, "session page that cannot load");

    // The panelist's tablet says the same, and does not claim an empty stage or queue.
    await pan.page.goto(`/sessions/${SLUG}/panel`);
    await expect(pan.page.getByTestId("qa-connection")).toHaveText(FAULT);
    await expect(pan.page.getByText("Nothing on stage")).toHaveCount(0);
    await expect(pan.page.getByText("No approved questions yet.")).toHaveCount(0);
    await expectNoAxeViolations(pan.page, "panel page that cannot load");

    // So does the moderators' console: no tab claims to be empty.
    await mod.page.goto(`/sessions/${SLUG}/moderate`);
    await expect(mod.page.getByTestId("qa-connection")).toHaveText(FAULT);
    await expect(mod.page.getByText("No questions here")).toHaveCount(0);
    await expect(mod.page.getByRole("tab", { name: /\(0\)/ })).toHaveCount(0);
    await expect(mod.page.getByTestId("qa-counts")).not.toContainText("0");
  } finally {
    await away(false);
  }
  await expect(ann.page.getByRole("article", { name: "Which partner matters most?" })).toBeVisible({ timeout: 15_000 });
  await expect(ann.page.getByTestId("polls-refusal")).toHaveCount(0);
  await expect(audience.qa.getByTestId("qa-connection")).toHaveText("");
  await expect(audience.textbox).toBeEnabled();
  await expect(audience.qa.getByText("No questions yet. Be the first to ask.")).toBeVisible();
  await expect(pan.page.getByTestId("qa-connection")).toHaveAttribute("data-status", "live", { timeout: 15_000 });
  await expect(pan.page.getByText("No approved questions yet.")).toBeVisible();
  await expect(mod.page.getByTestId("qa-connection")).toHaveAttribute("data-status", "live", { timeout: 15_000 });
  await expect(mod.page.getByTestId("qa-counts")).toContainText("Answered 0");
  await mod.page.getByRole("tab", { name: /^Answered \(0\)/ }).click();
  await expect(mod.page.getByText("No questions here.")).toBeVisible();
  await Promise.all([ann.context.close(), pan.context.close(), mod.context.close()]);
});

test("with the database gone, a page answers 503 and says the service is briefly unavailable", async ({ page, plenary }) => {
  await plenary.services.database.close();
  const res = await page.goto(`/sessions/${SLUG}`);
  expect(res?.status()).toBe(503);
  expect(res?.headers()["retry-after"]).toBe("5");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Plenary is briefly unavailable");
  await expect(page.getByRole("link", { name: "Try again" })).toBeVisible();
  await expectNoAxeViolations(page, "the 503 page");
});
