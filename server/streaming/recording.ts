/**
 * How a recording is made. Two backends behind one interface:
 * - `recorder` (the default): tools/recorder's plenary-recorder, a child process that joins the room
 *   as a hidden subscribe-only participant (LiveKit participant kind EGRESS, grant `recorder`) and
 *   writes each track; on stop Plenary muxes them with ffmpeg into one WebM in
 *   DATA_DIR/recordings/<session id>/<recording id>.webm.
 * - `egress`: LiveKit's egress service (room composite to a file on the egress host), where a
 *   deployment runs one (RECORDING=egress).
 * The REC indicator follows LiveKit's webhooks either way (webhooks.ts), never the process's say-so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AccessToken, EncodedFileOutput } from "livekit-server-sdk";
import type { SessionRow } from "../../db/schema";
import type { RecordingConfig } from "../config";
import { AppError } from "../errors";
import type { Logger } from "../log";
import { ROLE_ATTRIBUTE } from "./grants";
import { isNotFound, isTimeout, livekitMessage, RECORDING_START_SECONDS, type Livekit } from "./livekit";

/** The role attribute and identity prefix of a recorder participant (webhooks.ts tells recorders apart by them). */
export const RECORDER_ROLE = "recorder";
export const RECORDER_IDENTITY_PREFIX = "recorder-";

/** A failed start must reach the person who pressed "Start recording" within 2 s. */
export const RECORDER_START_TIMEOUT_MS = 1_800;
/** A recorder still joining after this long (a machine under heavy load) is stopped and its start fails. */
export const RECORDER_JOIN_DEADLINE_MS = 20_000;

export interface RecordingStart {
  id: string;
  /** The recorder participant's LiveKit identity (track recorder only). */
  identity?: string;
  /**
   * False when the recorder was still joining when the start had to answer (2 s): it goes on, and
   * a later failure arrives through the backend's `onStartFailed`.
   */
  joined?: boolean;
}

export interface RecordingBackend {
  readonly kind: "recorder" | "egress";
  /**
   * Starts recording `room`; resolves once it runs. Rejects with an AppError whose code says why
   * (`recording_unavailable`, `recording_failed`, `livekit_error`). `id` is chosen by the caller for
   * the recorder and by LiveKit for an egress.
   */
  start(livekit: Livekit, req: { id: string; room: string; session: SessionRow }): Promise<RecordingStart>;
  /** Stops a recording this backend started (on any instance: a recorder not run here is removed from the room). */
  stop(livekit: Livekit, rec: { id: string; identity: string | null; room: string }): Promise<void>;
}

export type { RecordingConfig };

export function newRecordingId(): string {
  return `RC_${randomBytes(9).toString("base64url")}`;
}

// ── LiveKit egress ─────────────────────────────────────────────────────────────────────────────────

export class EgressBackend implements RecordingBackend {
  readonly kind = "egress" as const;

  async start(livekit: Livekit, req: { room: string; session: SessionRow }): Promise<RecordingStart> {
    try {
      const info = await livekit.egressStart.startRoomCompositeEgress(
        req.room,
        { file: new EncodedFileOutput({ filepath: `plenary/${req.session.slug}-{time}.mp4` }) },
        { layout: "speaker" },
      );
      return { id: info.egressId };
    } catch (err) {
      // No answer in time means no egress worker took the job (LiveKit itself would say so only after ~20 s).
      if (isTimeout(err)) {
        throw new AppError(
          "recording_unavailable",
          `The recording did not start: no recorder answered within ${RECORDING_START_SECONDS} seconds (LiveKit's recording service, egress, is not running or is busy). The stream goes on unrecorded; ask the operator to start the recording service, then try again.`,
        );
      }
      throw new AppError("livekit_error", `LiveKit could not start the recording: ${livekitMessage(err)}.`);
    }
  }

