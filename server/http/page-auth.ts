import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import type { SessionRow } from "../../db/schema";
import type { Actor } from "../auth/actor";
import { sessionTokenFrom, usesSecureCookies } from "../auth/cookies";
import { authorize, type Action } from "../auth/policy";
import { getApp } from "../context";

/** The signed-in actor of the page being rendered (server components only). */
export async function pageActor(): Promise<Actor | null> {
  const jar = await cookies();
  const map = new Map(jar.getAll().map((c) => [c.name, c.value]));
  const app = getApp();
  return (await app.auth.resolveToken(sessionTokenFrom(map, usesSecureCookies(app.config.publicUrl)))).actor;
}

/** Audits the refusal of `action` (the guard records the policy's own decision and message). */
export async function auditRefusal(actor: Actor, action: Action, session?: SessionRow): Promise<string> {
  const decision = authorize(actor, action, session);
  await getApp()
    .guard.require(actor, action, session)
    .catch(() => {});
  return decision.allowed ? "" : decision.message;
}

/** Audits the refusal of `action` and answers with the 403 page. */
export async function refusePage(actor: Actor, action: Action, session?: SessionRow): Promise<never> {
  await auditRefusal(actor, action, session);
  forbidden();
}

/**
 * Guards a page: not signed in → the sign-in page (coming back here after); signed in without the
 * role → a 403 page, with the refusal in the audit log.
 */
export async function requirePage(action: Action, returnTo: string, session?: SessionRow): Promise<Actor> {
  const actor = await pageActor();
  if (!actor) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  const app = getApp();
  if (!app.guard.allowed(actor, action, session)) await refusePage(actor, action, session);
  return actor;
}
