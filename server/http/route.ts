import type http from "node:http";
import type { PlenaryServices } from "../services";
import type { Actor } from "../auth/actor";
import { parseCookieHeader, sessionTokenFrom, usesSecureCookies } from "../auth/cookies";
import { getApp } from "../context";
import type { z } from "zod";
import type { SessionRow } from "../../db/schema";
import { databaseFault } from "../db-errors";
import { AppError, parseInput, toAppError } from "../errors";
import { errorName } from "../log";
import { failureLog } from "../log-throttle";
import { isSlug, SLUG_MESSAGE } from "../../lib/text";

/**
 * Set by the custom server from the TCP connection (or, behind a trusted proxy, from X-Forwarded-For:
 * server/http/client-ip.ts); any value a client sends is overwritten.
 */
export const CLIENT_IP_HEADER = "x-plenary-client-ip";

export interface RouteContext {
  app: PlenaryServices;
  actor: Actor | null;
  ip: string;
  cookies: Map<string, string>;
  /** Behind TLS: cookies are Secure and only their `__Host-` names are read. */
  secureCookies: boolean;
  /** Headers added to the answer whatever it is, success or error (e.g. a cookie that must be set either way). */
  responseHeaders: Headers;
}

/** What a route reads of its request: from a Fetch `Request` (route handlers) or a Node one (server/http/join.ts). */
interface RouteRequest {
  method: string;
  path: string;
  header(name: string): string | null;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** State-changing requests must come from Plenary's own pages: the browser's Origin header says so. */
function assertSameOrigin(req: RouteRequest, app: PlenaryServices): void {
  if (SAFE.has(req.method)) return;
  const origin = req.header("origin");
  if (!origin || !app.allowedOrigins.has(origin)) {
    throw new AppError("cross_site", "This request did not come from a Plenary page, so it was refused. Reload the page and try again.");
  }
}

export interface RouteOptions {
  /**
   * Refuse state-changing requests without Plenary's Origin (default true). Only next-auth's own
   * endpoints turn it off: they carry next-auth's CSRF token and answer identity providers' callbacks.
   */
  sameOrigin?: boolean;
  /** The plain Node routes (server/http/join.ts) pass their server's services; route handlers under app/ read them with `getApp()`. */
  app?: PlenaryServices;
}

/** A route's answer before it is written: a Response its handler made, or JSON and its status. */
type Answer = { response: Response } | { status: number; json: unknown; retryAfter?: string };

/**
 * The rules every route follows, whatever carries the request: same-origin check for state changes,
 * the signed-in actor, then the handler; errors become `{ error: { code, message } }` with the code's
 * status, and internal faults are logged by kind, never with their parameters.
 */
async function answer(req: RouteRequest, handler: (ctx: RouteContext) => Promise<unknown>, opts: RouteOptions, responseHeaders: Headers): Promise<Answer> {
  const app = opts.app ?? getApp();
  try {
    if (opts.sameOrigin !== false) assertSameOrigin(req, app);
    const cookies = parseCookieHeader(req.header("cookie"));
    const secureCookies = usesSecureCookies(app.config.publicUrl);
    const { actor } = await app.auth.resolveToken(sessionTokenFrom(cookies, secureCookies));
    const result = await handler({ app, actor, ip: req.header(CLIENT_IP_HEADER) ?? "unknown", cookies, secureCookies, responseHeaders });
    return result instanceof Response ? { response: result } : { status: 200, json: result ?? { ok: true } };
  } catch (err) {
    return errorAnswer(app, req, err);
  }
}

/** The shape of every route handler (every route.ts under app/ goes through it): see `answer`. */
export async function route(req: Request, handler: (ctx: RouteContext) => Promise<unknown>, opts: RouteOptions = {}): Promise<Response> {
  const responseHeaders = new Headers();
  const request = { method: req.method, path: new URL(req.url).pathname, header: (name: string) => req.headers.get(name) };
  const a = await answer(request, handler, opts, responseHeaders);
  const res = "response" in a ? a.response : Response.json(a.json, { status: a.status, headers: jsonHeaders(a) });
  responseHeaders.forEach((value, name) => {
    if (name !== "set-cookie") res.headers.set(name, value);
  });
  for (const cookie of responseHeaders.getSetCookie()) res.headers.append("set-cookie", cookie);
  return res;
}

/**
 * `route()` for a plain Node route, served before Next (server/http/join.ts): the same rules, without
 * building a Fetch Request and Response for each request, which cost a room of thousands joining at
 * once as much of the server's thread as the join itself (docs/benchmarks.md).
 */
export async function nodeRoute(
  app: PlenaryServices,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  handler: (ctx: RouteContext) => Promise<Record<string, unknown>>,
): Promise<void> {
  const responseHeaders = new Headers();
  const header = (name: string) => {
    const v = req.headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
  };
  const a = await answer({ method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0], header }, handler, { app }, responseHeaders);
  if ("response" in a) throw new Error("a Node route answers with JSON, not a Response");
  const headers: Record<string, string | string[]> = jsonHeaders(a);
  responseHeaders.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = responseHeaders.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(a.status, { ...headers, "content-type": "application/json" });
  res.end(JSON.stringify(a.json));
}

