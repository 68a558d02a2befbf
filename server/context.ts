/**
 * Next bundles route handlers and server components apart from the custom server's own modules, so a
 * module-level singleton would exist twice in one process. The composition root (server/app.ts) puts
 * the one set of services here, on globalThis; pages and route handlers read it with `getApp()`.
 * This file must stay tiny and import only types.
 */
import type { PlenaryServices } from "./app";

const KEY = Symbol.for("plenary.app");
type Holder = { [KEY]?: PlenaryServices };

export function getApp(): PlenaryServices {
  const app = (globalThis as Holder)[KEY];
  if (!app) throw new Error("Plenary is not running: pages and routes are served by server/main.ts (npm start), not `next start`.");
  return app;
}

export function setApp(app: PlenaryServices | undefined): void {
  (globalThis as Holder)[KEY] = app;
}
