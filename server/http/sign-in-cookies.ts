import type { PlenaryServices } from "../services";
import { deviceCookieName, serializeCookie, sessionCookieName, usesSecureCookies } from "../auth/cookies";

/** Set-Cookie values for a sign-in started outside next-auth (room code, demo). */
export function signInCookie(app: PlenaryServices, token: string, expires: Date): string {
  const secure = usesSecureCookies(app.config.publicUrl);
  return serializeCookie({ name: sessionCookieName(secure), value: token, expires }, secure);
}

export function deviceCookie(app: PlenaryServices, secret: string, expires: Date): string {
  const secure = usesSecureCookies(app.config.publicUrl);
  return serializeCookie({ name: deviceCookieName(secure), value: secret, expires }, secure);
}
