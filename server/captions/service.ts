/**
 * Live captions: one service for both ways in — the `caption:push` socket command (an organizer or
 * moderator typing, or in-house software signed in as one) and the Zoom-compatible ingest URL that
 * commercial CART software POSTs to (server/http/caption-ingest.ts). Both end in `accept()`: the
 * track's seq decides retries and order, the feed's health is noted, the caption is announced, and
 * its text is kept only for on-record sessions that may be recorded (the WebVTT download).
 *
 * Chatham House: caption text is never written to the database, never logged (log lines here carry
 * ids, languages, seqs and codes only), never put in an error message; it lives in the room only.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Database } from "../../db/client";
import type { RecordingFileRow, SessionRow } from "../../db/schema";
import {
  CAPTION_QUIET_MS,
  DEFAULT_CAPTION_LANG,
  languageName,
  vttPath,
  type CaptionAbilities,
  type CaptionFeed,
  type CaptionLine,
  type CaptionStateResult,
} from "../../lib/captions";
import type { RecordingCaptionTrack } from "../../lib/recordings";
import { streamWindow } from "../../lib/streaming";
import { formatClock } from "../../lib/time";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { AuditService } from "../audit/service";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import { errorName, type Logger } from "../log";
import type { CaptionPublisher } from "./publisher";
import * as q from "./queries";
import { toWebVtt } from "./vtt";

export interface CaptionServiceOptions {
  /** How long a feed may be quiet before viewers are told (default 30 s). */
  quietMs?: number;
  /** How often the feeds are checked for quiet (default 1 s). */
  checkEveryMs?: number;
}

export interface CaptionDeps {
  db: Database;
  guard: Guard;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  publish: CaptionPublisher;
  /** The server's secret: ingest URL secrets are derived from it (never stored). */
  secret: string;
  publicUrl: string;
  timeZone: () => Promise<string>;
  options?: CaptionServiceOptions;
}

/** What one caption delivery did: `duplicate` is a retry of a seq already accepted (acknowledged, not shown again). */
export type Accepted = { duplicate: false; line: CaptionLine } | { duplicate: true; seq: number };

/** Where the ingest URL lives (server/http/caption-ingest.ts answers it). */
export const INGEST_PATH = "/api/captions";

export class CaptionService {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly quietMs: number;

  constructor(private readonly deps: CaptionDeps) {
    this.quietMs = deps.options?.quietMs ?? CAPTION_QUIET_MS;
  }

  /** Starts the feed-health check (every instance may run it: each stall is claimed once). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.checkFeeds().catch((err: unknown) => this.deps.log.warn("caption feed check failed", { kind: errorName(err), err }));
    }, this.deps.options?.checkEveryMs ?? 1000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  // ── The two ways in ─────────────────────────────────────────────────────────────────────────────

  /** `caption:push`: staff send a line over their socket; it takes the track's next seq. */
  async push(actor: Actor | null, session: SessionRow, input: { text: string; final: boolean; lang?: string }): Promise<CaptionLine> {
    await this.deps.guard.require(actor, "caption:publish", session);
    this.requireWindow(session);
    const accepted = await this.accept(session, { lang: input.lang ?? DEFAULT_CAPTION_LANG, seq: null, text: input.text, final: input.final });
    if (accepted.duplicate) throw new AppError("internal", "A new caption was taken for a retry.");
    return accepted.line;
  }

  /**
   * The ingest URL: the key is checked first (403 for a wrong one, whatever the session), then the
   * window (400 outside it); the text has passed the caption text rule in the transport.
   */
  async ingest(session: SessionRow | undefined, key: string | null, input: { seq: number; lang: string; text: string }): Promise<Accepted> {
    const row = await this.requireKey(session, key);
    this.requireWindow(row);
    return this.accept(row, { ...input, final: true });
  }

  /** `GET …/seq`: the last accepted seq of a track (0 before the first caption, as Zoom answers). */
  async lastSeq(session: SessionRow | undefined, key: string | null, lang: string): Promise<number> {
    const row = await this.requireKey(session, key);
    return (await q.findTrack(this.deps.db, row.id, lang))?.lastSeq ?? 0;
  }

  /** Checks a key and answers the session, or 403 (an unknown session gets the same answer: no oracle). */
  async requireKey(session: SessionRow | undefined, key: string | null): Promise<SessionRow> {
    if (session && key) {
      const feed = await q.findFeed(this.deps.db, session.id);
      const expected = Buffer.from(this.secretFor(session.id, feed?.generation ?? 1));
      const given = Buffer.from(key);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return session;
    }
    throw new AppError("forbidden", "This caption URL is not valid (wrong or missing key, or it was replaced). Ask the organizers for the current one.");
  }

