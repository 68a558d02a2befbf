// POST /api/demo/sign-in — demo mode only: sign in as a fictional demo person in one click. 404 otherwise.
import { z } from "zod";
import { AppError } from "@/server/errors";
import { parseBody, route } from "@/server/http/route";
import { signInCookie } from "@/server/http/sign-in-cookies";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  return route(req, async ({ app }) => {
    if (!app.config.demo) throw new AppError("not_found", "There is no demo sign-in on this server.");
    const { email } = await parseBody(req, z.object({ email: z.email("Give the e-mail of a demo person.") }), 1024);
    const { token, expires } = await app.auth.startDemoSignIn(email);
    return Response.json({ ok: true }, { headers: { "set-cookie": signInCookie(app, token, expires), "cache-control": "no-store" } });
  });
}
