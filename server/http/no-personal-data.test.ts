/**
 * Issue 10 §1: no personal data in the server log, by any path. A batch of bad inputs, each carrying
 * distinctive names, e-mails and affiliations (with NUL bytes and line breaks, which make the database
 * fail with the values in its message), goes through every kind of entry point: next-auth, wrapped
 * route handlers, a page, socket commands. Everything the process prints (stdout, stderr, the logger)
 * is captured and must contain none of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AckResult } from "../../lib/realtime/contract";
import { connectClient, type TestSocket } from "../testing/clients";
import { createPerson, type TestPerson } from "../testing/people";
import { sql } from "drizzle-orm";
import { startTestServer, type TestServer } from "../testing/test-server";
import { onRequestError } from "../../instrumentation";
import { pathShape } from "./route";

const NAME = "Ottoline Brackenridge-Quist";
const EMAIL = "ottoline.quist@brackenridge-defense.example";
const AFFILIATION = "Marchetti Vexillum Systems";
const NEEDLES = [NAME, "Brackenridge", "Ottoline", EMAIL, "ottoline.quist", AFFILIATION, "Vexillum"];
const NUL = "\u0000";

describe("bad input never puts people's data in the server log", () => {
  let server: TestServer;
  let organizer: TestPerson;
  const logs: string[] = [];
  const printed: string[] = [];
  const restore: Array<() => void> = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // Everything the process writes, whoever writes it (Next, next-auth, drizzle, our logger).
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = (chunk: unknown, ...rest: unknown[]) => {
        printed.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      };
      restore.push(() => (stream.write = write));
    }
    server = await startTestServer({ withNext: true, demo: true, now: "2024-05-24T10:00:00-04:00", logSink: (l) => logs.push(l) });
    organizer = await createPerson(server.services, { name: "Org Anizer", email: "org.anizer@example.org", organizer: true });
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
    for (const r of restore) r();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: "POST", body, redirect: "manual", headers: { origin: server.url, ...headers } });

  it("a sign-in link asked for an address with a NUL byte is refused, and the address is not logged", async () => {
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const form = new URLSearchParams({ email: `${EMAIL}${NUL}\n${NAME}`, csrfToken, callbackUrl: server.url, json: "true" });
    const res = await post("/api/auth/signin/email", form.toString(), { cookie, "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBeLessThan(600);
    await res.text();
  });

  it("route handlers (wrapped, and the ones that were not: calendar.ics) fail by kind", async () => {
    const ics = await fetch(`${server.url}/sessions/${encodeURIComponent(`${NAME}${NUL}${EMAIL}`)}/calendar.ics`);
    expect([404, 500]).toContain(ics.status);
    await ics.text();
    const join = await post("/api/join", JSON.stringify({ code: `${EMAIL}${NUL}`, displayName: `${NAME}\n${AFFILIATION}${NUL}` }), {
      "content-type": "application/json",
    });
    expect(join.status).toBeGreaterThanOrEqual(400);
    await join.text();
    const demo = await post("/api/demo/sign-in", JSON.stringify({ email: `${EMAIL}${NUL}` }), { "content-type": "application/json" });
    expect(demo.status).toBeGreaterThanOrEqual(400);
    await demo.text();
    // A participants file whose rows carry NUL bytes and a line break inside a quoted name.
    const csv = `name,email,affiliation\n"${NAME}\n${NAME}${NUL}",${EMAIL},${AFFILIATION}${NUL}\n"${NAME}",x${NUL}${EMAIL},"${AFFILIATION}\n${AFFILIATION}"\n`;
    for (const apply of [false, true]) {
      const res = await post("/api/admin/import", JSON.stringify({ csv, apply }), { "content-type": "application/json", cookie: organizer.cookie });
      await res.text();
      expect(res.status).toBeLessThan(600);
    }
  });

  it("a page given a slug with a stray byte answers 404; an error a page throws is logged by Next's hook by kind", async () => {
    const page = await fetch(`${server.url}/sessions/${encodeURIComponent(`${NAME}${NUL}${AFFILIATION}`)}`);
    expect(page.status).toBe(404);
    await page.text();
    // No page fails on bad input any more, so the hook (instrumentation.ts) is given a real database
    // error whose message carries the values, as a page's failing query would throw it.
    const failure = await server.services.db.execute(sql`SELECT ${`${NAME}${NUL}${EMAIL}`}::text AS x`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String((failure as Error).message) + String((failure as { cause?: Error }).cause?.message)).toContain(NAME);
    await onRequestError(
      failure,
      { path: `/sessions/${NAME}`, method: "GET", headers: {} },
      { routerKind: "App Router", routePath: "/sessions/[slug]", routeType: "render", renderSource: "react-server-components", revalidateReason: undefined },
    );
  });

  it("socket commands with the same values", async () => {
    const socket = await connectClient(server.url, { origin: server.url, cookie: organizer.cookie });
    sockets.push(socket);
    const emit = (event: string, payload: unknown) =>
      new Promise<AckResult<unknown>>((resolve) =>
        (socket as unknown as { emit(e: string, p: unknown, cb: (r: AckResult<unknown>) => void): void }).emit(event, payload, resolve),
      );
    for (const [event, payload] of [
      ["session:join", { slug: `${NAME}${NUL}${EMAIL}` }],
      ["question:submit", { slug: `${AFFILIATION}${NUL}`, text: `${NAME}${NUL}\n${EMAIL}`, clientKey: `${EMAIL}${NUL}` }],
      ["poll:sync", { slug: `${NAME}${NUL}` }],
      ["stream:state", { slug: `${EMAIL}${NUL}` }],
    ] as const) {
      const r = await emit(event, payload);
      expect(r.ok, event).toBe(false);
    }
  });

  it("leaves nothing of theirs in stdout, stderr or the log, while the failures were logged by kind", async () => {
    await new Promise((r) => setTimeout(r, 300)); // let late log lines (next-auth's, Next's) arrive
    const everything = [...printed, ...logs].join("\n");
    const leaks = NEEDLES.filter((n) => everything.includes(n));
    const lines = everything.split("\n").filter((l) => NEEDLES.some((n) => l.includes(n)));
    expect(leaks, `printed or logged: ${leaks.join(", ")} in\n${lines.map((l) => l.slice(0, 400)).join("\n")}`).toEqual([]);
    // The failures were there to log: at least one line names a database error by its SQLSTATE.
    expect(logs.some((l) => l.includes('"level":"error"') || l.includes('"level":"warn"'))).toBe(true);
    expect(logs.join("\n")).toMatch(/"code":"(22021|22P05|22P02)"/);
    // The page's failure reached Next's onRequestError hook (instrumentation.ts), logged by route pattern.
    expect(logs.some((l) => l.includes('"msg":"request failed"') && l.includes('"route":"/sessions/[slug]'))).toBe(true);
  });
});

describe("a logged path", () => {
  it("keeps Plenary's own words and shows every other segment as :param", () => {
    expect(pathShape(`/sessions/${encodeURIComponent(NAME)}/calendar.ics?x=${EMAIL}`)).toBe("/sessions/:param/calendar.ics");
    expect(pathShape("/api/auth/signin/email")).toBe("/api/auth/signin/email");
    expect(pathShape(`/api/sessions/fms-planning/polls.csv`)).toBe("/api/sessions/:param/polls.csv");
  });
});