  private async accept(session: SessionRow, input: { lang: string; seq: number | null; text: string; final: boolean }): Promise<Accepted> {
    const now = this.deps.clock.now();
    const result = await this.deps.db.transaction(async (tx) => {
      let track = await q.lockTrack(tx, session.id, input.lang);
      const seq = input.seq ?? (track ? track.lastSeq + 1 : 1);
      // The track's first caption creates it; a delivery that loses that race reads the winner's row.
      const created = !track && (await q.insertTrack(tx, session.id, input.lang, seq, now));
      if (!created) {
        track ??= (await q.lockTrack(tx, session.id, input.lang))!;
        const recent = track.recentSeqs;
        // A seq seen recently is a retry; one older than everything remembered (with the memory full) is
        // taken for a late retry too: a captioner resends, it does not go back 64 captions.
        if (recent.includes(seq) || (recent.length >= q.CAPTION_SEQ_WINDOW && seq < Math.min(...recent))) return { duplicate: true as const, seq };
        const kept = [...recent, seq].slice(-q.CAPTION_SEQ_WINDOW);
        await q.updateTrack(tx, session.id, input.lang, Math.max(track.lastSeq, seq), kept, now);
      }
      const feed = await q.noteCaption(tx, session.id, now);
      if (input.final && keepsCaptions(session)) await q.insertCue(tx, session, { lang: input.lang, seq, at: now, text: input.text });
      return { duplicate: false as const, seq, feed };
    });
    if (result.duplicate) return { duplicate: true, seq: result.seq };
    const line: CaptionLine = { slug: session.slug, lang: input.lang, text: input.text, final: input.final, at: now.toISOString(), seq: result.seq };
    this.deps.publish.captionAdded(session.id, line);
    if (result.feed.wasIdle || result.feed.wasStalled) this.deps.publish.feedChanged(session.id, await this.feed(session));
    return { duplicate: false, line };
  }

  private requireWindow(session: SessionRow): void {
    const { opensAt, closesAt } = streamWindow(session.startsAt, session.endsAt);
    const now = this.deps.clock.now();
    if (now < opensAt)
      throw new AppError("outside_window", `This session has not started: captions are accepted from 30 minutes before its start (${opensAt.toISOString()}).`);
    if (now > closesAt) throw new AppError("outside_window", `This session has ended: captions were accepted until ${closesAt.toISOString()}.`);
  }

  // ── Health ──────────────────────────────────────────────────────────────────────────────────────

  /** Marks feeds quiet for the limit as stalled and tells their sessions; runs every second, tests call it directly. */
  async checkFeeds(): Promise<number> {
    const now = this.deps.clock.now();
    const stalled = await q.markStalled(this.deps.db, now, new Date(now.getTime() - this.quietMs));
    for (const session of stalled) this.deps.publish.feedChanged(session.id, await this.feed(session));
    return stalled.length;
  }

  // ── What views read ─────────────────────────────────────────────────────────────────────────────

  async feed(session: SessionRow): Promise<CaptionFeed> {
    const [feed, tracks] = await Promise.all([q.findFeed(this.deps.db, session.id), q.listTracks(this.deps.db, session.id)]);
    return {
      slug: session.slug,
      state: !feed?.lastCaptionAt ? "idle" : feed.stalled ? "stalled" : "live",
      tracks: tracks.map((t) => ({ lang: t.lang, lastSeq: t.lastSeq, lastAt: t.lastAt.toISOString() })),
      kept: keepsCaptions(session),
      published: keepsCaptions(session) && Boolean(feed?.vttPublished),
    };
  }

  abilities(actor: Actor | null, session: SessionRow): CaptionAbilities {
    const allowed = (a: Parameters<Guard["allowed"]>[1]) => this.deps.guard.allowed(actor, a, session);
    return { push: allowed("caption:publish"), manage: allowed("caption:manage"), export: allowed("caption:export") };
  }

  async state(actor: Actor | null, session: SessionRow): Promise<CaptionStateResult> {
    return { feed: await this.feed(session), can: this.abilities(actor, session) };
  }

  // ── The ingest URL ──────────────────────────────────────────────────────────────────────────────

  /** The URL a captioner pastes into their software (it has a query string: they append &seq=…&lang=…). */
  async ingestUrl(actor: Actor | null, session: SessionRow): Promise<{ url: string; seqUrl: string }> {
    await this.deps.guard.require(actor, "caption:manage", session);
    const feed = await q.ensureFeed(this.deps.db, session.id);
    return this.urlsFor(session, feed.generation);
  }

