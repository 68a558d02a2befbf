// POST /api/join — join a session in the room with its code: { code, displayName? } → signed in as this device.
import { deviceSecretFrom } from "@/server/auth/cookies";
import { jsonBody, route } from "@/server/http/route";
import { deviceCookie, signInCookie } from "@/server/http/sign-in-cookies";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  return route(req, async ({ app, ip, cookies }) => {
    const body = await jsonBody(req, 2048);
    const joined = await app.auth.joinWithCode(body, { ip, deviceSecret: deviceSecretFrom(cookies) });
    const headers = new Headers({ "cache-control": "no-store" });
    headers.append("set-cookie", signInCookie(app, joined.signIn.token, joined.signIn.expires));
    headers.append("set-cookie", deviceCookie(app, joined.device.secret, joined.device.expires));
    return Response.json({ session: { slug: joined.session.slug, title: joined.session.title }, redirect: `/sessions/${joined.session.slug}` }, { headers });
  });
}
