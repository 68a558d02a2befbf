import type http from "node:http";
import { deviceSecretFrom } from "../auth/cookies";
import { DEVICE_DAYS } from "../auth/service";
import type { PlenaryServices } from "../services";
import { readBody } from "./read-body";
import { jsonText, nodeRoute } from "./route";
import { deviceCookie, signInCookie } from "./sign-in-cookies";

/** A code and a name: a few hundred bytes. */
const MAX_BODY_BYTES = 2048;

/**
 * POST /api/join — join a session in the room with its code: { code, displayName? } → signed in as
 * this device. A plain Node route, served before Next (server/http/dispatch.ts): when a room of thousands types
 * the code at once, Next's request and response machinery cost more of the server's thread than the
 * join itself (docs/benchmarks.md). It follows the same rules as every route handler (`nodeRoute`).
 */
export async function joinRoute(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== "POST") {
    req.resume();
    res.writeHead(405, { allow: "POST", "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ error: { code: "method_not_allowed", message: "Send the room code with POST." } }));
    return;
  }
  const text = await readBody(req, MAX_BODY_BYTES);
  await nodeRoute(app, req, res, async ({ ip, cookies, secureCookies, actor, responseHeaders }) => {
    const body = jsonText(text, MAX_BODY_BYTES, req.headers["content-type"]);
    const presented = deviceSecretFrom(cookies, secureCookies);
    const device = { secret: presented ?? app.auth.newDeviceSecret(), minted: !presented };
    // A phone's first try gives it its device cookie even when the code is wrong, so its next typos
    // count against that phone, not against everyone on the room's network.
    if (device.minted && actor?.kind !== "person") {
      responseHeaders.append("set-cookie", deviceCookie(app, device.secret, new Date(Date.now() + DEVICE_DAYS * 86_400_000)));
    }
    const joined = await app.auth.joinWithCode(body, { ip, device, actor });
    if (joined.signIn && joined.device) {
      responseHeaders.delete("set-cookie");
      responseHeaders.append("set-cookie", signInCookie(app, joined.signIn.token, joined.signIn.expires));
      responseHeaders.append("set-cookie", deviceCookie(app, joined.device.secret, joined.device.expires));
    }
    return { session: { slug: joined.session.slug, title: joined.session.title }, redirect: `/sessions/${joined.session.slug}` };
  });
}
