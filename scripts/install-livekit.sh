#!/usr/bin/env bash
# Builds the LiveKit server, pinned to one version, from the Go module proxy into tools/livekit/
# (ignored by git). Needs Go >= 1.23. Elsewhere: download a release binary from
# https://github.com/livekit/livekit/releases (same version) and put it at tools/livekit/livekit-server,
# or point LIVEKIT_BIN at it.
# LIVEKIT_INSTALL_BIN names another destination (Plenary's first-run build passes LIVEKIT_BIN's path).
# The "install-livekit: step n/N" lines are read by Plenary (server/streaming/media-server.ts) as progress.
set -euo pipefail
LIVEKIT_VERSION="v1.13.5"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${LIVEKIT_INSTALL_BIN:-$root/tools/livekit/livekit-server}"
dest="$(dirname "$bin")"
if [ -x "$bin" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$LIVEKIT_VERSION" ]; then
  echo "livekit-server $LIVEKIT_VERSION already at $bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-livekit: Go is not installed; it is needed to build livekit-server $LIVEKIT_VERSION" >&2; exit 1; }
mkdir -p "$dest"
# A build folder of its own: two builds (or a killed one) never leave a half-written binary at $bin.
gobin="$(mktemp -d "$dest/.gobin.XXXXXX")"
trap 'rm -rf "$gobin"' EXIT
echo "install-livekit: step 1/2: building livekit-server $LIVEKIT_VERSION with Go (downloads and compiles; a few minutes the first time)"
# -v names each package as it is compiled (Plenary counts them as progress).
GOBIN="$gobin" GOFLAGS=-mod=mod go install -v "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION"
echo "install-livekit: step 2/2: installing at $bin"
mv "$gobin/server" "$bin"
echo "$LIVEKIT_VERSION" > "$dest/VERSION"
echo "livekit-server $LIVEKIT_VERSION installed at $bin"
