// A stand-in for scripts/install-livekit.sh in tests, speaking its protocol: "install-livekit: step n/N"
// lines, Go's own lines, and the binary written to LIVEKIT_INSTALL_BIN by an atomic rename. Instead of
// compiling for minutes it copies the real livekit-server from LIVEKIT_SOURCE, so what starts afterwards
// is the real LiveKit. BUILD_HOLD_MS keeps it "building" a while, BUILD_RELEASE_FILE until that file
// exists (a test decides when the build ends, at most 2 minutes); BUILD_FAIL makes it fail;
// BUILD_COUNT_FILE gets one line per build run (two instances must build once).
import fs from "node:fs";

const bin = process.env.LIVEKIT_INSTALL_BIN;
const source = process.env.LIVEKIT_SOURCE;
if (process.env.BUILD_COUNT_FILE) fs.appendFileSync(process.env.BUILD_COUNT_FILE, `${process.pid}\n`);
console.log("install-livekit: step 1/2: building livekit-server (copied in tests)");
console.error("go: downloading github.com/livekit/protocol v1.44.0");
console.error("github.com/livekit/protocol/auth");
await new Promise((resolve) => setTimeout(resolve, Number(process.env.BUILD_HOLD_MS ?? 0)));
const release = process.env.BUILD_RELEASE_FILE;
for (const until = Date.now() + 120_000; release && !fs.existsSync(release) && Date.now() < until;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}
if (process.env.BUILD_FAIL) {
  console.error(`build failed: ${process.env.BUILD_FAIL}`);
  process.exit(1);
}
console.log(`install-livekit: step 2/2: installing at ${bin}`);
const part = `${bin}.part-${process.pid}`;
fs.copyFileSync(source, part);
fs.chmodSync(part, 0o755);
fs.renameSync(part, bin);
