import type { CookiesOptions } from "next-auth";

/**
 * Cookie names: this file decides every one, Plenary's own and next-auth's. Behind TLS (an https
 * PUBLIC_URL) each takes the `__Host-` prefix and only that name is read: a browser accepts a
 * `__Host-` cookie only from an https response with `Secure`, `Path=/` and no `Domain`, so a cookie
 * planted over plain HTTP or by a sibling subdomain can never stand in for a sign-in. Without TLS only
 * the plain names exist. Pages, routes and the socket handshake all read through here.
 */
export const SESSION_COOKIE = "next-auth.session-token";
export const SECURE_SESSION_COOKIE = "__Host-next-auth.session-token";
export const DEVICE_COOKIE = "plenary-device";
export const SECURE_DEVICE_COOKIE = "__Host-plenary-device";

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

/** True when Plenary is reached over TLS, so cookies are `Secure` and take the `__Host-` prefix. */
export function usesSecureCookies(publicUrl: string): boolean {
  return publicUrl.startsWith("https://");
}

export function sessionTokenFrom(cookies: Map<string, string>, secure: boolean): string | undefined {
  return cookies.get(sessionCookieName(secure));
}

export function deviceSecretFrom(cookies: Map<string, string>, secure: boolean): string | undefined {
  return cookies.get(deviceCookieName(secure));
}

export interface CookieSpec {
  name: string;
  value: string;
  expires: Date;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/ and no Domain; Secure behind TLS (as `__Host-` requires). */
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

/**
 * next-auth's cookies under the same rule: HttpOnly, SameSite=Lax, Path=/, no Domain; behind TLS
 * Secure and `__Host-` (next-auth's own default gives most of them only `__Secure-`). The session
 * cookie's name is the one pages and sockets read.
 */
export function nextAuthCookies(secure: boolean): CookiesOptions {
  const prefix = secure ? "__Host-" : "";
  const options = { httpOnly: true, sameSite: "lax", path: "/", secure };
  const short = { ...options, maxAge: 15 * 60 };
  return {
    sessionToken: { name: sessionCookieName(secure), options },
    callbackUrl: { name: `${prefix}next-auth.callback-url`, options },
    csrfToken: { name: `${prefix}next-auth.csrf-token`, options },
    pkceCodeVerifier: { name: `${prefix}next-auth.pkce.code_verifier`, options: short },
    state: { name: `${prefix}next-auth.state`, options: short },
    nonce: { name: `${prefix}next-auth.nonce`, options },
  };
}
