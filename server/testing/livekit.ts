import { defaultLivekitBin } from "../config";
import { livekitBinaryPresent } from "../streaming/embedded";

/**
 * The LiveKit server binary the streaming tests run against (LIVEKIT_BIN, else the one
 * scripts/install-livekit.sh builds). With REQUIRE_LIVEKIT=1 (npm test, CI) a missing binary is an
 * error, never a silent skip; otherwise those tests are skipped with a note.
 */
export function livekitBinForTests(): string | undefined {
  const bin = process.env.LIVEKIT_BIN || defaultLivekitBin;
  if (livekitBinaryPresent(bin)) return bin;
  if (process.env.REQUIRE_LIVEKIT === "1") {
    throw new Error(`REQUIRE_LIVEKIT=1 but there is no LiveKit server binary at ${bin}: run scripts/install-livekit.sh`);
  }
  process.stderr.write(`LiveKit tests skipped: no livekit-server at ${bin} (scripts/install-livekit.sh)\n`);
  return undefined;
}
