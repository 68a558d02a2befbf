// GET|POST /api/auth/* — next-auth (e-mail magic links, OIDC single sign-on, sign-out).
import NextAuth from "next-auth";
import { parseCookieHeader, sessionTokenFrom, usesSecureCookies } from "@/server/auth/cookies";
import { forRequest } from "@/server/auth/next-auth";
import type { PlenaryServices } from "@/server/app";
import { toAppError } from "@/server/errors";
import { CLIENT_IP_HEADER, route } from "@/server/http/route";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ nextauth: string[] }> };

/** next-auth carries its own CSRF token and answers identity providers' callbacks: no Origin check. */
async function handler(req: Request, ctx: Ctx) {
  return route(req, ({ app }) => nextAuth(app, req, ctx), { sameOrigin: false });
}

async function nextAuth(app: PlenaryServices, req: Request, ctx: Ctx): Promise<Response> {
  const [action, provider] = (await ctx.params).nextauth ?? [];

  // Asking for a sign-in link: counted per address and per client address before next-auth looks
  // at the address, so the refusal is the same for registered and unknown addresses.
  if (req.method === "POST" && action === "signin" && provider === "email") {
    const form = new URLSearchParams(await req.clone().text());
    const email = form.get("email");
    if (email) {
      try {
        await app.auth.throttleMagicLink(email, req.headers.get(CLIENT_IP_HEADER) ?? "unknown");
      } catch (err) {
        const e = toAppError(err);
        const retry = e.details?.retryAfterMs;
        const headers: Record<string, string> = { "cache-control": "no-store" };
        if (typeof retry === "number") headers["retry-after"] = String(Math.ceil(retry / 1000));
        // next-auth's client reads the error from `url`; a form posted without script is redirected.
        const url = `${app.config.publicUrl}/signin?error=${e.code === "rate_limited" ? "EmailRateLimited" : "Default"}`;
        if (form.get("json") === "true") return Response.json({ url, error: e.toJSON() }, { status: e.status, headers });
        return new Response(null, { status: 303, headers: { ...headers, location: url } });
      }
    }
  }

  const currentSignIn = sessionTokenFrom(parseCookieHeader(req.headers.get("cookie")), usesSecureCookies(app.config.publicUrl));
  return (await NextAuth(req as never, ctx as never, forRequest(app.nextAuth, { currentSignIn, auth: app.auth, callbackProvider: action === "callback" ? provider : undefined }))) as Response;
}

export { handler as GET, handler as POST };
