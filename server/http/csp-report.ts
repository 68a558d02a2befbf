import type http from "node:http";
import type { PlenaryServices } from "../services";
import { AppError } from "../errors";
import { CLIENT_IP_HEADER } from "./route";
import { readBody } from "./read-body";

/** A violation report is a few hundred bytes; a batch of them a few kilobytes. */
const MAX_BODY_BYTES = 64 * 1024;
/** Per client address: a page with a broken policy reports a burst, then a trickle. */
const PER_CLIENT = { capacity: 20, perSecond: 0.5 };
/** For the whole instance: a flood of reports (from anyone) cannot flood the log. */
const PER_INSTANCE = { capacity: 200, perSecond: 5 };

/** One violation, reduced to its kind: which directive, what sort of resource, on which page (no query). */
export interface ViolationKind {
  directive: string;
  /** "inline", "eval", "data", "blob", "self" or the blocked resource's origin. */
  blocked: string;
  disposition: "enforce" | "report";
  page: string;
}

/**
 * POST /api/csp-report — browsers' content security policy violation reports, both the old
 * `report-uri` form (application/csp-report) and the Reporting API's (application/reports+json).
 * Each is logged by kind, never with the sample or full URLs (a URL can carry a code or token);
 * rate-limited per client and per instance. Always 204 unless the body is unreadable.
 */
export async function cspReport(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const reply = (status: number, body?: unknown) => {
    res.writeHead(status, body ? { "content-type": "application/json", "cache-control": "no-store" } : { "cache-control": "no-store" });
    res.end(body ? JSON.stringify(body) : undefined);
  };
  const ip = String(req.headers[CLIENT_IP_HEADER] ?? "unknown");
  try {
    await app.limiter.take(`csp-report:${ip}`, PER_CLIENT);
    await app.limiter.take("csp-report:*", PER_INSTANCE);
  } catch (err) {
    req.resume();
    const e = err as AppError;
    return reply(429, { error: { code: e.code, message: e.message } });
  }
  const body = await readBody(req, MAX_BODY_BYTES).catch(() => null);
  if (body === null) return reply(413, { error: { code: "invalid_payload", message: `A report is at most ${MAX_BODY_BYTES} bytes.` } });
  let kinds: ViolationKind[];
  try {
    kinds = parseViolations(JSON.parse(body), app.config.publicUrl);
  } catch {
    return reply(400, { error: { code: "invalid_payload", message: "The report is not valid JSON." } });
  }
  for (const k of kinds.slice(0, 20)) app.log.warn("content security policy violation", { ...k });
  reply(204);
}

/** Both report formats, reduced to kinds; anything not shaped like a report is skipped. */
export function parseViolations(json: unknown, publicUrl: string): ViolationKind[] {
  const own = new URL(publicUrl).origin;
  const out: ViolationKind[] = [];
  const add = (r: Record<string, unknown>) => {
    const directive = str(r["effective-directive"] ?? r.effectiveDirective ?? r["violated-directive"] ?? r.violatedDirective);
    if (!directive) return;
    const disposition = str(r.disposition) === "report" ? "report" : "enforce";
    out.push({
      directive: directive.split(" ")[0].slice(0, 40),
      blocked: blockedKind(str(r["blocked-uri"] ?? r.blockedURL), own),
      disposition,
      page: pagePath(str(r["document-uri"] ?? r.documentURL)),
    });
  };
  if (Array.isArray(json)) {
    for (const entry of json) {
      const e = entry as { type?: unknown; body?: unknown };
      if (e?.type === "csp-violation" && e.body && typeof e.body === "object") add(e.body as Record<string, unknown>);
    }
  } else if (json && typeof json === "object" && "csp-report" in json) {
    const r = (json as Record<string, unknown>)["csp-report"];
    if (r && typeof r === "object") add(r as Record<string, unknown>);
  }
  return out;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function blockedKind(uri: string, own: string): string {
  if (!uri) return "unknown";
  if (["inline", "eval", "wasm-eval", "trusted-types-policy", "trusted-types-sink"].includes(uri)) return uri;
  try {
    const u = new URL(uri);
    if (u.protocol === "http:" || u.protocol === "https:" || u.protocol === "ws:" || u.protocol === "wss:")
      return u.origin === own ? "self" : u.origin.slice(0, 100);
    return u.protocol.replace(/:$/, "").slice(0, 30);
  } catch {
    return "other";
  }
}

function pagePath(uri: string): string {
  try {
    return new URL(uri).pathname.slice(0, 200);
  } catch {
    return "unknown";
  }
}