  async stop(livekit: Livekit, rec: { id: string }): Promise<void> {
    try {
      await livekit.egress.stopEgress(rec.id);
    } catch (err) {
      // Already over on LiveKit's side: nothing to stop.
      if (!isNotFound(err) && (err as { code?: string }).code !== "failed_precondition") {
        throw new AppError("livekit_error", `LiveKit could not stop the recording: ${livekitMessage(err)}.`);
      }
    }
  }
}

// ── The track recorder ─────────────────────────────────────────────────────────────────────────────

export interface RecorderExit {
  id: string;
  sessionId: string;
  /** The folder with the track files and manifest.json. */
  partsDir: string;
  code: number | null;
  /** The recorder's last words (its stderr, or the "done" event's reason). */
  reason: string;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

export function executablePresent(bin: string): boolean {
  const candidates = bin.includes("/") ? [bin] : (process.env.PATH ?? "").split(":").map((d) => path.join(d, bin));
  return candidates.some((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

/** What is missing for the track recorder, in words an operator can act on; null when it can run. */
export function recorderMissing(cfg: Pick<RecordingConfig, "recorderBin" | "ffmpeg" | "ffprobe">): string | null {
  if (!executablePresent(cfg.recorderBin)) return `the recorder is not installed at ${cfg.recorderBin} (run scripts/install-recorder.sh; it needs Go)`;
  if (!executablePresent(cfg.ffmpeg) || !executablePresent(cfg.ffprobe)) return `ffmpeg is not installed (apt-get install ffmpeg, or scripts/ensure-deps.sh)`;
  return null;
}

export class TrackRecorder implements RecordingBackend {
  readonly kind = "recorder" as const;
  private running = new Map<string, Running>();

  constructor(
    private readonly cfg: RecordingConfig,
    private readonly log: Logger,
    /** Called once per recorder process that joined its room here, whatever ended it. */
    private readonly onExit: (exit: RecorderExit) => void,
    /** A recorder whose start had answered "joining" failed to join after all (the reason is for people). */
    private readonly onStartFailed: (failed: { id: string; sessionId: string; reason: string }) => void = () => {},
    private readonly startTimeoutMs = RECORDER_START_TIMEOUT_MS,
    private readonly joinDeadlineMs = RECORDER_JOIN_DEADLINE_MS,
  ) {}

  partsDir(sessionId: string, id: string): string {
    return path.join(this.cfg.dir, sessionId, `${id}.parts`);
  }

  async start(livekit: Livekit, req: { id: string; room: string; session: SessionRow }): Promise<RecordingStart> {
    const missing = recorderMissing(this.cfg);
    if (missing) throw new AppError("recording_unavailable", `Recording is not available on this Plenary: ${missing}.`);
    const identity = `${RECORDER_IDENTITY_PREFIX}${req.id}`;
    const at = new AccessToken(livekit.apiKey, livekit.apiSecret, { identity, ttl: 60, attributes: { [ROLE_ATTRIBUTE]: RECORDER_ROLE } });
    // LiveKit lists it as an egress participant; hidden, it is in nobody's participant list.
    at.kind = "egress";
    at.addGrant({ room: req.room, roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false, hidden: true, recorder: true });
    const token = await at.toJwt();
    const partsDir = this.partsDir(req.session.id, req.id);
    fs.mkdirSync(partsDir, { recursive: true });

    const child = spawn(this.cfg.recorderBin, ["-out", partsDir], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PLENARY_RECORDER_URL: livekit.url, PLENARY_RECORDER_TOKEN: token },
    });
    const stderr: string[] = [];
    let doneReason = "";
    let hasJoined = false;
    let joined: () => void = () => {};
    const joinedP = new Promise<void>((resolve) => (joined = () => ((hasJoined = true), resolve())));
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let ev: { event?: string; reason?: string; message?: string };
        try {
          ev = JSON.parse(line) as typeof ev;
        } catch {
          continue;
        }
        if (ev.event === "joined") joined();
        if (ev.event === "done") doneReason = ev.reason ?? "";
        if (ev.event === "error") doneReason = ev.message ?? "";
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        // pion's ICE warnings while candidates gather are noise, not reasons.
        if (line.trim() && !/Failed to ping without candidate pairs/.test(line)) stderr.push(line.trim());
      }
      if (stderr.length > 50) stderr.splice(0, stderr.length - 50);
    });
    let exitCode: number | null = null;
    const exited = new Promise<void>((resolve) => {
      child.once("error", (err) => {
        stderr.push(err.message);
        resolve();
      });
      child.once("exit", (code) => {
        exitCode = code;
        resolve();
      });
    });
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    this.running.set(req.id, { child, exited });
    let answered = false;
    let deadlineHit = false;
    // Its own last words (lines it prefixes with its name) rather than the Go runtime's or pion's.
    const why = () =>
      (
        stderr.filter((l) => l.startsWith("plenary-recorder: ")).pop() ??
        (stderr.slice(-2).join(" ") || doneReason || `it exited with code ${exitCode}`)
      ).replace(/^plenary-recorder: /, "");
    void exited.then(() => {
      process.off("exit", killOnExit);
      this.running.delete(req.id);
      if (!hasJoined) {
        // It recorded nothing. If its start already answered "joining", say now why it failed.
        fs.rmSync(partsDir, { recursive: true, force: true });
        if (answered) {
          const reason = deadlineHit
            ? `The recorder did not join the LiveKit room within ${this.joinDeadlineMs / 1000} s, so it was stopped. Try again.`
            : `The recorder could not start: ${why()}`;
          this.onStartFailed({ id: req.id, sessionId: req.session.id, reason });
        }
        return;
      }
      this.onExit({ id: req.id, sessionId: req.session.id, partsDir, code: exitCode, reason: doneReason || stderr.slice(-3).join(" | ") });
    });

