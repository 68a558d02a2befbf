import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import type { SessionRow } from "../../db/schema";
import type { Actor } from "../auth/actor";
import { sessionTokenFrom, usesSecureCookies } from "../auth/cookies";
import type { Action } from "../auth/policy";
import { getApp } from "../context";

/** The signed-in actor of the page being rendered (server components only). */
export async function pageActor(): Promise<Actor | null> {
  const jar = await cookies();
  const map = new Map(jar.getAll().map((c) => [c.name, c.value]));
  const app = getApp();
  return (await app.auth.resolveToken(sessionTokenFrom(map, usesSecureCookies(app.config.publicUrl)))).actor;
}

/**
 * Guards a page: not signed in → the sign-in page (coming back here after); signed in without the
 * role → a 403 page, with the refusal in the audit log.
 */
export async function requirePage(action: Action, returnTo: string, session?: SessionRow): Promise<Actor> {
  const actor = await pageActor();
  if (!actor) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  const app = getApp();
  if (!app.guard.allowed(actor, action, session)) {
    await app.guard.require(actor, action, session).catch(() => {});
    forbidden();
  }
  return actor;
}
