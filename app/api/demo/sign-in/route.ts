// POST /api/demo/sign-in — demo mode only: sign in as a fictional demo person in one click. 404 otherwise.
import { z } from "zod";
import { AppError } from "@/server/errors";
import { jsonBody, route } from "@/server/http/route";
import { signInCookie } from "@/server/http/sign-in-cookies";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  return route(req, async ({ app }) => {
    if (!app.config.demo) throw new AppError("not_found", "There is no demo sign-in on this server.");
    const parsed = z.object({ email: z.email() }).safeParse(await jsonBody(req, 1024));
    if (!parsed.success) throw new AppError("invalid_payload", "Give the e-mail of a demo person.");
    const { token, expires } = await app.auth.startDemoSignIn(parsed.data.email);
    return Response.json({ ok: true }, { headers: { "set-cookie": signInCookie(app, token, expires), "cache-control": "no-store" } });
  });
}
