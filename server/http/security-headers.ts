import { randomBytes } from "node:crypto";
import type http from "node:http";

/**
 * The browser-side defences every response carries: a content security policy with a fresh nonce per
 * request, no framing (except the room screen, for the origins an organizer lists), nosniff, the
 * referrer, permissions and opener policies, and HSTS behind TLS. Set in one place, the custom
 * server's request listener (server/app.ts), so pages, route handlers, static files, error pages and
 * the plain Node routes (/healthz, the LiveKit webhook) all get the same answer.
 */
export interface SecurityPolicyOptions {
  publicUrl: string;
  /** `npm run dev`: hot reload needs eval and its own websocket; never in production. */
  dev: boolean;
  /** The LiveKit URL browsers connect to (ws:// or wss://), when streaming is on. */
  livekitUrl?: string;
  /**
   * The embedded LiveKit is still being built (first run): its port is not known yet, so pages served
   * meanwhile may connect to any port on 127.0.0.1 (where the embedded server always listens) and
   * need no reload when streaming turns on.
   */
  livekitLoopbackAnyPort?: boolean;
  /** The OIDC issuer, when single sign-on is configured: the sign-in form's POST is redirected there. */
  oidcIssuer?: string;
  /** Origins allowed to frame the room screen (/sessions/<slug>/screen). Empty: nobody. */
  screenFrameAncestors: string[];
}

/** Where browsers send CSP violation reports (server/http/csp-report.ts answers it). */
export const CSP_REPORT_PATH = "/api/csp-report";
/** The request header carrying the nonce to server components that need it (Next reads the CSP header itself). */
export const NONCE_HEADER = "x-nonce";

/** Before the policy is known (the port is bound before start-up ends) and for engine.io's answers: nothing may be framed or run. */
export const STARTING_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
};

const SCREEN_PAGE = /^\/sessions\/[^/]+\/screen\/?$/;
const SESSION_PAGE = /^\/sessions\/[^/]+\/?$/;
const BACKSTAGE_PAGE = /^\/sessions\/[^/]+\/backstage\/?$/;
/** The registration desk scans passes with the device's camera (no microphone). */
const CHECK_IN_PAGE = /^\/check-in\/?$/;
/** Query parameters that carry a secret (room codes, magic-link tokens, OIDC codes): no referrer leaves such a page. */
const SECRET_PARAMS = new Set(["code", "token", "ticket", "state", "session_state"]);

/**
 * Features every page is denied, and the few a page that uses them is granted. Only names this
 * Chromium knows: an unknown feature is a console error on every page.
 */
const DENIED_FEATURES = [
  "accelerometer",
  "bluetooth",
  "browsing-topics",
  "display-capture",
  "encrypted-media",
  "geolocation",
  "gyroscope",
  "hid",
  "idle-detection",
  "magnetometer",
  "midi",
  "payment",
  "publickey-credentials-get",
  "serial",
  "usb",
  "xr-spatial-tracking",
];

export interface SecurityPolicy {
  /**
   * Sets the response headers for this request and, for Next, the request-side policy it reads the
   * nonce from (any value a client sent is replaced). Returns the nonce.
   */
  apply(req: http.IncomingMessage, res: http.ServerResponse): string;
  /** The headers for one path and nonce (what `apply` sets), for tests and for socket.io's own answers. */
  headersFor(url: string, nonce: string): Record<string, string>;
  /** The headers that do not depend on the path (engine.io's polling answers get these). */
  staticHeaders: Record<string, string>;
}