function jsonHeaders(a: { retryAfter?: string }): Record<string, string> {
  return { "cache-control": "no-store", ...(a.retryAfter ? { "retry-after": a.retryAfter } : {}) };
}

/**
 * The static words of Plenary's URLs (app/'s folder names, and next-auth's actions). A logged path keeps
 * these and shows any other segment as `:param`: slugs, codes and ids are user-supplied, and a path is
 * logged precisely when something about the request went wrong.
 */
const STATIC_SEGMENTS = new Set(
  "admin agenda agenda.ics api audit auth backstage calendar.ics check-email demo dev import join join-qr.svg mailbox moderate panel participants polls polls.csv questions.csv report.csv attendance.csv feedback.csv feedback feedback-questions qa recording roles screen sessions sign-in signin stream stream-token callback csrf email error oidc providers session signout verify-request _next healthz metrics captions ingest-url rotate publish seq".split(
    " ",
  ),
);

/** `/sessions/<anything>/calendar.ics` → `/sessions/:param/calendar.ics`: a path by its shape, for logs. */
export function pathShape(path: string): string {
  return path
    .split("?")[0]
    .split("/")
    .map((segment) => (segment === "" || STATIC_SEGMENTS.has(segment) ? segment : ":param"))
    .join("/");
}

/** `{ error: { code, message } }` with the code's status (and Retry-After for rate limits and outages). */
function errorAnswer(app: PlenaryServices, req: RouteRequest, err: unknown): Answer {
  const e = toAppError(err);
  const fault = databaseFault(err);
  if (e.code === "internal" || fault) {
    // A database outage fails every request the same way: one line per kind and interval, with a count.
    app.health.noteFailure(err);
    const path = pathShape(req.path);
    failureLog(app.log).error("route failed", fault?.reason ?? `${errorName(err)} in ${path}`, path, { err, ...(fault ? { code: fault.code } : {}) });
  }
  const retry = e.details?.retryAfterMs;
  return { status: e.status, json: { error: e.toJSON() }, ...(typeof retry === "number" ? { retryAfter: String(Math.ceil(retry / 1000)) } : {}) };
}

/** Reads and size-limits a JSON body. */
export async function jsonBody(req: Request, maxBytes = 64 * 1024): Promise<unknown> {
  return jsonText(await limitedText(req, maxBytes), maxBytes, req.headers.get("content-type"));
}

/**
 * JSON bodies come labelled as JSON. A page elsewhere can send a form or `text/plain` without asking
 * the browser first, but not `application/json`, so this keeps a second line behind the Origin check.
 */
function requireJsonType(type: string | null | undefined): void {
  if (!/^application\/json\s*(;|$)/i.test(type ?? "")) {
    throw new AppError("unsupported_media_type", "Send the request body as JSON, with the header Content-Type: application/json.");
  }
}

/**
 * A request body as text, or null once it passes `maxBytes`: reading stops there and the rest is
 * never held (`req.text()` would hold a body of any size before its length could be checked).
 */
export async function limitedText(req: Request, maxBytes: number): Promise<string | null> {
  if (Number(req.headers.get("content-length") ?? 0) > maxBytes) return null;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON body already read (null: it was over `maxBytes`), with the Content-Type it came with. */
export function jsonText(text: string | null, maxBytes: number, type: string | null | undefined): unknown {
  requireJsonType(type);
  if (text === null) throw new AppError("invalid_payload", `The request is too large (at most ${maxBytes} bytes).`);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_payload", "The request body is not valid JSON.");
  }
}

/** Reads, size-limits and parses a JSON body with its shared schema. */
export async function parseBody<S extends z.ZodType>(req: Request, schema: S, maxBytes?: number): Promise<z.output<S>> {
  return parseInput(schema, await jsonBody(req, maxBytes));
}

type SessionRouteParams = { params: Promise<{ slug: string }> };

/**
 * A POST on one session (`/api/sessions/<slug>/…`): the session (or `not_found`), the body parsed
 * with its schema, then the handler, all inside `route()`.
 */
export function sessionPost<S extends z.ZodType>(
  schema: S,
  maxBytes: number,
  handler: (ctx: RouteContext & { session: SessionRow; body: z.output<S> }) => Promise<unknown>,
): (req: Request, params: SessionRouteParams) => Promise<Response> {
  return async (req, { params }) => {
    const { slug } = await params;
    return route(req, async (ctx) => {
      slugParam(slug);
      const session = await ctx.app.agenda.requireRow(slug);
      return handler({ ...ctx, session, body: await parseBody(req, schema, maxBytes) });
    });
  };
}

/** A session slug from the URL, checked by pattern before any lookup: a stray byte is a 400 that says so, never a 500. */
export function slugParam(slug: string): string {
  if (!isSlug(slug)) throw new AppError("invalid_payload", SLUG_MESSAGE);
  return slug;
}
