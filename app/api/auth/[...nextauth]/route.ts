// GET|POST /api/auth/* — next-auth (e-mail magic links, OIDC single sign-on, sign-out).
import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { parseCookieHeader, sessionTokenFrom, usesSecureCookies } from "@/server/auth/cookies";
import { forRequest } from "@/server/auth/next-auth";
import type { PlenaryServices } from "@/server/services";
import { AppError, toAppError } from "@/server/errors";
import { hasControlCharacters } from "@/lib/text";
import { CLIENT_IP_HEADER, limitedText, route } from "@/server/http/route";

/** A sign-in form, or an identity provider's posted answer, is a few KB; next-auth would read any size. */
const AUTH_BODY_MAX_BYTES = 64 * 1024;

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ nextauth: string[] }> };

/** next-auth carries its own CSRF token and answers identity providers' callbacks: no Origin check. */
async function handler(req: Request, ctx: Ctx) {
  return route(req, ({ app }) => nextAuth(app, req, ctx), { sameOrigin: false });
}

async function nextAuth(app: PlenaryServices, req: Request, ctx: Ctx): Promise<Response> {
  const [action, provider] = (await ctx.params).nextauth ?? [];
  // Read here, within the limit, and handed to next-auth as a request of its own (it needs a NextRequest).
  const body = req.method === "POST" ? await limitedText(req, AUTH_BODY_MAX_BYTES) : "";
  if (body === null) throw new AppError("invalid_payload", `The request is too large (at most ${AUTH_BODY_MAX_BYTES} bytes).`);
  const forNextAuth = req.method === "POST" ? new NextRequest(req.url, { method: "POST", headers: req.headers, body }) : req;

  // Asking for a sign-in link: counted per address and per client address before next-auth looks
  // at the address, so the refusal is the same for registered and unknown addresses.
  if (req.method === "POST" && action === "signin" && provider === "email") {
    const form = new URLSearchParams(body);
    const email = form.get("email");
    if (email) {
      try {
        // No address has control characters or runs past 254 characters: refused before anything
        // (the database, next-auth's own error path) sees it.
        if (hasControlCharacters(email) || email.length > 254) {
          throw new AppError("invalid_payload", "That is not an e-mail address: it has a control character or is too long. Type the address again.");
        }
        await app.auth.throttleMagicLink(email, req.headers.get(CLIENT_IP_HEADER) ?? "unknown");
      } catch (err) {
        const e = toAppError(err);
        const retry = e.details?.retryAfterMs;
        const headers: Record<string, string> = { "cache-control": "no-store" };
        if (typeof retry === "number") headers["retry-after"] = String(Math.ceil(retry / 1000));
        // next-auth's client reads the error from `url`; a form posted without script is redirected.
        const url = `${app.config.publicUrl}/signin?error=${e.code === "rate_limited" ? "EmailRateLimited" : e.code === "invalid_payload" ? "EmailInvalid" : "Default"}`;
        if (form.get("json") === "true") return Response.json({ url, error: e.toJSON() }, { status: e.status, headers });
        return new Response(null, { status: 303, headers: { ...headers, location: url } });
      }
    }
  }

  // A sign-in link whose address was tampered with (a stray byte in `email`) is a link that does not
  // work, said the way next-auth says it, not a database error.
  if (action === "callback" && provider === "email") {
    const params = new URL(req.url).searchParams;
    if (hasControlCharacters(params.get("email") ?? "") || hasControlCharacters(params.get("token") ?? "")) {
      return new Response(null, { status: 303, headers: { location: `${app.config.publicUrl}/signin?error=Verification`, "cache-control": "no-store" } });
    }
  }

  const currentSignIn = sessionTokenFrom(parseCookieHeader(req.headers.get("cookie")), usesSecureCookies(app.config.publicUrl));
  return (await NextAuth(
    forNextAuth as never,
    ctx as never,
    forRequest(app.nextAuth, { currentSignIn, auth: app.auth, callbackProvider: action === "callback" ? provider : undefined }),
  )) as Response;
}

export { handler as GET, handler as POST };
