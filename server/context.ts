/**
 * Next bundles route handlers and server components apart from the custom server's own modules, so a
 * module-level singleton would exist twice in one process. The composition root (server/app.ts) puts
 * the one set of services here, on globalThis; pages and route handlers read it with `getApp()`.
 * This file must stay tiny and import only types.
 *
 * A process serves one Plenary. Tests may briefly start a second one (without pages) beside it; the
 * most recent one is current until it closes, then the previous one is again.
 */
import type { PlenaryServices } from "./services";

const KEY = Symbol.for("plenary.app");
type Holder = { [KEY]?: PlenaryServices[] };

function stack(): PlenaryServices[] {
  return ((globalThis as Holder)[KEY] ??= []);
}

export function getApp(): PlenaryServices {
  const app = stack().at(-1);
  if (!app) throw new Error("Plenary is not running: pages and routes are served by server/main.ts (npm start), not `next start`.");
  return app;
}

export function registerApp(app: PlenaryServices): void {
  stack().push(app);
}

export function unregisterApp(app: PlenaryServices): void {
  const s = stack();
  const i = s.lastIndexOf(app);
  if (i >= 0) s.splice(i, 1);
}
