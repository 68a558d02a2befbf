/**
 * The media server behind streaming, as a small state machine. `ready`: a LiveKit deployment is
 * configured, or the embedded binary started. `preparing`: first run, the binary is missing and Go is
 * here, so it is built in the background (a child process) while Plenary already serves, and started
 * when the build is done. `unavailable`: and why, in words a person can act on. The composition root
 * hands every change to the streaming service, which announces it as `stream:changed`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MediaState, MediaUnavailableReason } from "../../lib/streaming";
import type { LivekitConfig } from "../config";
import type { Logger } from "../log";
import { livekitBinaryPresent, startEmbeddedLivekit } from "./embedded";
import { livekitClients, type Livekit } from "./livekit";

/** How the missing binary is built: a child process that writes it to `LIVEKIT_INSTALL_BIN` (the path given to it). */
export interface LivekitBuild {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** A program the build needs on PATH (Go, for the default); without it streaming is unavailable and the pages say how to get it. */
  needs?: string;
}

const installScript = fileURLToPath(new URL("../../scripts/install-livekit.sh", import.meta.url));

/** scripts/install-livekit.sh: `go install` of the pinned LiveKit server version. */
export const defaultLivekitBuild: LivekitBuild = { command: "bash", args: [installScript], needs: "go" };

const MESSAGES: Record<MediaUnavailableReason, string> = {
  off: "Streaming is switched off on this Plenary (no LiveKit server is configured).",
  needs_livekit:
    "Streaming needs the LiveKit server, and this machine has no Go to build it: install Go 1.23 or later and restart Plenary (it then builds the server by itself), " +
    "or put a livekit-server v1.13.5 release binary at tools/livekit/livekit-server, or set LIVEKIT_URL. The README's “Streaming” section has the details.",
  build_failed: "Building the media server failed (the server log says why). Run scripts/install-livekit.sh to see the error, then restart Plenary.",
  start_failed: "The media server did not start (the server log says why). Restart Plenary to try again.",
};

/** How often the log and the pages hear of progress within one build step; a new step is told at once. */
const PROGRESS_LOG_MS = 5_000;
/** How often an instance waiting for another one's build looks again. */
const WAIT_POLL_MS = 1_000;

export interface MediaServerOptions {
  config: LivekitConfig | undefined;
  /** Where LiveKit sends its webhooks (the embedded server is configured with it). */
  webhookUrl: string;
  log: Logger;
  build?: LivekitBuild;
}

export type MediaListener = (state: MediaState, livekit: Livekit | null) => void;

export class MediaServer {
  private current: MediaState = { status: "preparing", progress: null };
  private lk: Livekit | null = null;
  private listeners: MediaListener[] = [];
  private child: ChildProcess | undefined;
  private closed = false;
  private settled: Promise<void> = Promise.resolve();

  private constructor(private readonly opts: MediaServerOptions) {}

  /**
   * Resolves as soon as the state is known: at once when a build is needed (it runs on), after
   * LiveKit answers when the binary is already here (about a second), at once otherwise.
   */
  static async start(opts: MediaServerOptions): Promise<MediaServer> {
    const media = new MediaServer(opts);
    await media.begin();
    return media;
  }

  get state(): MediaState {
    return this.current;
  }

  get livekit(): Livekit | null {
    return this.lk;
  }

  /** Hears every later change. */
  onChange(listener: MediaListener): void {
    this.listeners.push(listener);
  }

  /** Resolves when no build or start is under way any more (tests wait for it). */
  whenSettled(): Promise<void> {
    return this.settled;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopBuild();
    await this.settled.catch(() => {});
    await this.lk?.close();
  }

  private async begin(): Promise<void> {
    const c = this.opts.config;
    const log = this.opts.log;
    if (!c || c.mode === "off") {
      log.info("streaming is off: no LiveKit configured");
      return this.set(unavailable("off"));
    }
    if (c.mode === "external") {
      this.lk = livekitClients(c.url, c.apiKey, c.apiSecret);
      return this.set({ status: "ready" });
    }
    if (livekitBinaryPresent(c.bin)) return this.startEmbedded(c.bin);
    const build = this.opts.build ?? defaultLivekitBuild;
    if (build.needs && !onPath(build.needs)) {
      log.warn(
        "streaming is unavailable: no LiveKit server binary and no Go to build it (install Go and restart, put a release binary at the path, or set LIVEKIT_URL)",
        { bin: c.bin },
      );
      return this.set(unavailable("needs_livekit"));
    }
    log.info("media server: building (first run)… Plenary serves meanwhile; streaming turns on by itself when it is ready", { bin: c.bin });
    this.set({ status: "preparing", progress: null });
    this.settled = this.prepare(c.bin, build).catch((err: unknown) => {
      log.error("media server: the first-run build failed", { err });
      this.set(unavailable("build_failed"));
    });
  }

  /** Builds (or waits for another instance's build of) the binary, then starts it. */
  private async prepare(bin: string, build: LivekitBuild): Promise<void> {
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    // Two Plenary instances on one machine (a demo beside a dev server) build once: the other waits.
    const lock = `${bin}.build.lock`;
    let waiting = false;
    while (!this.closed) {
      if (livekitBinaryPresent(bin)) return this.startEmbedded(bin);
      if (takeLock(lock)) {
        let ok: boolean;
        try {
          ok = await this.runBuild(bin, build);
        } finally {
          fs.rmSync(lock, { force: true });
        }
        if (this.closed) return;
        if (!ok || !livekitBinaryPresent(bin)) return this.set(unavailable("build_failed"));
        continue;
      }
      if (!waiting) {
        waiting = true;
        this.opts.log.info("media server: another Plenary on this machine is building it; waiting", { lock });
        this.set({ status: "preparing", progress: "another Plenary on this machine is building it" });
      }
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
    }
  }

