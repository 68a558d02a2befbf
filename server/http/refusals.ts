import type http from "node:http";

/**
 * Requests no page or route can serve, refused before Next (which would answer them with a bare 500,
 * or render a page for a DELETE), and Next's empty 405 for an API route made to say why.
 */

/** Refuses a request with a broken %-escape in its path, a body no route takes, or a page request that is not a read; false: Next's to serve. */
export function refuseBeforeNext(req: http.IncomingMessage, res: http.ServerResponse, url: string): boolean {
  if (hasBrokenEscape(url)) {
    brokenAddress(req, res);
    return true;
  }
  return refuseOversizedBody(req, res) || refusePageMethod(req, res, url);
}

/**
 * The largest body any route reads (the participants import, 2.1 MB of CSV, is the largest). A
 * declared length over it is refused unread; each route also stops reading at its own, smaller limit
 * (`jsonBody`), which is what holds for a body sent without a length.
 */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** 413 for a declared `Content-Length` over `MAX_REQUEST_BYTES`, without reading the body (the connection is closed instead). */
function refuseOversizedBody(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (!(declared > MAX_REQUEST_BYTES)) return false;
  const message = `The request is too large (at most ${MAX_REQUEST_BYTES} bytes).`;
  const api = (req.url ?? "").startsWith("/api/");
  res.writeHead(413, { "content-type": api ? "application/json" : "text/plain; charset=utf-8", "cache-control": "no-store", connection: "close" });
  res.end(api ? JSON.stringify({ error: { code: "invalid_payload", message } }) : `${message}\n`);
  return true;
}

/**
 * Whether a request's path has a broken %-escape (`/sessions/%E0`): Next cannot decode such a path
 * and answers a bare 500, as if the server had failed, so these are refused before it with a 400
 * that says what is wrong with the address. The query string is left alone: each reader of it
 * already treats a bad value as a bad value.
 */
export function hasBrokenEscape(url: string): boolean {
  const path = url.split("?")[0];
  if (!path.includes("%")) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

const MESSAGE = "This address has a broken %-escape, so it cannot be read. Check the link, or go back to the programme.";

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>This address cannot be read — Plenary</title>
<style>body{font:1.125rem/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1b1b1b;background:#fff}main{max-width:36rem;margin:0 auto}a{color:#005ea2}</style>
</head>
<body>
<main>
<h1>This address cannot be read</h1>
<p>Part of it is not a valid web address (a broken %-escape), perhaps from a link that was cut or copied wrongly.</p>
<p><a href="/">Go to the programme</a></p>
</main>
</body>
</html>
`;

/** The 400: `{ error: { code, message } }` for the API, a small page for a browser. */
function brokenAddress(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  const api = (req.url ?? "").startsWith("/api/");
  res.writeHead(400, { "content-type": api ? "application/json" : "text/html; charset=utf-8", "cache-control": "no-store" });
  if (req.method === "HEAD") res.end();
  else res.end(api ? JSON.stringify({ error: { code: "bad_request", message: MESSAGE } }) : html);
}

/**
 * Wrong methods. Next renders a page for any method (DELETE / answered 200 with the home page) and
 * refuses a route handler's missing method with an empty 405. Plenary's pages and the files beside
 * them (.ics, the QR code) are read-only and no page takes a form post or a server action, so any
 * other method is a 405 with `Allow` here; under /api/, Next's empty 405 gets a JSON error body.
 */
const READ = new Set(["GET", "HEAD"]);

/** Refuses a page request that is not a read; false when the request is the pages' to serve. */
function refusePageMethod(req: http.IncomingMessage, res: http.ServerResponse, url: string): boolean {
  if (READ.has(req.method ?? "GET") || url.startsWith("/api/") || url.startsWith("/_next/")) return false;
  req.resume();
  res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(`A page can only be read (GET or HEAD), not sent ${req.method}.\n`);
  return true;
}

/** Gives Next's bodiless 405 for an /api/ route the JSON error every other refusal has. */
export function explainApiMethodRefusal(req: http.IncomingMessage, res: http.ServerResponse, url: string): void {
  if (!url.startsWith("/api/")) return;
  const { writeHead, end } = res;
  let refused = false;
  res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    if (args[0] === 405) {
      refused = true;
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "no-store");
    }
    return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(res, args);
  };
  res.end = function (this: http.ServerResponse, ...args: unknown[]) {
    res.end = end;
    const empty = args[0] === undefined || typeof args[0] === "function" || (args[0] as { length?: number }).length === 0;
    if (!empty || !(refused || (res.statusCode === 405 && !res.headersSent))) return (end as (...a: unknown[]) => http.ServerResponse).apply(res, args);
    if (!res.headersSent) {
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "no-store");
    }
    const message = `This address does not take ${req.method}; see docs/api.md for the methods it does take.`;
    return (end as (...a: unknown[]) => http.ServerResponse).call(res, JSON.stringify({ error: { code: "method_not_allowed", message } }));
  } as typeof res.end;
}
