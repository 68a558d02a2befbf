/**
 * Cookie names. next-auth's session cookie takes the `__Secure-` prefix behind TLS; both names are
 * accepted everywhere a sign-in is read (pages, routes, the socket handshake).
 */
export const SESSION_COOKIE = "next-auth.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-next-auth.session-token";
export const DEVICE_COOKIE = "plenary-device";
export const SECURE_DEVICE_COOKIE = "__Secure-plenary-device";

export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out.set(name, decodeURIComponent(raw));
    } catch {
      out.set(name, raw);
    }
  }
  return out;
}

export function sessionTokenFrom(cookies: Map<string, string>): string | undefined {
  return cookies.get(SECURE_SESSION_COOKIE) ?? cookies.get(SESSION_COOKIE);
}

export function deviceSecretFrom(cookies: Map<string, string>): string | undefined {
  return cookies.get(SECURE_DEVICE_COOKIE) ?? cookies.get(DEVICE_COOKIE);
}

export interface CookieSpec {
  name: string;
  value: string;
  expires: Date;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Secure behind TLS. */
export function serializeCookie(c: CookieSpec, secure: boolean): string {
  return [`${c.name}=${encodeURIComponent(c.value)}`, "Path=/", `Expires=${c.expires.toUTCString()}`, "HttpOnly", "SameSite=Lax", secure ? "Secure" : ""]
    .filter(Boolean)
    .join("; ");
}

export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

export function deviceCookieName(secure: boolean): string {
  return secure ? SECURE_DEVICE_COOKIE : DEVICE_COOKIE;
}
