/**
 * Stray bytes (NUL and other control characters) from the outside are refused cleanly: a 400 /
 * invalid_payload that says what is wrong, never a 500 / internal, and never an error-level log line
 * (an anonymous client repeating them from fresh sockets must not be able to flood the log).
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions, users } from "../db/schema";
import { connectClient, type TestSocket } from "./testing/clients";
import { testDatabaseKinds } from "./testing/databases";
import { createPerson, type TestPerson } from "./testing/people";
import { startTestServer, type TestServer } from "./testing/test-server";
import { call, key } from "./qa/testing";

const DAY1 = "fms-planning";
const DAY2 = "defense-industry-perspectives";
const NUL = "\u0000";
const UUID = "7f0c2f51-8a1e-4a53-9a1f-5f1d2c3b4a59";
const BAD_SLUGS = [`${DAY1}${NUL}`, NUL, "\u0001\u001b", `${DAY1}\u0007`];

/** Every socket command with a slug, with the bad slug put in. */
const slugCommands = (slug: string): Array<[string, Record<string, unknown>]> => [
  ["session:join", { slug }],
  ["session:join", { slug, view: "screen" }],
  ["session:leave", { slug }],
  ["stream:state", { slug }],
  ["stream:mute", { slug, identity: "p1" }],
  ["hand:raise", { slug }],
  ["hand:lower", { slug }],
  ["hand:queue", { slug }],
  ["hand:promote", { slug, handId: UUID }],
  ["hand:demote", { slug, handId: UUID }],
  ["caption:push", { slug, text: "A line" }],
  ["qa:sync", { slug }],
  ["question:submit", { slug, key: key(), text: "A fine question" }],
  ["question:similar", { slug, text: "A fine question" }],
  ["question:vote", { slug, key: key(), questionId: UUID, up: true }],
  ["question:moderate", { slug, key: key(), questionId: UUID, expectedVersion: 1, action: { type: "approve" } }],
  ["question:answer", { slug, key: key(), questionId: UUID, expectedVersion: 1 }],
  ["qa:undo", { slug, key: key() }],
  ["qa:pause", { slug, key: key(), paused: true }],
  ["qa:interleave", { slug, key: key() }],
  ["qa:configure", { slug, key: key(), qaOpen: true }],
  ["poll:sync", { slug }],
  ["poll:create", { slug, clientKey: key(), draft: { kind: "single", question: "Which?", options: ["A", "B"], resultsVisibility: "live" } }],
];

/** The other string fields of the commands, each with a control character in it. */
const fieldCommands = (): Array<[string, Record<string, unknown>]> => [
  ["stream:mute", { slug: DAY2, identity: `p${NUL}` }],
  ["caption:push", { slug: DAY2, text: `Line${NUL}one` }],
  ["caption:push", { slug: DAY2, text: "Line\u001bone" }],
  ["question:submit", { slug: DAY1, key: `abcdefgh${NUL}`, text: "A fine question" }],
  ["question:vote", { slug: DAY1, key: key(), questionId: `${UUID}${NUL}`, up: true }],
  ["hand:promote", { slug: DAY2, handId: `${UUID}${NUL}` }],
  ["poll:create", { slug: DAY1, clientKey: `abcdefgh${NUL}`, draft: { kind: "single", question: "Which?", options: ["A", "B"], resultsVisibility: "live" } }],
  ["poll:create", { slug: DAY1, clientKey: key(), draft: { kind: "single", question: `Which${NUL}?`, options: ["A", "B"], resultsVisibility: "live" } }],
  ["poll:create", { slug: DAY1, clientKey: key(), draft: { kind: "single", question: "Which?", options: ["A", `B\u0002`], resultsVisibility: "live" } }],
  [
    "poll:create",
    {
      slug: DAY1,
      clientKey: key(),
      draft: { kind: "rating", question: "How?", scaleMax: 5, lowLabel: `Low${NUL}`, highLabel: "High", resultsVisibility: "live" },
    },
  ],
  ["poll:update", { pollId: `${UUID}${NUL}`, expectedVersion: 1, draft: { kind: "word_cloud", question: "Word?", resultsVisibility: "live" } }],
  ["poll:answer", { pollId: UUID, answer: { kind: "single", optionId: `${UUID}${NUL}` } }],
];

