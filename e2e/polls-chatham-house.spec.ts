import { sql } from "drizzle-orm";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { expectNoPageErrors, participant, PHONE, resultRow } from "./polls-helpers";

// Thursday 23 May, 10:00 EDT: "FMS Planning" (Day 1) is live, under the Chatham House Rule.
const logLines: string[] = [];
test.use({ plenaryOptions: { now: "2024-05-23T10:00:00-04:00", logSink: (line: string) => logLines.push(line) } });
const SLUG = "fms-planning";
const QUESTION = "Where do partner nations struggle most?";

test("a Day 1 poll shows only totals with small counts hidden, and no page, payload, export or log names a voter", async ({ browser, plenary }) => {
  test.setTimeout(120_000);
  const mod = await participant(browser, plenary, { name: "Mo Moderator", email: "mo@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const screen = await participant(
    browser,
    plenary,
    { name: "Ballroom screen", email: "screen@example.org", roles: [{ slug: SLUG, role: "panelist" }] },
    {
      viewport: { width: 1920, height: 1080 },
    },
  );
  const voters = [
    { name: "Adaeze Okafor", email: "adaeze.okafor@mod.example", affiliation: "Ministry of Defence of Freedonia" },
    { name: "Bartholomew Quist", email: "b.quist@embassy.example", affiliation: "Embassy of Sylvania" },
    { name: "Chidinma Vasquez", email: "c.vasquez@prime.example", affiliation: "Vasquez Aerostructures" },
    { name: "Dmitri Lindqvist", email: "dmitri@navy.example", affiliation: "Lindqvist Naval Group" },
  ];
  const phones = await Promise.all(voters.map((v) => participant(browser, plenary, { ...v, attendanceMode: "in_person" }, PHONE)));

  for (const p of phones) await p.page.goto(`/sessions/${SLUG}`);
  await expect(phones[0].page.getByText("No polls yet")).toBeVisible();
  await screen.page.goto(`/sessions/${SLUG}/screen`);

  // Created and launched on the spot, results live for everyone.
  await mod.page.goto(`/sessions/${SLUG}/polls`);
  await expect(mod.page.getByText("Nobody, not even you, can see who answered what")).toBeVisible();
  const form = mod.page.getByRole("form", { name: "New poll" });
  await form.getByLabel("Question").fill(QUESTION);
  await form.getByRole("textbox", { name: "Option 1" }).fill("Partner capacity");
  await form.getByRole("textbox", { name: "Option 2" }).fill("Case timelines");
  await form.getByRole("button", { name: "Add option" }).click();
  // An option a spreadsheet would run as a formula: the export must neutralize it.
  await form.getByRole("textbox", { name: "Option 3" }).fill("=SUM(1+1)");
  await form.getByRole("radio", { name: "Live, while people answer" }).check();
  await form.getByRole("button", { name: "Launch now" }).click();
  await expect(mod.page.getByTestId("console-status")).toHaveText(`Launched: ${QUESTION}`);

  const picks = ["Partner capacity", "Partner capacity", "Partner capacity", "Case timelines"];
  for (const [i, p] of phones.entries()) {
    await expect(p.page.getByRole("heading", { name: QUESTION })).toBeVisible();
    await p.page.getByRole("radio", { name: picks[i] }).check();
    await p.page.getByRole("button", { name: "Send answer" }).click();
    await expect(p.page.getByRole("status").filter({ hasText: "Your answer was counted" })).toHaveText(`Your answer was counted: ${picks[i]}.`);
  }

  // Every view shows totals only; counts below 3 (zero included) read "fewer than 3".
  for (const page of [screen.page, mod.page, phones[0].page, phones[3].page]) {
    await expect(resultRow(page, "Partner capacity")).toContainText("3 · 75%");
    await expect(resultRow(page, "Case timelines")).toContainText("fewer than 3");
    await expect(resultRow(page, "=SUM(1+1)")).toContainText("fewer than 3");
    await expect(page.getByTestId("poll-results")).toContainText("4 answers");
    await expect(page.getByTestId("poll-results")).toContainText("counts below 3 are shown as “fewer than 3”");
  }
  await expectNoAxeViolations(screen.page, "Day 1 room screen");
  await expectNoAxeViolations(mod.page, "Day 1 poll console");
  await expectNoAxeViolations(phones[3].page, "Day 1 phone");

  // The export: totals only, suppressed the same way, formulas neutralized; moderators only.
  const csvResponse = await mod.page.request.get(`/api/sessions/${SLUG}/polls.csv`);
  expect(csvResponse.status()).toBe(200);
  expect(csvResponse.headers()["content-type"]).toContain("text/csv");
  const csv = await csvResponse.text();
  expect(csv).toContain(`Partner capacity,3,75,4`);
  expect(csv).toContain(`Case timelines,fewer than 3,,4`);
  expect(csv).toContain(`'=SUM(1+1),fewer than 3,,4`);
  expect((await phones[0].page.request.get(`/api/sessions/${SLUG}/polls.csv`)).status()).toBe(403);

  // Nobody's identity in any socket payload, page, export or log line — for any role.
  const identities = phones.flatMap((p) => [p.person.userId, p.spec.name, p.spec.email!, p.spec.affiliation!]);
  const scan = (where: string, text: string, except: string[] = []) => {
    for (const id of identities.filter((x) => !except.includes(x))) expect(text.includes(id), `${where} mentions ${id}`).toBe(false);
  };
  for (const c of [mod, screen, ...phones]) scan(`socket frames of ${c.spec.name}`, c.frames.join("\n"));
  scan("the moderator's console", await mod.page.content());
  scan("the room screen", await screen.page.content());
  // A phone shows its own name in the header (its own sign-in); never anyone else's.
  for (const p of phones) scan(`${p.spec.name}'s page`, await p.page.content(), [p.spec.name]);
  scan("the CSV export", csv);
  scan("the server log", logLines.join("\n"));
  expect(mod.frames.join("").includes("poll:results"), "the scan saw results payloads").toBe(true);

  // The session ends: open polls close by themselves, and the link between people and answers goes.
  plenary.clock.set?.(new Date("2024-05-23T11:15:00-04:00"));
  await plenary.services.polls.sweepErasure();
  await expect(phones[0].page.getByText("Closed", { exact: true })).toBeVisible();
  await expect(phones[0].page.getByTestId("poll-announcer")).toHaveText(`Poll closed: ${QUESTION}`);
  const linked = await plenary.services.db.execute(
    sql`SELECT count(*)::int AS n FROM poll_responses r JOIN polls p ON p.id = r.poll_id JOIN sessions s ON s.id = p.session_id WHERE s.slug = ${SLUG} AND r.voter_id IS NOT NULL`,
  );
  expect(Number((linked as { rows: Array<{ n: number }> }).rows[0].n)).toBe(0);
  await phones[0].page.reload();
  await expect(phones[0].page.getByRole("heading", { name: QUESTION })).toBeVisible();
  await expect(phones[0].page.getByText("Your answer:")).toHaveCount(0);
  await expect(resultRow(phones[0].page, "Partner capacity")).toContainText("3 · 75%");

  expectNoPageErrors(mod, screen, ...phones);
  for (const c of [mod, screen, ...phones]) await c.context.close();
});
