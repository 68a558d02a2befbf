import { cache } from "react";
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

/**
 * The policy's reason for refusing the page being rendered, kept for the length of one request so
 * app/forbidden.tsx (which Next renders without props) can show it: the person reads the real reason
 * ("held under the Chatham House Rule…"), not a generic "your role does not allow this".
 */
const refusalOfThisRequest = cache((): { message: string | null } => ({ message: null }));

export function pageRefusal(): string | null {
  return refusalOfThisRequest().message;
}

/** Audits the refusal of `action` (the policy's own decision and message) and answers with the 403 page saying why. */
export async function refusePage(actor: Actor, action: Action, session?: SessionRow): Promise<never> {
  const decision = authorize(actor, action, session);
  await getApp()
    .guard.require(actor, action, session)
    .catch(() => {});
  if (!decision.allowed) refusalOfThisRequest().message = decision.message;
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
