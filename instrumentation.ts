/**
 * Next's instrumentation hook: an error a page, layout or route handler throws outside the route
 * wrapper (server/http/route.ts) is logged here, by kind (class, SQLSTATE/errno, operation) and
 * route pattern, never with its message, which can carry a query's parameters or what a person typed.
 */
import type { Instrumentation } from "next";

export const onRequestError: Instrumentation.onRequestError = async (err, request, context) => {
  // The custom server's services live on globalThis (server/context.ts); Next bundles this file apart.
  const { getApp } = await import("./server/context");
  let log;
  try {
    log = getApp().log;
  } catch {
    return; // not served by server/main.ts: nothing of ours to log to
  }
  const digest = (err as { digest?: unknown })?.digest;
  log.error("request failed", {
    route: context.routePath,
    routeType: context.routeType,
    method: request.method,
    err,
    ...(typeof digest === "string" && /^[\w-]{1,40}$/.test(digest) ? { digest } : {}),
  });
};
