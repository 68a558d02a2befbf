import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { firstValues, returnPath } from "./page-query";
import { hasBrokenEscape, MAX_REQUEST_BYTES } from "./refusals";

interface Sent {
  /** The answer, or null when none came before the client gave up (the server was still reading). */
  answer: { status: number; headers: http.IncomingHttpHeaders; body: string } | null;
}

/**
 * POSTs `bytes` of body (declared with `length`, or chunked without one) and never ends the request:
 * a server that reads to the end before looking at the size never answers.
 */
function postUnended(url: string, opts: { bytes: number; length?: number; contentType?: string }): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers: http.OutgoingHttpHeaders = { origin: target.origin, "content-type": opts.contentType ?? "application/json" };
    if (opts.length !== undefined) headers["content-length"] = opts.length;
    const req = http.request(target, { method: "POST", headers });
    const giveUp = setTimeout(() => {
      req.destroy();
      resolve({ answer: null });
    }, 10_000);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        clearTimeout(giveUp);
        req.destroy();
        resolve({ answer: { status: res.statusCode ?? 0, headers: res.headers, body } });
      });
    });
    req.on("error", (err) => {
      clearTimeout(giveUp);
      reject(err);
    });
    if (opts.bytes) req.write(Buffer.alloc(opts.bytes, 0x61));
    else req.flushHeaders();
  });
}

/** Requests no page or route can serve: refused before Next, or with its refusal explained. */

describe("a page's query string", () => {
  it("is read as each parameter's first value", () => {
    expect(firstValues({ q: ["a", "b"], code: "X", none: undefined })).toEqual({ q: "a", code: "X", none: undefined });
  });

  it("gives a return address on this site only, read as a browser reads it", () => {
    expect(returnPath("/sessions/fms-planning?tab=qa#ask")).toBe("/sessions/fms-planning?tab=qa#ask");
    expect(returnPath(undefined)).toBe("/");
    expect(returnPath("https://evil.example/")).toBe("/");
    expect(returnPath("//evil.example/")).toBe("/");
    // A browser reads both of these as //evil.example: a backslash is a slash, a tab is dropped.
    expect(returnPath("/\\evil.example/")).toBe("/");
    expect(returnPath("/\t/evil.example")).toBe("/");
    expect(returnPath("/%5Cevil.example")).toBe("/%5Cevil.example");
  });
});