  /** A new URL; the old one is refused from this moment, on every instance (the key is checked against the database). */
  async rotate(actor: Actor | null, session: SessionRow): Promise<{ url: string; seqUrl: string }> {
    await this.deps.guard.require(actor, "caption:manage", session);
    const feed = await q.bumpGeneration(this.deps.db, session.id, this.deps.clock.now());
    await this.deps.audit.record({
      actor,
      action: "caption:rotate",
      outcome: "ok",
      objectType: "session",
      objectId: session.slug,
      session: { id: session.id, rule: session.rule },
      details: { generation: feed.generation },
    });
    return this.urlsFor(session, feed.generation);
  }

  private urlsFor(session: SessionRow, generation: number): { url: string; seqUrl: string } {
    const base = `${this.deps.publicUrl.replace(/\/$/, "")}${INGEST_PATH}/${session.slug}`;
    const query = `?key=${this.secretFor(session.id, generation)}`;
    return { url: `${base}${query}`, seqUrl: `${base}/seq${query}` };
  }

  /**
   * Derived, not stored: HMAC of the server's secret over the session and the generation. A copy of
   * the database alone cannot feed captions, and the URL can still be shown again (unlike a hash).
   */
  private secretFor(sessionId: string, generation: number): string {
    return createHmac("sha256", this.deps.secret).update(`plenary caption ingest\u0000${sessionId}\u0000${generation}`).digest("base64url");
  }

  // ── WebVTT ──────────────────────────────────────────────────────────────────────────────────────

  async setPublished(actor: Actor | null, session: SessionRow, published: boolean): Promise<CaptionFeed> {
    await this.deps.guard.require(actor, "caption:export", session);
    await q.setPublished(this.deps.db, session.id, published, this.deps.clock.now());
    await this.deps.audit.record({
      actor,
      action: published ? "caption:publish-vtt" : "caption:unpublish-vtt",
      outcome: "ok",
      objectType: "session",
      objectId: session.slug,
      session: { id: session.id, rule: session.rule },
    });
    const feed = await this.feed(session);
    this.deps.publish.feedChanged(session.id, feed);
    return feed;
  }

  /**
   * The WebVTT of one track: organizers always, everyone once published; nothing exists for sessions
   * that keep no captions. With `recordingId`: only the cues sent while that recording ran, timed from
   * its start, for whoever may watch the recording (organizers; its attendees once it is published).
   */
  async vtt(actor: Actor | null, session: SessionRow, lang: string, recordingId?: string): Promise<string> {
    if (!keepsCaptions(session)) throw new AppError("not_found", "This session keeps no captions: only on-record sessions that may be recorded do.");
    const feed = await q.findFeed(this.deps.db, session.id);
    const recording = recordingId === undefined ? undefined : await q.findRecording(this.deps.db, session.id, recordingId);
    if (recordingId !== undefined && !recording) throw new AppError("not_found", "There is no such recording of this session.");
    if (!this.deps.guard.allowed(actor, "caption:export", session)) {
      if (recording?.publishedAt) await this.deps.guard.require(actor, "recording:watch", session);
      else if (recording || !feed?.vttPublished) await this.deps.guard.require(actor, "caption:export", session);
    }
    const cues = await q.listCues(this.deps.db, session.id, lang, recording ? { from: recording.startedAt, to: recording.endedAt } : undefined);
    if (cues.length === 0) throw new AppError("not_found", `There are no ${lang} captions ${recording ? "for this recording" : "for this session"}.`);
    const start = recording?.startedAt ?? (await q.firstRecordingStart(this.deps.db, session.id)) ?? session.startsAt;
    const timedFrom = recording || start !== session.startsAt ? "recording's" : "session's";
    const zone = await this.deps.timeZone();
    return toWebVtt(cues, { start, note: `${session.title}, ${lang}. Timed from the ${timedFrom} start, ${formatClock(start, zone)}.` });
  }

  /** The caption tracks sent while one recording ran, for the recordings list (none for sessions that keep no captions). */
  async recordingTracks(recording: RecordingFileRow, session: SessionRow): Promise<RecordingCaptionTrack[]> {
    if (!keepsCaptions(session)) return [];
    const langs = await q.cueLanguages(this.deps.db, session.id, { from: recording.startedAt, to: recording.endedAt });
    return langs.map((lang) => ({ lang, label: languageName(lang), url: `${vttPath(session.slug, lang)}?recording=${encodeURIComponent(recording.id)}` }));
  }

  downloadPath(session: SessionRow, lang: string): string {
    return vttPath(session.slug, lang);
  }
}

/** Only on-record sessions that may be recorded keep their captions; Chatham House never. */
export function keepsCaptions(session: Pick<SessionRow, "rule" | "recordingAllowed">): boolean {
  return session.rule === "on_record" && session.recordingAllowed;
}