    const outcome = await Promise.race([
      joinedP.then(() => "joined" as const),
      exited.then(() => "exited" as const),
      new Promise<"timeout">((r) => setTimeout(() => r("timeout"), this.startTimeoutMs).unref()),
    ]);
    if (outcome === "joined") {
      this.log.info("recorder joined the room", { recording: req.id, room: req.room, pid: child.pid });
      return { id: req.id, identity, joined: true };
    }
    if (outcome === "timeout") {
      // Still joining (a busy machine): answer now, and let it go on up to the join deadline. The
      // REC indicator waits for LiveKit's webhook either way.
      answered = true;
      const deadline = setTimeout(() => {
        if (hasJoined) return;
        deadlineHit = true;
        child.kill("SIGKILL");
      }, this.joinDeadlineMs - this.startTimeoutMs);
      deadline.unref();
      void exited.then(() => clearTimeout(deadline));
      this.log.warn("recorder still joining when its start answered", { recording: req.id, room: req.room, pid: child.pid });
      return { id: req.id, identity, joined: false };
    }
    throw new AppError("recording_failed", `The recorder could not start: ${why()}`);
  }

  async stop(livekit: Livekit, rec: { id: string; identity: string | null; room: string }): Promise<void> {
    const run = this.running.get(rec.id);
    if (run) {
      run.child.kill("SIGTERM");
      const timer = setTimeout(() => run.child.kill("SIGKILL"), 10_000);
      await run.exited;
      clearTimeout(timer);
      return;
    }
    // Started by another instance (or one that restarted): removing it from the room ends it there.
    if (!rec.identity) return;
    try {
      await livekit.rooms.removeParticipant(rec.room, rec.identity);
    } catch (err) {
      if (!isNotFound(err)) throw new AppError("livekit_error", `LiveKit could not stop the recorder: ${livekitMessage(err)}.`);
    }
  }

  /** Recorders running in this process (tests, shutdown). */
  get active(): number {
    return this.running.size;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(async (r) => {
        r.child.kill("SIGTERM");
        await r.exited;
      }),
    );
  }
}

// ── Muxing ─────────────────────────────────────────────────────────────────────────────────────────

interface ManifestTrack {
  file: string;
  kind: "video" | "audio";
  firstPacketMs: number;
  packets: number;
}

/** At most this many cameras share the recording's picture (a 2×2 grid); the rest are left out, busiest first kept. */
export const MAX_RECORDED_CAMERAS = 4;
/** Each camera's cell in a composite picture. */
const CELL = { w: 640, h: 360 };

