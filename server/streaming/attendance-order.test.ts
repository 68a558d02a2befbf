/**
 * Two webhooks handled at once must not leave backstage with the older count. The race: the first
 * webhook's count is read, a second participant joins and its count is read and sent, and only then
 * is the first (older) count sent. On a fast machine this left "On stage: 0" on the moderator's
 * page. The database and LiveKit are real; the only thing changed is that the first count read is
 * answered late, which is what makes the race happen every time instead of now and then.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SessionRow } from "../../db/schema";
import { connectClient, type TestSocket } from "../testing/clients";
import { livekitBinForTests, signWebhook } from "../testing/livekit";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { SERVER_START_MS } from "../testing/timeouts";
import { roomNameFor } from "./grants";

/** The count reads so far, and how long the next one's answer is held back. */
const reads = vi.hoisted(() => ({ count: 0, holdNextMs: 0, started: [] as Array<() => void> }));

vi.mock("./queries", async (importOriginal) => {
  const real = await importOriginal<typeof import("./queries")>();
  return {
    ...real,
    countAttendance: async (...args: Parameters<typeof real.countAttendance>) => {
      const hold = reads.holdNextMs;
      reads.holdNextMs = 0;
      const result = await real.countAttendance(...args);
      reads.count++;
      for (const wake of reads.started.splice(0)) wake();
      if (hold) await new Promise((r) => setTimeout(r, hold));
      return result;
    },
  };
});

const DAY2 = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024

describe.skipIf(!livekitBinForTests())("attendance sent to the staff", () => {
  let server: TestServer;
  let day2: SessionRow;
  let staff: TestSocket;

  beforeAll(async () => {
    server = await startTestServer({ now: "2024-05-24T09:50:00-04:00", livekit: true });
    day2 = (await server.services.agenda.findRow(DAY2))!;
    const moderator = await createPerson(server.services, { name: "Morgan Moderator", roles: [{ slug: DAY2, role: "moderator" }] });
    staff = await connectClient(server.url, { cookie: moderator.cookie });
    expect((await staff.emitWithAck("session:join", { slug: DAY2 })).ok).toBe(true);
  }, SERVER_START_MS);

  afterAll(async () => {
    staff?.close();
    await server?.close();
  });

  async function deliver(id: string, sid: string, role: "viewer" | "publisher") {
    const { apiKey, apiSecret } = server.services.streaming.livekit();
    const event = {
      event: "participant_joined",
      id,
      createdAt: String(Math.floor(Date.now() / 1000)),
      room: { name: roomNameFor(day2.id), sid: "RM_order" },
      participant: { sid, identity: `${sid}.tab`, attributes: { "plenary.role": role }, permission: { hidden: role === "viewer" } },
    };
    const signed = await signWebhook(apiKey, apiSecret, event);
    const res = await fetch(`${server.url}/api/livekit/webhook`, {
      method: "POST",
      headers: { "content-type": "application/webhook+json", authorization: signed.authorization },
      body: signed.body,
    });
    expect(res.status).toBe(200);
  }

  it("sends the counts in the order they were read, so the last one shown is the newest", async () => {
    const facts: Array<{ viewers: number; publishers: number }> = [];
    staff.on("stream:attendance", (a) => facts.push({ viewers: a.viewers, publishers: a.publishers }));

    // The moderator's monitor joins; its count is read (nobody on stage yet) and answered late.
    reads.holdNextMs = 400;
    const firstRead = new Promise<void>((resolve) => reads.started.push(resolve));
    const monitor = deliver("EV_order_1", "PA_monitor", "viewer");
    await firstRead;
    // Meanwhile the panelist joins, and that webhook is handled in full.
    await deliver("EV_order_2", "PA_panelist", "publisher");
    await monitor;

    await expect.poll(() => facts.length).toBe(2);
    expect(facts.at(-1)).toEqual({ viewers: 1, publishers: 1 });
    expect(facts).toEqual([
      { viewers: 1, publishers: 0 },
      { viewers: 1, publishers: 1 },
    ]);
  });
});