describe.each(testDatabaseKinds())("stray bytes (%s)", (database) => {
  let server: TestServer;
  let organizer: TestPerson;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      withNext: true,
      database,
      now: "2024-05-23T10:00:00-04:00",
      logSink: (line) => {
        if (JSON.parse(line).level === "error") errors.push(line);
      },
    });
    organizer = await createPerson(server.services, { name: "Org", email: "org@example.org", organizer: true });
  });
  afterAll(async () => server?.close());

  it("refuses a control character in any socket command's slug with invalid_payload, from fresh anonymous sockets, logging no error", async () => {
    for (const slug of BAD_SLUGS) {
      for (const [event, payload] of slugCommands(slug)) {
        // A fresh socket each time, as a flood would: no per-socket budget hides the outcome.
        const s = await connectClient(server.url);
        const r = await call(s, event, payload);
        s.close();
        expect(r.ok, `${event} ${JSON.stringify(slug)}`).toBe(false);
        if (!r.ok) {
          expect(r.error.code, `${event} ${JSON.stringify(slug)}`).toBe("invalid_payload");
          expect(r.error.message).toMatch(/slug: Not a session slug/);
        }
      }
    }
    expect(errors).toEqual([]);
  });

  it("refuses a control character in the other string fields, for staff too, logging no error", async () => {
    const s: TestSocket = await connectClient(server.url, { cookie: organizer.cookie });
    try {
      for (const [event, payload] of fieldCommands()) {
        const r = await call(s, event, payload);
        expect(r.ok, `${event} ${JSON.stringify(payload)}`).toBe(false);
        if (!r.ok) expect(r.error.code, `${event} ${JSON.stringify(payload)}`).toBe("invalid_payload");
      }
      // Texts that say so name the character.
      const caption = await call(s, "caption:push", { slug: DAY2, text: `Line${NUL}one` });
      expect(caption.ok ? null : caption.error.message).toMatch(/control character \(U\+0000\)/);
    } finally {
      s.close();
    }
    expect(errors).toEqual([]);
  });

  const api = (path: string, init: RequestInit & { who?: TestPerson } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      redirect: "manual",
      headers: {
        origin: server.url,
        "content-type": "application/json",
        ...(init.who ? { cookie: init.who.cookie } : {}),
        ...(init.headers as Record<string, string>),
      },
    });

  it("answers a slug with a stray byte in an API route with 400 invalid_payload", async () => {
    for (const slug of ["fms-planning%00", "%00", "%01%1B"]) {
      const probes: Array<[string, RequestInit]> = [
        [`/api/sessions/${slug}/stream`, { method: "POST", body: JSON.stringify({ action: "start" }) }],
        [`/api/sessions/${slug}/stream-token`, { method: "POST", body: "{}" }],
        [`/api/sessions/${slug}/recording`, { method: "POST", body: JSON.stringify({ action: "start" }) }],
        [`/api/sessions/${slug}/polls.csv`, { method: "GET" }],
        [`/api/admin/sessions/${slug}`, { method: "PATCH", body: JSON.stringify({ patch: { title: "X" } }) }],
        [`/api/admin/sessions/${slug}/roles`, { method: "POST", body: JSON.stringify({ email: "a@example.org", role: "panelist", grant: true }) }],
        [`/sessions/${slug}/join-qr.svg`, { method: "GET" }],
      ];
      for (const [path, init] of probes) {
        const res = await api(path, { ...init, who: organizer });
        expect(res.status, path).toBe(400);
        expect(await res.json(), path).toMatchObject({ error: { code: "invalid_payload", message: expect.stringMatching(/Not a session slug/) } });
      }
    }
    expect(errors).toEqual([]);
  });

  it("answers pages and files of a slug with a stray byte with 404, not 500", async () => {
    for (const path of [
      "/sessions/fms-planning%00",
      "/sessions/%00",
      "/sessions/%00/calendar.ics",
      "/sessions/%00/moderate",
      "/sessions/%00/panel",
      "/sessions/%00/screen",
      "/sessions/%00/polls",
      "/sessions/%00/backstage",
      "/admin/sessions/%00",
    ]) {
      const res = await api(path, { method: "GET", who: organizer });
      expect(res.status, path).toBe(404);
    }
    expect(errors).toEqual([]);
  });

  it("refuses control characters in a session title edit, the audit-log filters and a room-code display name", async () => {
    const title = await api(`/api/admin/sessions/${DAY1}`, { method: "PATCH", who: organizer, body: JSON.stringify({ patch: { title: `Planning${NUL}` } }) });
    expect(title.status).toBe(400);
    expect(await title.json()).toMatchObject({
      error: { code: "invalid_payload", message: "patch.title: The title contains a control character (U+0000); remove it and try again." },
    });
    const blank = await api(`/api/admin/sessions/${DAY1}`, {
      method: "PATCH",
      who: organizer,
      body: JSON.stringify({ patch: { title: "\u3164\u2800\u200b" } }),
    });
    expect(blank.status).toBe(400);
    const [row] = await server.services.db.select().from(sessions).where(eq(sessions.slug, DAY1));
    expect(row.title).toBe("FMS Planning: Understanding Partner Nation Needs");

    for (const q of ["actor=%00", "action=x%01", "session=fms-planning%00"]) {
      const res = await api(`/api/admin/audit?${q}`, { who: organizer });
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_payload");
    }

    const join = await api("/api/join", { method: "POST", body: JSON.stringify({ code: row.accessCode, displayName: `Phone${NUL}` }) });
    expect(join.status).toBe(400);
    expect(await join.json()).toMatchObject({
      error: { code: "invalid_payload", message: expect.stringMatching(/display name contains a control character/) },
    });
    const invisible = await api("/api/join", { method: "POST", body: JSON.stringify({ code: row.accessCode, displayName: "\u3164\u3164" }) });
    expect(invisible.status).toBe(400);
    expect((await server.services.db.select().from(users).where(eq(users.kind, "device"))).length).toBe(0);
    expect(errors).toEqual([]);
  });

  it("refuses a control character in a sign-in e-mail and a sign-in link's address, and reports CSV cells row by row", async () => {
    const signIn = await fetch(`${server.url}/api/auth/signin/email`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: `org${NUL}@example.org`, json: "true", csrfToken: "x" }).toString(),
    });
    expect(signIn.status).toBe(400);
    expect(await signIn.json()).toMatchObject({ url: expect.stringMatching(/error=EmailInvalid/), error: { code: "invalid_payload" } });

    const link = await fetch(`${server.url}/api/auth/callback/email?email=org%00%40example.org&token=abc`, { redirect: "manual" });
    expect(link.status).toBe(303);
    expect(link.headers.get("location")).toMatch(/\/signin\?error=Verification$/);

    const csv = [
      "name,email,affiliation,attendance_mode,roles",
      `Ada${NUL},ada@example.org,,remote,`,
      "\u3164\u3164,ben@example.org,,remote,",
      `Cy,cy${NUL}@example.org,Org\u0001,remote,`,
      "Dee,dee@example.org,,remote,",
    ].join("\n");
    const res = await api("/api/admin/import", { method: "POST", who: organizer, body: JSON.stringify({ csv, apply: true }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { problems: Array<{ line: number; errors: string[] }> } };
    expect(body.result.problems).toEqual([
      { line: 2, email: "ada@example.org", errors: ["name contains a control character (U+0000); remove it and try again."] },
      { line: 3, email: "ben@example.org", errors: ["name is empty: it needs at least one letter, digit or symbol."] },
      {
        line: 4,
        email: "cy\u0000@example.org",
        errors: ['"cyU+0000@example.org" is not a valid e-mail address', "affiliation contains a control character (U+0001); remove it and try again."],
      },
    ]);
    expect((await server.services.db.select().from(users).where(eq(users.email, "dee@example.org"))).length).toBe(1);
    expect(errors).toEqual([]);
  });
});
