#!/usr/bin/env bash
# Builds the LiveKit server, pinned to one version, from the Go module proxy into tools/livekit/
# (ignored by git). Needs Go >= 1.23. Elsewhere: download a release binary from
# https://github.com/livekit/livekit/releases (same version) and put it at tools/livekit/livekit-server,
# or point LIVEKIT_BIN at it.
set -euo pipefail
LIVEKIT_VERSION="v1.13.5"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/tools/livekit"
bin="$dest/livekit-server"
if [ -x "$bin" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$LIVEKIT_VERSION" ]; then
  echo "livekit-server $LIVEKIT_VERSION already at $bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-livekit: Go is not installed; it is needed to build livekit-server $LIVEKIT_VERSION" >&2; exit 1; }
mkdir -p "$dest/gobin"
echo "install-livekit: building livekit-server $LIVEKIT_VERSION (a few minutes the first time)…"
GOBIN="$dest/gobin" GOFLAGS=-mod=mod go install "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION"
mv "$dest/gobin/server" "$bin"
rmdir "$dest/gobin" 2>/dev/null || true
echo "$LIVEKIT_VERSION" > "$dest/VERSION"
echo "livekit-server $LIVEKIT_VERSION installed at $bin"
