/**
 * REC in the room: while a recording runs, the room's screen and the panelists' view of a streamed
 * session show it, live, as the viewer page and the backstage do. The recording starts the way any
 * egress shows itself to Plenary: LiveKit's `egress_started` webhook, signed with LiveKit's key, for
 * a session that allows recording (the embedded LiveKit has no egress worker to start a real one).
 */
import { roomNameFor } from "../server/streaming/grants";
import { signWebhook } from "../server/testing/livekit";
import type { TestServer } from "../server/testing/test-server";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { personContext } from "./stream-helpers";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024: streamed, recording allowed, Q&A and polls
const DAY1 = "fms-planning"; // Chatham House: never streamed, never recorded
test.use({ plenaryOptions: { now: "2024-05-24T09:50:00-04:00", livekit: true } });

const REC = { name: "Recording: this session is being recorded" };

async function egress(plenary: TestServer, event: "egress_started" | "egress_ended", egressId: string) {
  const lk = plenary.services.streaming.livekit();
  const session = (await plenary.services.agenda.findRow(SLUG))!;
  const hook = await signWebhook(lk.apiKey, lk.apiSecret, {
    event,
    id: `EV_${event}_${egressId}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    egressInfo: { egressId, roomName: roomNameFor(session.id), status: event === "egress_started" ? "EGRESS_ACTIVE" : "EGRESS_COMPLETE" },
  });
  const res = await fetch(`${plenary.url}/api/livekit/webhook`, { method: "POST", body: hook.body, headers: { authorization: hook.authorization } });
  expect(res.status).toBe(200);
}

test("the room's screen and the panelists' view show REC while a recording runs, and not after", async ({ browser, plenary }) => {
  test.setTimeout(90_000);
  const panelist = await personContext(browser, plenary, {
    name: "Dana Panelist",
    email: "dana@example.org",
    roles: [
      { slug: SLUG, role: "panelist" },
      { slug: DAY1, role: "panelist" },
    ],
  });
  const room = await personContext(browser, plenary, { name: "Room Screen Staff", email: "screen@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  const panel = panelist.page;
  const screen = room.page;
  await panel.goto(`/sessions/${SLUG}/panel`);
  await screen.goto(`/sessions/${SLUG}/screen`);
  await expect(panel.getByTestId("panel-view")).toBeVisible();
  await expect(screen.getByRole("heading", { level: 1 })).toBeVisible();
  // The live region is there before anything records, empty.
  for (const page of [panel, screen]) {
    await expect(page.locator('[role="status"][data-recording="false"]')).toHaveCount(1);
    await expect(page.getByRole("status", REC)).toHaveCount(0);
  }

  // A recording starts: both pages follow without a reload.
  await egress(plenary, "egress_started", "EG_room_rec");
  for (const page of [panel, screen]) {
    await expect(page.getByRole("status", REC)).toBeVisible();
    await expect(page.getByRole("status", REC)).toHaveText("REC: this session is being recorded");
    await expect(page.getByRole("status", REC)).toHaveAttribute("data-recording", "true");
  }
  if (process.env.E2E_SCREENSHOTS) {
    await screen.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/rec-room-screen.png` });
    await panel.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/rec-panel.png` });
  }
  await expectNoAxeViolations(panel, "panel view, recording");
  await expectNoAxeViolations(screen, "room screen, recording");

  // Reloaded while recording: REC is there from the first paint.
  await screen.reload();
  await expect(screen.getByRole("status", REC)).toBeVisible();

  // The recording ends: REC goes away on both.
  await egress(plenary, "egress_ended", "EG_room_rec");
  for (const page of [panel, screen]) await expect(page.getByRole("status", REC)).toHaveCount(0);

  // A Day 1 session has no stream, so its panel view has no REC region at all.
  await panel.goto(`/sessions/${DAY1}/panel`);
  await expect(panel.getByTestId("panel-view")).toBeVisible();
  await expect(panel.locator("[data-recording]")).toHaveCount(0);

  for (const c of [panelist, room]) {
    c.assertClean();
    await c.context.close();
  }
});