  /** Runs the build child; its lines become progress (the state and the log). True when it exits 0. */
  private runBuild(bin: string, build: LivekitBuild): Promise<boolean> {
    const log = this.opts.log;
    const progress = new BuildProgress();
    const tail: string[] = [];
    let lastLogged = 0;
    let lastText = "";
    return new Promise((resolve) => {
      const child = spawn(build.command, build.args, {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...build.env, LIVEKIT_INSTALL_BIN: bin },
        // Its own process group, so closing Plenary stops go and its compilers too.
        detached: true,
      });
      this.child = child;
      const killOnExit = () => this.stopBuild();
      process.once("exit", killOnExit);
      let pending = "";
      const onData = (chunk: Buffer) => {
        const lines = (pending + chunk.toString("utf8")).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.trim()) continue;
          tail.push(line);
          if (tail.length > 20) tail.shift();
          if (!progress.read(line)) continue;
          const text = progress.text();
          const stepChanged = progress.stepChangedSinceLastText();
          // Throttled: every change is a `stream:changed` to every streamed session, not one per package.
          if (text !== lastText && (stepChanged || Date.now() - lastLogged >= PROGRESS_LOG_MS)) {
            this.set({ status: "preparing", progress: text });
            log.info(`media server: building (first run)… ${text}`);
            lastLogged = Date.now();
            lastText = text;
          }
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("error", (err) => {
        process.off("exit", killOnExit);
        this.child = undefined;
        log.error("media server: the build could not be started", { err, command: build.command });
        resolve(false);
      });
      child.once("exit", (code, signal) => {
        process.off("exit", killOnExit);
        this.child = undefined;
        if (code === 0) {
          log.info("media server: build finished; starting it");
          resolve(true);
        } else {
          if (!this.closed) log.error("media server: the build failed", { exitCode: code, signal, lastLines: tail.slice(-5) });
          resolve(false);
        }
      });
    });
  }

  private stopBuild(): void {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  }

  private async startEmbedded(bin: string): Promise<void> {
    this.set({ status: "preparing", progress: "starting the media server" });
    try {
      const embedded = await startEmbeddedLivekit({ bin, webhookUrl: this.opts.webhookUrl, log: this.opts.log });
      if (this.closed) return void (await embedded.stop());
      this.lk = livekitClients(embedded.url, embedded.apiKey, embedded.apiSecret, embedded);
      this.set({ status: "ready" });
      this.opts.log.info("media server: ready; streaming is on", { livekitUrl: embedded.url });
    } catch (err) {
      this.opts.log.error("streaming is unavailable: the embedded LiveKit server did not start", { err });
      this.set(unavailable("start_failed"));
    }
  }

  private set(state: MediaState): void {
    if (JSON.stringify(state) === JSON.stringify(this.current)) return;
    this.current = state;
    for (const listener of this.listeners) listener(state, this.lk);
  }
}

function unavailable(reason: MediaUnavailableReason): MediaState {
  return { status: "unavailable", reason, message: MESSAGES[reason] };
}

/**
 * Reads install-livekit.sh's output: its "step n/N" lines, Go's "go: downloading" lines and, with
 * `go install -v`, one package path per line compiled. Paths stay out of the text (pages show it).
 */
export class BuildProgress {
  private step: { n: number; of: number } | null = null;
  private downloads = 0;
  private packages = 0;
  private shownStep = "";

  /** True when the line moved the progress on. */
  read(line: string): boolean {
    const step = /^install-livekit: step (\d+)\/(\d+)\b/.exec(line);
    if (step) {
      this.step = { n: Number(step[1]), of: Number(step[2]) };
      return true;
    }
    if (line.startsWith("go: downloading ")) {
      this.downloads++;
      return true;
    }
    // A package import path ("github.com/pion/webrtc/v4", "internal/goarch"): one package compiled.
    if (/^[a-z0-9][\w.~-]*(\/[\w.~+-]+)*$/i.test(line.trim()) && !line.includes(":")) {
      this.packages++;
      return true;
    }
    return false;
  }

  text(): string {
    const parts = [this.step ? `step ${this.step.n} of ${this.step.of}` : "starting"];
    if (this.downloads) parts.push(`${this.downloads} modules downloaded`);
    if (this.packages) parts.push(`${this.packages} packages compiled`);
    return parts.join(", ");
  }

  stepChangedSinceLastText(): boolean {
    const now = this.step ? `${this.step.n}/${this.step.of}` : "";
    const changed = now !== this.shownStep;
    this.shownStep = now;
    return changed;
  }
}

/** Takes the build lock, or returns false while a live process holds it (a dead holder's lock is taken over). */
function takeLock(lock: string): boolean {
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  let holder: number;
  try {
    holder = Number(fs.readFileSync(lock, "utf8").trim());
  } catch {
    return false; // released this instant: the caller looks again
  }
  // An empty file is a lock being written this instant: its holder is alive.
  if (!holder || alive(holder)) return false;
  fs.rmSync(lock, { force: true });
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}
