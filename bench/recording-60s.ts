/**
 * A 60-second recording on the embedded default, as a person makes one: Plenary starts its own
 * LiveKit, a real WebRTC publisher (plenary-test-publisher: ffmpeg's 320x240 VP8 test pattern at
 * 15 fps and an Opus tone) is on the stage, a moderator presses Start, waits, presses Stop; the
 * recording is muxed to WebM. Prints the file's duration (ffprobe), size, bit rate and how long
 * the start and the finalisation took.
 *
 *   npx tsx bench/recording-60s.ts [--seconds 60]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { recordingConfigFor } from "../server/config";
import { createPerson } from "../server/testing/people";
import { makeTestMedia, recorderForTests, run, startTestPublisher } from "../server/testing/recorder";
import { startTestServer } from "../server/testing/test-server";
import * as q from "../server/streaming/queries";

const arg = process.argv.indexOf("--seconds");
const seconds = arg > 0 ? Number(process.argv[arg + 1]) : 60;
const SLUG = "conversation-with-asd-acquisition";
const NOW = "2024-05-24T08:50:00-04:00";

async function main() {
  const tools = recorderForTests();
  if (!tools) throw new Error("the recorder is not installed (scripts/install-recorder.sh, apt-get install ffmpeg)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-recording-bench-"));
  const media = await makeTestMedia(path.join(dir, "media"), seconds + 15);
  const server = await startTestServer({ now: NOW, livekit: true, config: { recording: { ...recordingConfigFor(dir), recorderBin: tools.recorderBin } } });
  try {
    const app = server.services;
    const session = (await app.agenda.findRow(SLUG))!;
    const moderator = await createPerson(app, { name: "Morgan Moderator", roles: [{ slug: SLUG, role: "moderator" }] });
    const panelist = await createPerson(app, { name: "Dana Panelist", roles: [{ slug: SLUG, role: "panelist" }] });
    const mod = (await app.auth.resolveToken(moderator.token)).actor;
    await app.streaming.setState(mod, session, "start", { emptyStage: true });
    const token = await app.streaming.mintToken((await app.auth.resolveToken(panelist.token)).actor, session, { tab: "bench" });
    const stage = await startTestPublisher(tools.publisherBin, token.url, token.token, media);
    const t0 = Date.now();
    await app.streaming.recordings.start(mod, session);
    const startMs = Date.now() - t0;
    const [rec] = await q.runningRecordingFiles(app.db, session.id);
    await new Promise((r) => setTimeout(r, seconds * 1000 - startMs));
    const stopAt = Date.now();
    await app.streaming.recordings.stop(mod, session);
    await app.streaming.recordings.settled(rec.id);
    const finaliseMs = Date.now() - stopAt;
    await stage.stop();
    const row = (await q.findRecordingFile(app.db, rec.id))!;
    if (row.status !== "ready") throw new Error(`recording ${row.status}: ${row.error}`);
    const file = path.join(dir, "recordings", row.path!);
    const probe = await run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "compact", file]);
    console.log(
      JSON.stringify(
        {
          pressedStartToStopSeconds: (stopAt - t0) / 1000,
          durationSeconds: row.durationMs! / 1000,
          bytes: row.bytes,
          megabytes: +(row.bytes! / 1e6).toFixed(2),
          kbitPerSecond: Math.round((row.bytes! * 8) / row.durationMs!),
          startMs,
          stopAndFinaliseMs: finaliseMs,
          streams: probe.trim().split("\n"),
        },
        null,
        2,
      ),
    );
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