describe("an address with a broken %-escape", () => {
  it("is told apart from a valid one by its path only", () => {
    expect(hasBrokenEscape("/sessions/%E0%A4%A")).toBe(true);
    expect(hasBrokenEscape("/p/%")).toBe(true);
    expect(hasBrokenEscape("/api/sessions/%zz/polls.csv")).toBe(true);
    expect(hasBrokenEscape("/sessions/fms%2Dplanning")).toBe(false);
    expect(hasBrokenEscape("/sessions/%C3%A9t%C3%A9")).toBe(false);
    expect(hasBrokenEscape("/api/agenda?day=%")).toBe(false);
    expect(hasBrokenEscape("/")).toBe(false);
  });

  describe("on the server", () => {
    let server: TestServer;
    const logs: string[] = [];
    beforeAll(async () => {
      server = await startTestServer({ withNext: true, logSink: (l) => logs.push(l) });
    });
    afterAll(async () => server?.close());

    it("is a 400 that says what is wrong, for pages and the API, never Next's bare 500", async () => {
      const origin = new URL(server.url).origin;
      const cases: Array<[string, string, string]> = [
        ["GET", "/sessions/%E0%A4%A", "text/html"],
        ["GET", "/p/%E0", "text/html"],
        ["GET", "/sessions/%E0/moderate", "text/html"],
        ["GET", "/admin/sessions/%E0", "text/html"],
        ["GET", "/api/sessions/%E0/polls.csv", "application/json"],
        ["POST", "/api/sessions/%E0/feedback", "application/json"],
      ];
      for (const [method, path, type] of cases) {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: { origin, "content-type": "application/json" },
          body: method === "POST" ? "{}" : undefined,
        });
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.headers.get("content-type"), path).toContain(type);
        expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
        const body = await res.text();
        if (type === "application/json") {
          expect(JSON.parse(body)).toEqual({ error: { code: "bad_request", message: expect.stringContaining("broken %-escape") } });
        } else {
          expect(body).toContain("<h1>This address cannot be read</h1>");
          expect(body).toContain('<html lang="en">');
        }
      }
      expect((await fetch(`${server.url}/sessions/%E0`, { method: "HEAD" })).status).toBe(400);
      expect(logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    });

    it("a page is only read: any other method is a 405 with Allow, and renders nothing", async () => {
      const origin = new URL(server.url).origin;
      for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        for (const path of ["/", "/sessions/fms-planning", "/agenda.ics", "/admin"]) {
          const res = await fetch(`${server.url}${path}`, { method, headers: { origin } });
          expect({ method, path, status: res.status, allow: res.headers.get("allow") }).toEqual({ method, path, status: 405, allow: "GET, HEAD" });
          expect(await res.text()).toBe(`A page can only be read (GET or HEAD), not sent ${method}.\n`);
        }
      }
      expect((await fetch(`${server.url}/`, { method: "HEAD" })).status).toBe(200);
    });

    it("a method an /api/ route does not take is a 405 with a JSON error, as every other refusal", async () => {
      const origin = new URL(server.url).origin;
      for (const [method, path] of [
        ["PUT", "/api/agenda"],
        ["DELETE", "/api/admin/audit"],
        ["PATCH", "/api/sessions/fms-planning/feedback"],
      ]) {
        const res = await fetch(`${server.url}${path}`, { method, headers: { origin } });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get("content-type")).toBe("application/json");
        expect(await res.json()).toEqual({
          error: { code: "method_not_allowed", message: `This address does not take ${method}; see docs/api.md for the methods it does take.` },
        });
      }
      // What the routes do take is unchanged.
      expect((await fetch(`${server.url}/api/agenda`)).status).toBe(200);
      const refused = await fetch(`${server.url}/api/sessions/fms-planning/feedback`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: "{}",
      });
      expect(refused.status).not.toBe(405);
      expect((await refused.json()).error.code).not.toBe("method_not_allowed");
    });

    it("a search with a control character in it (U+0000, which Postgres refuses) still finds people", async () => {
      const organizer = await createPerson(server.services, { name: "Olu Organizer", email: "olu@example.org", organizer: true });
      await createPerson(server.services, { name: "Ada Searchable", email: "ada.searchable@example.org" });
      const res = await fetch(`${server.url}/admin/participants?q=%00Search%07able`, { headers: { cookie: organizer.cookie } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("ada.searchable@example.org");
      expect(logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    });

    it("a body larger than any route takes is refused from its declared length, unread", async () => {
      const { answer } = await postUnended(`${server.url}/api/sessions/fms-planning/feedback`, { bytes: 0, length: 50 * 1024 * 1024 });
      expect(answer?.status).toBe(413);
      expect(answer?.headers.connection).toBe("close");
      expect(JSON.parse(answer!.body)).toEqual({
        error: { code: "invalid_payload", message: `The request is too large (at most ${MAX_REQUEST_BYTES} bytes).` },
      });
    });

    it("a route stops reading at its own limit, even when the body has no declared length", async () => {
      // Chunked, 128 KB and never ended: answered as soon as the route's limit (16 KB) is passed.
      const feedback = await postUnended(`${server.url}/api/sessions/fms-planning/feedback`, { bytes: 128 * 1024 });
      expect(feedback.answer?.status, "feedback").toBe(400);
      expect(JSON.parse(feedback.answer!.body).error).toEqual({ code: "invalid_payload", message: "The request is too large (at most 16384 bytes)." });
      const signIn = await postUnended(`${server.url}/api/auth/signin/email`, { bytes: 128 * 1024, contentType: "application/x-www-form-urlencoded" });
      expect(signIn.answer?.status, "sign-in").toBe(400);
      expect(JSON.parse(signIn.answer!.body).error.code).toBe("invalid_payload");
      // A declared length over the route's limit (and under the server's) is refused without waiting for the body.
      const declared = await postUnended(`${server.url}/api/sessions/fms-planning/feedback`, { bytes: 1024, length: 1024 * 1024 });
      expect(declared.answer?.status, "declared").toBe(400);
      expect(logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    });

    it("a query parameter given twice is read as its first value, on every page that reads one", async () => {
      const organizer = await createPerson(server.services, { name: "Ona Organizer", email: "ona@example.org", organizer: true });
      await createPerson(server.services, { name: "Twice Findable", email: "twice.findable@example.org" });
      const pages: Array<[string, string]> = [
        ["/admin/participants?q=Twice&q=nobody", "twice.findable@example.org"],
        ["/join?code=ABC123&code=XYZ", 'value="ABC123"'],
        ["/signin?callbackUrl=/sessions/fms-planning&callbackUrl=/admin", "/sessions/fms-planning"],
        ["/signin?error=Verification&error=AccessDenied", "That sign-in link has expired"],
        ["/admin/audit?limit=1&limit=2&action=a&action=b", "<h1>Audit log</h1>"],
      ];
      for (const [path, text] of pages) {
        const res = await fetch(`${server.url}${path}`, { headers: { cookie: organizer.cookie } });
        expect(res.status, path).toBe(200);
        expect(await res.text(), path).toContain(text);
      }
      expect(logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    });

    it("the sign-in page never carries a return address on another site", async () => {
      for (const target of ["//evil.example/", "/\\evil.example/", "/\t/evil.example", "https://evil.example/"]) {
        const res = await fetch(`${server.url}/signin?callbackUrl=${encodeURIComponent(target)}`);
        expect(res.status, target).toBe(200);
        // The form's return address, in the page's React payload (which also carries the query string as sent).
        expect(/\\"callbackUrl\\":\\"([^"\\]*)\\"/.exec(await res.text())?.[1], target).toBe("/");
      }
      const own = await fetch(`${server.url}/signin?callbackUrl=${encodeURIComponent("/sessions/fms-planning")}`);
      expect(/\\"callbackUrl\\":\\"([^"\\]*)\\"/.exec(await own.text())?.[1]).toBe("/sessions/fms-planning");
    });

    it("leaves valid escapes and bad query strings to the page or route", async () => {
      expect((await fetch(`${server.url}/api/sessions/fms%2Dplanning/questions.csv`)).status).not.toBe(400);
      expect((await fetch(`${server.url}/api/agenda?day=%`)).status).toBe(200);
    });
  });
});
