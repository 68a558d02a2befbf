import type http from "node:http";

/**
 * Wrong methods. Next renders a page for any method (DELETE / answered 200 with the home page) and
 * refuses a route handler's missing method with an empty 405. Plenary's pages and the files beside
 * them (.ics, the QR code) are read-only and no page takes a form post or a server action, so any
 * other method is a 405 with `Allow` here; under /api/, Next's empty 405 gets a JSON error body.
 */
const READ = new Set(["GET", "HEAD"]);

/** Refuses a page request that is not a read; false when the request is the pages' to serve. */
export function refusePageMethod(req: http.IncomingMessage, res: http.ServerResponse, url: string): boolean {
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
