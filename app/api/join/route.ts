// POST /api/join — join a session in the room with its code: { code, displayName? } → signed in as this device.
import { deviceSecretFrom } from "@/server/auth/cookies";
import { DEVICE_DAYS } from "@/server/auth/service";
import { jsonBody, route } from "@/server/http/route";
import { deviceCookie, signInCookie } from "@/server/http/sign-in-cookies";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  return route(req, async ({ app, ip, cookies, secureCookies, actor, responseHeaders }) => {
    const body = await jsonBody(req, 2048);
    const presented = deviceSecretFrom(cookies, secureCookies);
    const device = { secret: presented ?? app.auth.newDeviceSecret(), minted: !presented };
    // A phone's first try gives it its device cookie even when the code is wrong, so its next typos
    // count against that phone, not against everyone on the room's network.
    if (device.minted && actor?.kind !== "person") {
      responseHeaders.append("set-cookie", deviceCookie(app, device.secret, new Date(Date.now() + DEVICE_DAYS * 86_400_000)));
    }
    const joined = await app.auth.joinWithCode(body, { ip, device, actor });
    const headers = new Headers({ "cache-control": "no-store" });
    if (joined.signIn && joined.device) {
      responseHeaders.delete("set-cookie");
      headers.append("set-cookie", signInCookie(app, joined.signIn.token, joined.signIn.expires));
      headers.append("set-cookie", deviceCookie(app, joined.device.secret, joined.device.expires));
    }
    return Response.json({ session: { slug: joined.session.slug, title: joined.session.title }, redirect: `/sessions/${joined.session.slug}` }, { headers });
  });
}
