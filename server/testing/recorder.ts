import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { defaultRecorderBin } from "../config";
import { executablePresent, recorderMissing } from "../streaming/recording";

/**
 * The track recorder and its test publisher (scripts/install-recorder.sh) and ffmpeg, for the
 * recording tests. With REQUIRE_RECORDER=1 or REQUIRE_LIVEKIT=1 (npm test, CI) anything missing is an
 * error, never a silent skip; otherwise those tests are skipped with a note.
 */
export function recorderForTests(): { recorderBin: string; publisherBin: string } | undefined {
  const recorderBin = process.env.RECORDER_BIN || defaultRecorderBin;
  const publisherBin = path.join(path.dirname(recorderBin), "plenary-test-publisher");
  const missing =
    recorderMissing({ recorderBin, ffmpeg: "ffmpeg", ffprobe: "ffprobe" }) ??
    (executablePresent(publisherBin) ? null : `the test publisher is not installed at ${publisherBin} (run scripts/install-recorder.sh)`);
  if (!missing) return { recorderBin, publisherBin };
  if (process.env.REQUIRE_RECORDER === "1" || process.env.REQUIRE_LIVEKIT === "1") {
    throw new Error(`REQUIRE_RECORDER=1 but ${missing}`);
  }
  process.stderr.write(`Recording tests skipped: ${missing}\n`);
  return undefined;
}

/** A VP8 IVF (ffmpeg's test pattern, 320x240 at 15 fps) and an Opus Ogg (a 440 Hz tone) of `seconds`. */
export async function makeTestMedia(dir: string, seconds: number): Promise<{ video: string; audio: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const video = path.join(dir, "stage.ivf");
  const audio = path.join(dir, "stage.ogg");
  await run("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=320x240:rate=15",
    "-t",
    String(seconds),
    "-c:v",
    "libvpx",
    "-b:v",
    "300k",
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-g",
    "15",
    video,
  ]);
  await run("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
    "-t",
    String(seconds),
    "-c:a",
    "libopus",
    "-b:a",
    "48k",
    "-ac",
    "2",
    audio,
  ]);
  return { video, audio };
}

/**
 * A real WebRTC publisher on the stage: plenary-test-publisher sends the files through LiveKit with
 * the given token (a panelist's). Resolves once its tracks are published.
 */
export async function startTestPublisher(
  bin: string,
  url: string,
  token: string,
  media: { video: string; audio: string },
): Promise<{ stop(): Promise<void>; child: ChildProcess }> {
  const child = spawn(bin, ["-video", media.video, "-audio", media.audio], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PLENARY_RECORDER_URL: url, PLENARY_RECORDER_TOKEN: token },
  });
  let err = "";
  child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test publisher did not publish within 15 s: ${err.slice(-500)}`)), 15_000);
    child.stdout!.on("data", (c: Buffer) => {
      if (c.toString("utf8").includes('"publishing"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the test publisher exited: ${err.slice(-500)}`));
    });
  });
  return {
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} ${args.join(" ")} failed (${code}): ${err}`))));
  });
}
