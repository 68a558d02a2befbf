import http from "node:http";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { programme } from "../db/seed/programme";
import type { AgendaItem } from "../lib/agenda";
import { startTestServer, type TestServer } from "./testing/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ withNext: true, now: "2024-05-24T09:00:00-04:00" });
});
afterAll(async () => server?.close());

describe("GET /api/agenda", () => {
  it("returns the event and every item with ISO 8601 times carrying the offset, and the policy flags", async () => {
    const res = await fetch(`${server.url}/api/agenda`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await res.json()) as { event: Record<string, string>; items: AgendaItem[]; now: string };
    expect(body.event).toMatchObject({
      name: "2024 Foreign Military Sales Symposium",
      venue: "Gaylord National Resort & Convention Center",
      city: "National Harbor, Maryland",
      timeZone: "America/New_York",
      startsAt: "2024-05-23T08:00:00-04:00",
      endsAt: "2024-05-24T12:00:00-04:00",
    });
    expect(body.now).toBe(new Date(body.now).toISOString());
    expect(body.items.map((i) => i.slug)).toEqual(programme.map((p) => p.slug));
    for (const item of body.items) {
      expect(item.startsAt).toMatch(/^2024-05-2[34]T\d{2}:\d{2}:00-04:00$/);
      expect(typeof item.streamed).toBe("boolean");
      expect(typeof item.recordingAllowed).toBe("boolean");
      expect(["chatham_house", "on_record"]).toContain(item.rule);
    }
    const conversation = body.items.find((i) => i.slug === "conversation-with-asd-acquisition")!;
    expect(conversation).toMatchObject({ rule: "on_record", streamed: true, host: "OUSD(A&S)", qaEnabled: true });
  });
});

/** RFC 5545 shape that lenient parsers forgive: CRLF lines of at most 75 octets, VERSION, PRODID, a DTSTAMP and UID per event. */
function expectWellFormedIcs(text: string) {
  expect(text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
  expect(text.trimEnd().endsWith("END:VCALENDAR")).toBe(true);
  expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  const lines = text.split("\r\n");
  for (const line of lines) expect(Buffer.byteLength(line, "utf8"), line).toBeLessThanOrEqual(75);
  const unfolded = text.replace(/\r\n[ \t]/g, "").split("\r\n");
  expect(unfolded).toContain("VERSION:2.0");
  expect(unfolded.some((l) => l.startsWith("PRODID:"))).toBe(true);
  const events = unfolded.filter((l) => l === "BEGIN:VEVENT").length;
  expect(unfolded.filter((l) => l.startsWith("DTSTAMP:")).length).toBe(events);
  expect(unfolded.filter((l) => l.startsWith("UID:")).length).toBe(events);
}

function parseIcs(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  return comp.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
}

describe("calendar files", () => {
  it("/agenda.ics is valid iCalendar with one event per item at the right UTC instants", async () => {
    const res = await fetch(`${server.url}/agenda.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/calendar/);
    const text = await res.text();
    expectWellFormedIcs(text);
    const events = parseIcs(text);
    expect(events).toHaveLength(19);
    expect(events[0].summary).toBe("Registration & Check-in");
    expect(events[0].startDate.toJSDate().toISOString()).toBe("2024-05-23T12:00:00.000Z");
    expect(events[0].endDate.toJSDate().toISOString()).toBe("2024-05-23T12:30:00.000Z");
    const last = events.at(-1)!;
    expect(last.summary).toBe("Wrap-Up Discussion and Conclusion");
    expect(last.startDate.toJSDate().toISOString()).toBe("2024-05-24T15:30:00.000Z");
    expect(new Set(events.map((e) => e.uid)).size).toBe(19);
    expect(events[0].location).toBe("Gaylord National Resort & Convention Center, National Harbor, Maryland");
    expect(events.find((e) => e.summary === "FMS Case Development: A System of Systems")!.description).toMatch(/Chatham House Rule/);
  });

  it("each session has its own .ics; an unknown one is 404", async () => {
    const res = await fetch(`${server.url}/sessions/defense-industry-perspectives/calendar.ics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expectWellFormedIcs(text);
    const [event] = parseIcs(text);
    expect(event.summary).toBe("Defense Industry Perspectives");
    expect(event.startDate.toJSDate().toISOString()).toBe("2024-05-24T13:45:00.000Z");
    expect(event.description).toMatch(/Streamed live/);
    expect((await fetch(`${server.url}/sessions/nope/calendar.ics`)).status).toBe(404);
  });
});

describe("pages", () => {
  it("an unknown session slug is a real 404 page", async () => {
    const res = await fetch(`${server.url}/sessions/not-a-session`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Page not found");
  });

  it("a session page states its rules and what is not available", async () => {
    const day1 = await (await fetch(`${server.url}/sessions/fms-planning`)).text();
    expect(day1).toContain("Chatham House Rule — in the room only, never recorded");
    expect(day1).toContain("Not available for this session: it is held under the Chatham House Rule");
    const lunch = await (await fetch(`${server.url}/sessions/hosted-lunch`)).text();
    expect(lunch.match(/Not available for this session/g)?.length).toBe(3);
    const day2 = await (await fetch(`${server.url}/sessions/defense-industry-perspectives`)).text();
    expect(day2).toContain("Streamed live");
    expect(day2).toContain("hosted by <!-- -->OUSD(A&amp;S)");
  });

  it("the agenda marks the live item from the simulated clock", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toMatch(/data-slug="conversation-with-asd-acquisition" data-status="live"/);
    expect(html).toMatch(/data-slug="break-friday-0930" data-status="next"/);
  });
});

describe("GET /healthz", () => {
  it("reports the database and socket server ready", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: { ready: true, kind: "pglite" }, socket: { ready: true }, simulatedClock: true });
    const head = await fetch(`${server.url}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  describe("without its database", () => {
    // Servers that are a test's setup start in hooks: a slow start on a busy machine is not the test's time.
    let other: TestServer;
    beforeAll(async () => {
      other = await startTestServer({ withNext: false });
    });
    afterAll(async () => {
      await other?.close();
    });

    it("says 503 when the database does not answer, naming why", async () => {
      await other.services.database.close();
      const res = await fetch(`${other.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "unavailable", database: { ready: false, fault: { reason: "closed" } }, socket: { ready: true } });
    });
  });
});

describe("shutdown", () => {
  let other: TestServer;
  beforeAll(async () => {
    other = await startTestServer({ withNext: false });
  });
  afterAll(async () => {
    await other?.close();
  });

  it("stops taking work at once, lets a request under way finish, then closes", async () => {
    const { port } = other;
    // A request under way: the webhook route reads its body, and half of it has not arrived yet.
    const body = "x".repeat(100);
    const inflight = new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/livekit/webhook",
        headers: { "content-length": body.length, "content-type": "application/json" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.write(body.slice(0, 50));
      setTimeout(() => req.end(body.slice(50)), 1500);
    });
    await new Promise((r) => setTimeout(r, 300));
    let closed = false;
    const closing = other.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "unavailable", socket: { ready: false }, database: { ready: true } });
    const refused = await fetch(`http://127.0.0.1:${port}/api/agenda`);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toMatch(/shutting down/);
    expect(closed).toBe(false);

    // The request under way is answered by the app (not a 500 from a closed service), then it closes.
    expect(await inflight).not.toBe(500);
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
