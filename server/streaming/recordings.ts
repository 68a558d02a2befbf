/**
 * Recordings of a streamed session: starting and stopping the recorder (or an egress), turning a
 * stopped recorder's tracks into one WebM, and who may list, download and publish the files. The REC
 * indicator itself follows LiveKit's webhooks (webhooks.ts).
 */
import fs from "node:fs";
import path from "node:path";
import type { SessionRow } from "../../db/schema";
import type { RecordingItem, RecordingList } from "../../lib/recordings";
import { mayRecord, type StreamSnapshot } from "../../lib/streaming";
import { findSessionById as findSession } from "../agenda/queries";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import { roomNameFor } from "./grants";
import { livekitMessage } from "./livekit";
import * as q from "./queries";
import { EgressBackend, muxRecording, newRecordingId, TrackRecorder, type RecorderExit, type RecordingBackend, type RecordingConfig } from "./recording";
import type { StreamingDeps, StreamingService } from "./service";

export class RecordingService {
  /** The recorder or egress behind "Start recording"; null when RECORDING=off. */
  readonly backend: RecordingBackend | null;
  /** Recordings being muxed into their file (tests wait on them; shutdown lets them finish). */
  private finalising = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: StreamingDeps,
    private readonly streaming: StreamingService,
  ) {
    const rc = deps.recording;
    this.backend =
      rc?.backend === "off"
        ? null
        : rc?.backend === "recorder"
          ? new TrackRecorder(
              rc,
              deps.log,
              (exit) => this.recorderExited(exit),
              (failed) => void this.recorderStartFailed(failed),
            )
          : new EgressBackend();
  }

  /**
   * The one function that starts a recording. The policy refuses it unless the session allows
   * recording (never under the Chatham House Rule). The REC indicator turns on when LiveKit says the
   * recorder (or egress) is in the room, through its webhook. A start that fails says why within 2 s
   * (the recorder's own reason) or, for an egress, with LiveKit's own error.
   */
  async start(actor: Actor | null, session: SessionRow): Promise<StreamSnapshot> {
    await this.deps.guard.require(actor, "recording:control", session);
    const livekit = this.streaming.livekit();
    const stream = await q.findStream(this.deps.db, session.id);
    if (stream?.state !== "live") throw new AppError("conflict", "Start the stream before recording it.");
    if ((await this.recordingIds(session)).length > 0) return this.streaming.snapshot(session);
    const backend = this.backend;
    if (!backend) {
      throw new AppError("recording_unavailable", "Recording is switched off on this Plenary (RECORDING=off).");
    }
    const room = await this.streaming.ensureRoom(session);
    const now = this.deps.clock.now();
    let id = newRecordingId();
    try {
      if (backend.kind === "recorder") {
        // The row exists before the recorder joins, so its webhook finds it (and the guard knows it is ours).
        await q.insertRecordingFile(this.deps.db, {
          id,
          sessionId: session.id,
          backend: "recorder",
          identity: `recorder-${id}`,
          startedBy: actor!.userId,
          at: now,
        });
        await backend.start(livekit, { id, room, session });
      } else {
        id = (await backend.start(livekit, { id, room, session })).id;
        await q.insertRecordingFile(this.deps.db, { id, sessionId: session.id, backend: "egress", identity: null, startedBy: actor!.userId, at: now });
        await q.insertRecording(this.deps.db, { egressId: id, sessionId: session.id, status: "active", startedBy: actor!.userId, at: now });
      }
    } catch (err) {
      const e = AppError.is(err) ? err : new AppError("recording_failed", `The recording could not start: ${livekitMessage(err)}`);
      if (backend.kind === "recorder") await q.updateRecordingFile(this.deps.db, id, { status: "failed", error: e.message, endedAt: this.deps.clock.now() });
      await this.deps.audit.record({
        actor,
        action: "recording:start",
        outcome: "refused",
        code: e.code,
        objectType: "session",
        objectId: session.slug,
        session: { id: session.id, rule: session.rule },
        details: { reason: e.message },
      });
      throw e;
    }
    await q.touchStream(this.deps.db, session.id, this.deps.clock.now());
    await this.streaming.audited(actor, session, "recording:start", { recording: id, backend: backend.kind });
    return this.streaming.broadcast(session);
  }

  async stop(actor: Actor | null, session: SessionRow): Promise<StreamSnapshot> {
    await this.deps.guard.require(actor, "recording:control", session);
    this.streaming.livekit();
    for (const id of await this.recordingIds(session)) await this.stopOne(actor, session, id);
    return this.streaming.broadcast(session);
  }

  /** The stream ended: every recording of the session stops; what LiveKit refused is returned, not thrown. */
  async stopWithStream(actor: Actor | null, session: SessionRow): Promise<string[]> {
    const problems: string[] = [];
    for (const id of await this.recordingIds(session)) {
      await this.stopOne(actor, session, id).catch((err: unknown) => problems.push(AppError.is(err) ? err.message : String(err)));
    }
    return problems;
  }

  /** Every recording of the session that runs: on LiveKit's word (REC rows) or started and not yet seen by it. */
  private async recordingIds(session: SessionRow): Promise<string[]> {
    const [active, running] = await Promise.all([q.activeRecordings(this.deps.db, session.id), q.runningRecordingFiles(this.deps.db, session.id)]);
    return [...new Set([...active.map((r) => r.egressId), ...running.map((r) => r.id)])];
  }

  private async stopOne(actor: Actor | null, session: SessionRow, id: string): Promise<void> {
    const file = await q.findRecordingFile(this.deps.db, id);
    const room = roomNameFor(session.id);
    if (file?.backend === "recorder") {
      const recorder = this.backend?.kind === "recorder" ? this.backend : new TrackRecorder(this.configOrDefault(), this.deps.log, () => {});
      await recorder.stop(this.streaming.livekit(), { id, identity: file.identity, room });
      // The REC row ends on LiveKit's participant_left; the file is finalised as the process exits.
    } else {
      await new EgressBackend().stop(this.streaming.livekit(), { id });
      await q.endRecording(this.deps.db, id, session.id, this.deps.clock.now());
      if (file?.status === "recording") await q.updateRecordingFile(this.deps.db, id, { status: "ready", endedAt: this.deps.clock.now() });
    }
    await q.touchStream(this.deps.db, session.id, this.deps.clock.now());
    await this.streaming.audited(actor, session, "recording:stop", { recording: id });
  }

  private configOrDefault(): RecordingConfig {
    return this.deps.recording ?? { backend: "recorder", recorderBin: "plenary-recorder", ffmpeg: "ffmpeg", ffprobe: "ffprobe", dir: "recordings" };
  }

  /**
   * A recorder process that ran here has exited (stopped, removed by the recording guard, or
   * failed). Its tracks become one WebM, unless the guard stopped it: then they are deleted unread.
   */
  private recorderExited(exit: RecorderExit): void {
    const work = (async () => {
      const db = this.deps.db;
      const file = await q.findRecordingFile(db, exit.id);
      if (!file || file.status === "failed") {
        fs.rmSync(exit.partsDir, { recursive: true, force: true });
        return;
      }
      const session = await findSession(db, exit.sessionId);
      const guarded = (await q.findRecordingStatus(db, exit.id)) === "stopped_by_guard";
      const allowed = mayRecord(session);
      if (guarded || !allowed) {
        fs.rmSync(exit.partsDir, { recursive: true, force: true });
        await q.updateRecordingFile(db, exit.id, {
          status: "failed",
          error: "The recording guard stopped this recording; nothing was kept.",
          endedAt: this.deps.clock.now(),
        });
        return;
      }
      await q.updateRecordingFile(db, exit.id, { status: "finalising", endedAt: this.deps.clock.now() });
      const cfg = this.configOrDefault();
      const rel = path.join(exit.sessionId, `${exit.id}.webm`);
      try {
        const { bytes, durationMs } = await muxRecording(cfg, exit.partsDir, path.join(cfg.dir, rel));
        await q.updateRecordingFile(db, exit.id, { status: "ready", path: rel, bytes, durationMs });
        fs.rmSync(exit.partsDir, { recursive: true, force: true });
        this.deps.log.info("recording finalised", { recording: exit.id, bytes, durationMs });
      } catch (err) {
        // The track files stay in the .parts folder for an operator to look at.
        const reason = err instanceof Error ? err.message : String(err);
        await q.updateRecordingFile(db, exit.id, {
          status: "failed",
          error: `The recording could not be made into a file: ${reason}. Its tracks are kept in ${exit.partsDir}.`,
        });
        this.deps.log.warn("recording could not be finalised", { recording: exit.id, reason, exit: exit.reason });
      }
    })().catch((err: unknown) => this.deps.log.warn("finalising a recording failed", { recording: exit.id, err }));
    this.finalising.set(exit.id, work);
    void work.finally(() => this.finalising.delete(exit.id));
  }

  /** A recorder whose start answered "joining" (a busy machine) did not join after all: the pages hear why. */
  private async recorderStartFailed(failed: { id: string; sessionId: string; reason: string }): Promise<void> {
    try {
      await q.updateRecordingFile(this.deps.db, failed.id, { status: "failed", error: failed.reason, endedAt: this.deps.clock.now() });
      const session = await findSession(this.deps.db, failed.sessionId);
      if (!session) return;
      await this.deps.audit.record({
        actor: null,
        systemLabel: "Recorder",
        action: "recording:start",
        outcome: "refused",
        code: "recording_failed",
        objectType: "session",
        objectId: session.slug,
        session: { id: session.id, rule: session.rule },
        details: { reason: failed.reason, recording: failed.id },
      });
      await q.touchStream(this.deps.db, session.id, this.deps.clock.now());
      await this.streaming.broadcast(session);
    } catch (err) {
      this.deps.log.warn("could not report a recorder that failed to join", { recording: failed.id, err });
    }
  }

  /** Resolves once the recording's file is finalised (or failed); at once when nothing is pending here. */
  async settled(id: string): Promise<void> {
    await this.finalising.get(id);
  }

  /** Shutdown: recorders running here stop (their files are finalised) before LiveKit goes. */
  async closeAll(): Promise<void> {
    if (this.backend instanceof TrackRecorder) await this.backend.stopAll();
    await Promise.all([...this.finalising.values()]);
  }

  /** The session's recordings: every one for organizers, the published ones for its attendees. */
  async list(actor: Actor | null, session: SessionRow): Promise<RecordingList> {
    const manage = this.deps.guard.allowed(actor, "recording:manage", session);
    if (!manage) await this.deps.guard.require(actor, "recording:watch", session);
    const rows = await q.listRecordingFiles(this.deps.db, session.id, !manage);
    const items: RecordingItem[] = [];
    for (const r of rows) {
      items.push({
        id: r.id,
        status: r.status,
        startedAt: r.startedAt.toISOString(),
        endedAt: r.endedAt?.toISOString() ?? null,
        durationMs: r.durationMs,
        bytes: r.bytes,
        published: r.publishedAt !== null,
        error: manage ? r.error : null,
        url: r.status === "ready" && r.path ? `/api/sessions/${session.slug}/recordings/${r.id}` : null,
        captions: (await this.deps.captionTracksFor?.(r, session)) ?? [],
      });
    }
    return { slug: session.slug, manage, recordings: items };
  }

  /**
   * The file of one recording, for its download route: organizers any finished one, the session's
   * attendees a published one. Anyone else gets the same `not_found` as for a missing recording.
   */
  async file(actor: Actor | null, session: SessionRow, id: string): Promise<{ file: string; bytes: number; name: string }> {
    const manage = this.deps.guard.allowed(actor, "recording:manage", session);
    if (!manage) await this.deps.guard.require(actor, "recording:watch", session);
    const row = await q.findRecordingFile(this.deps.db, id);
    const visible = row && row.sessionId === session.id && (manage || row.publishedAt !== null);
    if (!visible) throw new AppError("not_found", "There is no such recording of this session.");
    if (row.status !== "ready" || !row.path) {
      throw new AppError(
        "conflict",
        row.status === "failed"
          ? `This recording has no file: ${row.error ?? "it failed"}`
          : "This recording is still being made into a file; try again in a moment.",
      );
    }
    const file = path.join(this.configOrDefault().dir, row.path);
    let bytes: number;
    try {
      bytes = fs.statSync(file).size;
    } catch {
      throw new AppError("not_found", "The recording's file is missing from this server's recordings folder.");
    }
    if (manage) await this.streaming.audited(actor, session, "recording:download", { recording: id });
    return { file, bytes, name: `${session.slug}-${row.startedAt.toISOString().slice(0, 16).replace(/[:T]/g, "-")}.webm` };
  }

  /** Organizers publish a finished recording to the session's attendees, or take it back. */
  async publish(actor: Actor | null, session: SessionRow, id: string, published: boolean): Promise<RecordingList> {
    await this.deps.guard.require(actor, "recording:manage", session);
    const row = await q.findRecordingFile(this.deps.db, id);
    if (!row || row.sessionId !== session.id) throw new AppError("not_found", "There is no such recording of this session.");
    if (published && row.status !== "ready") throw new AppError("conflict", "Only a finished recording can be published.");
    await q.updateRecordingFile(this.deps.db, id, { publishedAt: published ? this.deps.clock.now() : null, publishedBy: published ? actor!.userId : null });
    await this.streaming.audited(actor, session, published ? "recording:publish" : "recording:unpublish", { recording: id });
    return this.list(actor, session);
  }
}
