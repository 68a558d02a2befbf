import type http from "node:http";
import type { PlenaryServices } from "../services";
import { parseCookieHeader, sessionTokenFrom, usesSecureCookies } from "../auth/cookies";
import { INGEST_PATH } from "../captions/service";
import { AppError, toAppError } from "../errors";
import { CAPTION_MAX_BODY_BYTES, checkCaptionText, DEFAULT_CAPTION_LANG, normalizeLang, parseSeq } from "../../lib/captions";
import { RECORDING_ID } from "../../lib/recordings";
import { isSlug } from "../../lib/text";
import { CLIENT_IP_HEADER } from "./route";
import { readBody } from "./read-body";

export const CAPTION_INGEST_PREFIX = `${INGEST_PATH}/`;

/** Per client address: CART software sends a caption every second or two, faster in bursts. */
const PER_CLIENT = { capacity: 60, perSecond: 10 };
/** Per session: several captioners (languages) at once, still far below anything that floods viewers. */
const PER_SESSION = { capacity: 120, perSecond: 20 };

/**
 * The Zoom-compatible caption ingest (docs/api.md "Caption ingest"), a plain Node route so that
 * captioning software never meets Next, cookies or the browser-only Origin rule (the key in the URL is
 * the credential; no cookie is read, so there is nothing for a cross-site form to ride on):
 *
 *   POST /api/captions/<slug>?key=K&seq=N&lang=xx-XX   text/plain; charset=utf-8 → 200 (a retry too)
 *   GET  /api/captions/<slug>/seq?key=K[&lang=xx-XX]   → the last accepted seq, as plain text
 *
 * 400 outside the session's window or for text the caption rule refuses, 403 for a wrong or missing
 * key or a missing seq, 405 for other methods, 413 for a body over 4 KB, 429 when too fast.
 * Caption text is never logged: failures are logged by kind only.
 */
export async function captionIngest(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
    if (!req.complete) req.resume();
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
    res.end(req.method === "HEAD" ? undefined : body + "\n");
  };
  try {
    const url = new URL(req.url ?? "/", "http://plenary.invalid");
    const m = /^\/api\/captions\/([^/]+)(\/seq)?\/?$/.exec(url.pathname);
    if (!m) return reply(404, "Not a caption URL.");
    const [, slug, seqPath] = m;
    const allow = seqPath ? "GET, HEAD" : "POST";
    if (!allow.split(", ").includes(req.method ?? "")) return reply(405, `Use ${allow.replace(", ", " or ")} here.`, { allow });

    const ip = String(req.headers[CLIENT_IP_HEADER] ?? "unknown");
    await app.limiter.take(`caption-ingest:${ip}`, PER_CLIENT);
    await app.limiter.take(`caption-ingest:session:${slug.slice(0, 120)}`, PER_SESSION);

    const session = isSlug(slug) ? await app.agenda.findRow(slug) : undefined;
    const key = url.searchParams.get("key");
    const langParam = url.searchParams.get("lang");
    const lang = langParam === null || langParam === "" ? DEFAULT_CAPTION_LANG : normalizeLang(langParam);

    if (seqPath) {
      const row = await app.captions.requireKey(session, key);
      if (!lang) throw new AppError("invalid_payload", "lang must be a language tag like en-US or es-ES.");
      return reply(200, String(await app.captions.lastSeq(row, key, lang)));
    }

    const row = await app.captions.requireKey(session, key);
    const seq = parseSeq(url.searchParams.get("seq"));
    if (seq === null) throw new AppError("forbidden", "The caption has no valid seq: append &seq=N (a whole number, +1 per new caption, the same on a retry).");
    if (!lang) throw new AppError("invalid_payload", "lang must be a language tag like en-US or es-ES.");
    const type = String(req.headers["content-type"] ?? "text/plain");
    if (/charset=/i.test(type) && !/charset="?utf-8"?/i.test(type)) throw new AppError("invalid_payload", "Send captions as text/plain; charset=utf-8.");
    const raw = await readBody(req, CAPTION_MAX_BODY_BYTES);
    if (raw === null) return reply(413, `A caption is at most ${CAPTION_MAX_BODY_BYTES} bytes.`);
    const text = checkCaptionText(raw);
    if (!text.ok) throw new AppError("invalid_payload", text.message);
    const accepted = await app.captions.ingest(row, key, { seq, lang, text: text.text });
    // Zoom answers with the server's time; retries get the same 200 (the caption is shown once).
    reply(200, app.clock.now().toISOString(), { "x-caption-duplicate": accepted.duplicate ? "1" : "0" });
  } catch (err) {
    const e = toAppError(err);
    if (e.code === "internal") app.log.error("caption ingest failed", { err });
    else if (e.code === "unavailable") app.health.noteFailure(err);
    // The session window is a 400 here, as Zoom's "meeting has not started" is.
    const status = e.code === "outside_window" ? 400 : e.status;
    const retry = e.details?.retryAfterMs;
    reply(status, e.message, typeof retry === "number" ? { "retry-after": String(Math.ceil(retry / 1000)) } : {});
  }
}

const VTT_PATH = /^\/sessions\/([a-z0-9-]{1,120})\/captions\.([A-Za-z0-9-]{2,35})\.vtt$/;

export function isCaptionVttPath(url: string): boolean {
  return VTT_PATH.test(url.split("?")[0]);
}

/**
 * GET /sessions/<slug>/captions.<lang>.vtt — a kept session's captions as WebVTT: organizers always,
 * everyone once an organizer published them. `?recording=<id>`: the captions of one recording, for
 * whoever may watch it (CaptionService.vtt). Served here rather than by Next, whose folders cannot
 * hold a dynamic segment inside `captions.<lang>.vtt`.
 */
export async function captionVtt(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const [, slug, rawLang] = VTT_PATH.exec((req.url ?? "").split("?")[0])!;
    const lang = normalizeLang(rawLang);
    const session = await app.agenda.findRow(slug);
    if (!session || !lang) throw new AppError("not_found", "There are no such captions.");
    const secure = usesSecureCookies(app.config.publicUrl);
    const { actor } = await app.auth.resolveToken(sessionTokenFrom(parseCookieHeader(req.headers.cookie), secure));
    const recording = new URL(req.url ?? "", "http://localhost").searchParams.get("recording") ?? undefined;
    if (recording !== undefined && !RECORDING_ID.test(recording)) throw new AppError("invalid_payload", "A recording id has letters, digits, _ and - only.");
    const vtt = await app.captions.vtt(actor, session, lang, recording);
    res.writeHead(200, {
      "content-type": "text/vtt; charset=utf-8",
      "cache-control": "no-store",
      "content-disposition": `attachment; filename="${slug}${recording ? `-${recording}` : ""}.${lang}.vtt"`,
    });
    res.end(req.method === "HEAD" ? undefined : vtt);
  } catch (err) {
    const e = toAppError(err);
    if (e.code === "internal") app.log.error("caption download failed", { err });
    res.writeHead(e.status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : JSON.stringify({ error: e.toJSON() }));
  }
}
