/**
 * Turning the recorder's track files into one WebM, with real ffmpeg: one camera is copied as sent;
 * several cameras share the picture, each black until its first frame, placed by its first packet.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingConfigFor } from "../config";
import { muxRecording } from "./recording";

const cfg = recordingConfigFor("memory://");
let dir: string;

/** A VP8 camera track like the recorder writes (IVF), of `seconds` at `size`. */
function camera(name: string, size: string, seconds: number): string {
  execFileSync(cfg.ffmpeg, [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=${size}:rate=25`,
    "-t",
    String(seconds),
    "-c:v",
    "libvpx",
    "-f",
    "ivf",
    path.join(dir, name),
  ]);
  return name;
}

/** An Opus microphone track (Ogg) of `seconds`. */
function microphone(name: string, seconds: number): string {
  execFileSync(cfg.ffmpeg, [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440",
    "-t",
    String(seconds),
    "-c:a",
    "libopus",
    "-f",
    "ogg",
    path.join(dir, name),
  ]);
  return name;
}

function probe(file: string): { streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }>; format: { duration: string } } {
  return JSON.parse(execFileSync(cfg.ffprobe, ["-v", "error", "-show_streams", "-show_format", "-of", "json", file], { encoding: "utf8" }));
}

function manifest(tracks: Array<{ file: string; kind: "video" | "audio"; firstPacketMs: number; packets: number }>) {
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ tracks }));
}

describe("muxRecording with ffmpeg", () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-mux-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("copies a single camera as sent and keeps its microphone", async () => {
    manifest([
      { file: camera("one.ivf", "640x480", 2), kind: "video", firstPacketMs: 1_000, packets: 50 },
      { file: microphone("one.ogg", 2), kind: "audio", firstPacketMs: 1_000, packets: 100 },
    ]);
    const out = path.join(dir, "single.webm");
    const { bytes, durationMs } = await muxRecording(cfg, dir, out);
    expect(bytes).toBe(fs.statSync(out).size);
    const p = probe(out);
    expect(p.streams.map((s) => [s.codec_type, s.codec_name, s.width ?? null])).toEqual([
      ["video", "vp8", 640],
      ["audio", "opus", null],
    ]);
    expect(durationMs).toBeGreaterThan(1_800);
    expect(durationMs).toBeLessThan(2_600);
  });

  it("puts two cameras side by side, the later one black until it starts, and mixes both microphones", async () => {
    manifest([
      { file: camera("a.ivf", "1280x720", 3), kind: "video", firstPacketMs: 10_000, packets: 75 },
      { file: camera("b.ivf", "640x480", 2), kind: "video", firstPacketMs: 11_500, packets: 50 },
      { file: microphone("a.ogg", 3), kind: "audio", firstPacketMs: 10_000, packets: 150 },
      { file: microphone("b.ogg", 2), kind: "audio", firstPacketMs: 11_500, packets: 100 },
    ]);
    const out = path.join(dir, "two.webm");
    const { durationMs } = await muxRecording(cfg, dir, out);
    const p = probe(out);
    expect(p.streams.map((s) => [s.codec_type, s.codec_name, s.width ?? null, s.height ?? null])).toEqual([
      ["video", "vp8", 1280, 360],
      ["audio", "opus", null, null],
    ]);
    // b starts 1.5 s in and lasts 2 s: the recording runs to 3.5 s.
    expect(durationMs).toBeGreaterThan(3_200);
    expect(durationMs).toBeLessThan(4_200);
    // At 0.5 s the right half is black (b has not started); at 2.5 s it shows b's test pattern.
    const rightHalfMean = (at: number) =>
      Number(
        execFileSync(
          cfg.ffmpeg,
          ["-v", "error", "-ss", String(at), "-i", out, "-frames:v", "1", "-vf", "crop=640:360:640:0,format=gray,scale=1:1", "-f", "rawvideo", "-"],
          { encoding: "buffer" },
        )[0],
      );
    expect(rightHalfMean(0.5)).toBeLessThan(20);
    expect(rightHalfMean(2.5)).toBeGreaterThan(40);
  }, 60_000);

  it("lays three or four cameras out in a 2×2 grid", async () => {
    manifest(
      ["c1", "c2", "c3"].map((n, i) => ({ file: camera(`${n}.ivf`, "640x360", 1), kind: "video" as const, firstPacketMs: 5_000 + i * 100, packets: 25 })),
    );
    const out = path.join(dir, "grid.webm");
    await muxRecording(cfg, dir, out);
    expect(probe(out).streams.map((s) => [s.codec_type, s.width, s.height])).toEqual([["video", 1280, 720]]);
  }, 60_000);
});
