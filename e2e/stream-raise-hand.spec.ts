/**
 * Raise hand, in Chromium against the real embedded LiveKit: a remote stakeholder asks to speak, the
 * moderator promotes them, their microphone reaches another viewer; demoted, it stops.
 */
import { roomNameFor } from "../server/streaming/grants";
import { createPerson } from "../server/testing/people";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import config from "../playwright.config";
import { expectAudioArriving, expectVideoPlaying, personContext, toneWav } from "./stream-helpers";

const SLUG = "conversation-with-asd-acquisition"; // 08:45–09:30 Fri 24 May 2024
const launch = config.use!.launchOptions!;
test.use({
  plenaryOptions: { now: "2024-05-24T08:50:00-04:00", livekit: true },
  // Microphones that speak steadily, so LiveKit's active-speaker detection has a voice to find.
  launchOptions: { ...launch, args: [...(launch.args ?? []), `--use-file-for-fake-audio-capture=${toneWav()}`] },
});

test("raise hand → promote → the promoted person's audio reaches the others → demote", async ({ browser, plenary }) => {
  // Four browsers with live media on two cores: the server and LiveKit alone take up to a minute to start.
  test.setTimeout(300_000);
  const session = (await plenary.services.agenda.findRow(SLUG))!;
  const staff = await createPerson(plenary.services, { name: "Morgan Moderator", roles: [{ slug: SLUG, role: "moderator" }] });
  await plenary.services.streaming.setState((await plenary.services.auth.resolveToken(staff.token)).actor, session, "start", { emptyStage: true });

  const moderator = await personContext(browser, plenary, { name: "Mia Moderator", email: "mia@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const panelist = await personContext(browser, plenary, { name: "Dana Panelist", email: "dana@example.org", roles: [{ slug: SLUG, role: "panelist" }] });
  const asker = await personContext(browser, plenary, { name: "Remy Remote", email: "remy@example.org", affiliation: "Partner Nation MoD" });
  const listener = await personContext(browser, plenary, { name: "Lee Listener", email: "lee@example.org" });

  // A panelist on stage, so there is something to watch.
  await panelist.page.goto(`/sessions/${SLUG}/backstage`);
  await panelist.page.getByRole("button", { name: "Preview camera and microphone" }).click();
  await panelist.page.getByRole("button", { name: "Join backstage" }).click();
  await expect(panelist.page.getByText("You are backstage.")).toBeVisible({ timeout: 20_000 });

  for (const v of [asker, listener]) {
    await v.page.goto(`/sessions/${SLUG}`);
    await v.page.getByRole("button", { name: "Watch" }).click();
    await expectVideoPlaying(v.page, 'video[aria-label="Dana Panelist (camera)"]');
  }
  await expect(listener.page.locator('audio[data-speaker="Remy Remote"]')).toHaveCount(0);

  // The remote stakeholder asks; the moderator sees it first come first served.
  const a = asker.page;
  await a.getByRole("button", { name: "Ask to speak" }).click();
  await expect(a.getByText("You asked to speak. A moderator will call on you")).toBeVisible();
  await expect(a.getByRole("button", { name: "Lower my hand" })).toBeVisible();

  const m = moderator.page;
  await m.goto(`/sessions/${SLUG}/backstage`);
  const queue = m.getByRole("list", { name: "Requests, first come first served" });
  await expect(queue.getByRole("listitem")).toHaveCount(1);
  await expect(queue).toContainText("Remy Remote, Partner Nation MoD — waiting");
  await expectNoAxeViolations(m, "backstage with a request to speak");
  await m.getByRole("button", { name: "Give Remy Remote the microphone" }).click();
  await expect(queue).toContainText("Remy Remote, Partner Nation MoD — speaking (microphone)");

  // The person is told, and LiveKit now lets them publish their microphone (and only that).
  await expect(a.getByText("A moderator gave you the floor.").first()).toBeVisible();
  await a.getByRole("button", { name: "Turn on my microphone" }).click();
  await expect(a.getByRole("button", { name: "Turn off my microphone" })).toBeVisible({ timeout: 15_000 });
  await expect(a.getByRole("button", { name: /camera/ })).toHaveCount(0);
  await expectNoAxeViolations(a, "session page, promoted to speak");

  // Their voice reaches the other viewer (and the panelist backstage).
  await expect(listener.page.getByRole("list", { name: "On stage" })).toContainText("Remy Remote");
  await expectAudioArriving(listener.page, 'audio[data-speaker="Remy Remote"]');
  // LiveKit's active-speaker detection names who is talking (both fake microphones beep).
  await expect(listener.page.getByTestId("speaking-now")).toHaveText(/^Speaking: .*(Remy Remote|Dana Panelist)/, { timeout: 15_000 });

  const lk = plenary.services.streaming.livekit();
  const remy = (await lk.rooms.listParticipants(roomNameFor(session.id))).find((p) => p.name === "Remy Remote")!;
  expect(remy.permission).toMatchObject({ canPublish: true, hidden: false, canPublishData: false });
  expect(remy.tracks.map((t) => t.source)).toEqual([2 /* microphone */]);

  // A reload (or Watch in another tab) keeps the floor: the new token is a speaker's.
  await a.reload();
  await a.getByRole("button", { name: "Watch" }).click();
  await a.getByRole("button", { name: "Turn on my microphone" }).click();
  await expect(a.getByRole("button", { name: "Turn off my microphone" })).toBeVisible({ timeout: 15_000 });
  await expect(listener.page.locator('audio[data-speaker="Remy Remote"]')).toHaveCount(1, { timeout: 15_000 });
  await expectAudioArriving(listener.page, 'audio[data-speaker="Remy Remote"]');
  const speakers = (await lk.rooms.listParticipants(roomNameFor(session.id))).filter((p) => p.name === "Remy Remote");
  expect(speakers.map((p) => [p.attributes["plenary.role"], p.permission?.canPublish, p.tracks.map((t) => t.source)])).toEqual([["speaker", true, [2]]]);

  // Demoted: told, and the microphone is gone for everyone.
  await m.getByRole("button", { name: "End Remy Remote's turn" }).click();
  await expect(queue.getByRole("listitem")).toHaveCount(0);
  await expect(a.getByText("Your turn to speak has ended. Thank you.")).toBeVisible();
  await expect(a.getByRole("button", { name: "Ask to speak" })).toBeVisible();
  await expect(listener.page.locator('audio[data-speaker="Remy Remote"]')).toHaveCount(0, { timeout: 15_000 });
  const after = (await lk.rooms.listParticipants(roomNameFor(session.id))).filter((p) => p.attributes["plenary.role"] === "viewer");
  expect(after.every((p) => p.permission?.canPublish === false && p.permission?.hidden === true && p.tracks.length === 0)).toBe(true);

  for (const c of [moderator, panelist, asker, listener]) {
    c.assertClean();
    await c.context.close();
  }
});