/**
 * One WebM from the recorder's track files, each placed by the wall-clock time of its first packet:
 * every audio track, mixed; one camera as it was sent (copied, no re-encoding), or several side by
 * side (2) or in a 2×2 grid (3–4), black until each camera's first frame. Returns the file's size and
 * duration (ffprobe's).
 */
export async function muxRecording(
  cfg: Pick<RecordingConfig, "ffmpeg" | "ffprobe">,
  partsDir: string,
  outFile: string,
): Promise<{ bytes: number; durationMs: number }> {
  let manifest: { tracks?: ManifestTrack[] };
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(partsDir, "manifest.json"), "utf8")) as typeof manifest;
  } catch {
    throw new Error("the recorder left no manifest (it was killed before it could finish)");
  }
  const tracks = (manifest.tracks ?? []).filter((t) => t.packets > 0 && fs.existsSync(path.join(partsDir, t.file)));
  const video = tracks
    .filter((t) => t.kind === "video")
    .sort((a, b) => b.packets - a.packets)
    .slice(0, MAX_RECORDED_CAMERAS);
  const audio = tracks.filter((t) => t.kind === "audio");
  const inputs = [...video, ...audio];
  if (inputs.length === 0) throw new Error("nothing was published on the stage while it recorded");
  const base = Math.min(...inputs.map((t) => t.firstPacketMs));
  const offset = (t: ManifestTrack) => ((t.firstPacketMs - base) / 1000).toFixed(3);
  const composite = video.length > 1;
  const args = ["-hide_banner", "-v", "error", "-y"];
  // A composite's cameras start at 0 and are padded with black instead (xstack needs every input from the start).
  for (const t of inputs) args.push(...(composite && t.kind === "video" ? [] : ["-itsoffset", offset(t)]), "-i", path.join(partsDir, t.file));
  const filters: string[] = [];
  if (composite) {
    const cells = video.map((t, i) => {
      filters.push(
        `[${i}:v]fps=25,scale=${CELL.w}:${CELL.h}:force_original_aspect_ratio=decrease,pad=${CELL.w}:${CELL.h}:(ow-iw)/2:(oh-ih)/2:black,setsar=1,` +
          `tpad=start_duration=${offset(t)}:start_mode=add:color=black[c${i}]`,
      );
      return `[c${i}]`;
    });
    const layout = ["0_0", `${CELL.w}_0`, `0_${CELL.h}`, `${CELL.w}_${CELL.h}`].slice(0, video.length).join("|");
    filters.push(`${cells.join("")}xstack=inputs=${video.length}:layout=${layout}:fill=black[v]`);
    args.push("-map", "[v]", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2M");
  } else if (video.length === 1) {
    args.push("-map", "0:v", "-c:v", "copy");
  }
  const firstAudio = video.length;
  if (audio.length === 1) args.push("-map", `${firstAudio}:a`, "-c:a", "copy");
  if (audio.length > 1) {
    filters.push(`${audio.map((_, i) => `[${firstAudio + i}:a]`).join("")}amix=inputs=${audio.length}:normalize=0[a]`);
    args.push("-map", "[a]", "-c:a", "libopus", "-b:a", "96k");
  }
  if (filters.length) args.push("-filter_complex", filters.join(";"));
  const tmp = `${outFile}.partial`;
  args.push("-f", "webm", tmp);
  await run(cfg.ffmpeg, args);
  fs.renameSync(tmp, outFile);
  const probed = await run(cfg.ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", outFile]);
  const seconds = Number.parseFloat(probed.trim());
  return { bytes: fs.statSync(outFile).size, durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0 };
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    // Re-encoding a composite takes minutes of CPU: the live event on the same machine comes first.
    try {
      if (child.pid) os.setPriority(child.pid, 10);
    } catch {
      // It exited already (its exit reports how).
    }
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(bin)} failed (${code}): ${err.trim().split("\n").slice(-2).join(" ")}`)),
    );
  });
}