export function createSecurityPolicy(o: SecurityPolicyOptions): SecurityPolicy {
  const publicOrigin = new URL(o.publicUrl).origin;
  const secure = publicOrigin.startsWith("https:");
  const socketOrigin = publicOrigin.replace(/^http/, "ws");
  const livekit = o.livekitUrl ? livekitOrigins(o.livekitUrl) : o.livekitLoopbackAnyPort ? ["ws://127.0.0.1:*", "http://127.0.0.1:*"] : [];
  const formTargets = ["'self'", ...(o.oidcIssuer ? [new URL(o.oidcIssuer).origin] : [])];
  const screenAncestors = o.screenFrameAncestors.length > 0 ? o.screenFrameAncestors.join(" ") : "'none'";

  const policy = (nonce: string, path: string): string => {
    const directives: string[][] = [
      ["default-src", "'self'"],
      // 'strict-dynamic': the chunks Next's nonced scripts load are trusted; nothing else runs.
      ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(o.dev ? ["'unsafe-eval'"] : [])],
      // React renders style attributes (chart bars, word-cloud sizes): inline styles stay allowed; they cannot run code.
      ["style-src", "'self'", "'unsafe-inline'"],
      ["img-src", "'self'", "data:", "blob:"],
      ["media-src", "'self'", "blob:", "mediastream:"],
      ["font-src", "'self'", "data:"],
      // socket.io on the same origin, LiveKit's signalling (ws) and its validation request (http).
      ["connect-src", "'self'", socketOrigin, ...livekit, ...(o.dev ? ["ws:"] : [])],
      ["worker-src", "'self'", "blob:"],
      ["manifest-src", "'self'"],
      ["frame-src", "'none'"],
      ["object-src", "'none'"],
      ["base-uri", "'none'"],
      ["form-action", ...formTargets],
      ["frame-ancestors", ...(SCREEN_PAGE.test(path) ? [screenAncestors] : ["'none'"])],
      ["report-uri", CSP_REPORT_PATH],
      ["report-to", "csp"],
    ];
    // No upgrade-insecure-requests: an embedded LiveKit on ws://127.0.0.1 would be "upgraded" and fail; HSTS covers the app.
    return directives.map((d) => d.join(" ")).join("; ");
  };

  const staticHeaders: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "reporting-endpoints": `csp="${publicOrigin}${CSP_REPORT_PATH}"`,
    ...(secure ? { "strict-transport-security": "max-age=31536000" } : {}),
  };

  const headersFor = (url: string, nonce: string): Record<string, string> => {
    const { path, query } = splitUrl(url);
    const framable = SCREEN_PAGE.test(path) && o.screenFrameAncestors.length > 0;
    return {
      ...staticHeaders,
      "content-security-policy": policy(nonce, path),
      // Older browsers know only X-Frame-Options, which cannot name several origins: left off where framing is allowed.
      ...(framable ? {} : { "x-frame-options": "DENY" }),
      "referrer-policy": carriesSecret(path, query) ? "no-referrer" : "strict-origin-when-cross-origin",
      "permissions-policy": permissionsFor(path),
    };
  };

  return {
    staticHeaders,
    headersFor,
    apply(req, res) {
      const nonce = randomBytes(16).toString("base64");
      const headers = headersFor(req.url ?? "/", nonce);
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      // Next takes the nonce for its own scripts from the request's policy header.
      req.headers["content-security-policy"] = headers["content-security-policy"];
      delete req.headers["content-security-policy-report-only"];
      req.headers[NONCE_HEADER] = nonce;
      return nonce;
    },
  };
}

/**
 * The camera and microphone only where someone may go on stage: backstage, and the session page (a
 * promoted speaker); the camera alone at the check-in desk, to scan passes.
 */
export function permissionsFor(path: string): string {
  const backstage = BACKSTAGE_PAGE.test(path);
  const stage = backstage || SESSION_PAGE.test(path);
  const scanner = CHECK_IN_PAGE.test(path);
  const grants = [
    `camera=${stage || scanner ? "(self)" : "()"}`,
    `microphone=${stage ? "(self)" : "()"}`,
    "autoplay=(self)",
    "fullscreen=(self)",
    "picture-in-picture=(self)",
    "screen-wake-lock=(self)",
    ...DENIED_FEATURES.map((f) => (f === "display-capture" && backstage ? "display-capture=(self)" : `${f}=()`)),
  ];
  return grants.join(", ");
}

function livekitOrigins(url: string): string[] {
  const origin = new URL(url.replace(/^ws/, "http")).origin;
  return [origin.replace(/^http/, "ws"), origin];
}

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const i = url.indexOf("?");
  return i < 0 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, i), query: new URLSearchParams(url.slice(i + 1)) };
}

function carriesSecret(path: string, query: URLSearchParams): boolean {
  if (path.startsWith("/api/auth/callback")) return true;
  // A personal pass (server/checkin) carries its token in the path.
  if (path.startsWith("/p/")) return true;
  for (const name of query.keys()) if (SECRET_PARAMS.has(name.toLowerCase())) return true;
  return false;
}

/** SCREEN_FRAME_ANCESTORS: each entry must be a bare origin (scheme, host, optional port). */
export function parseFrameAncestors(list: string[]): string[] {
  return list.map((entry) => {
    let u: URL;
    try {
      u = new URL(entry);
    } catch {
      throw new Error(`"${entry}" is not a URL`);
    }
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error(`"${entry}" must be an http:// or https:// origin`);
    if (u.origin !== entry.replace(/\/$/, "")) throw new Error(`"${entry}" must be an origin only (no path, query or credentials)`);
    return u.origin;
  });
}
