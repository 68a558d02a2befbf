#!/usr/bin/env bash
# Builds Plenary's track recorder (tools/recorder/, Go, LiveKit's server SDK at the version pinned in
# tools/recorder/go.mod and go.sum) into tools/recorder/bin/ (ignored by git). Needs the Go named in tools/recorder/go.mod (1.26) and
# the Go module proxy. plenary-test-publisher is built beside it: the recording tests' stage.
# RECORDER_INSTALL_DIR names another destination.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/tools/recorder"
dest="${RECORDER_INSTALL_DIR:-$src/bin}"
stamp="$(cat "$src/go.mod" "$src/go.sum" "$src"/cmd/*/*.go | sha256sum | cut -c1-16)"
if [ -x "$dest/plenary-recorder" ] && [ -x "$dest/plenary-test-publisher" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$stamp" ]; then
  echo "plenary-recorder ($stamp) already at $dest"
  exit 0
fi
command -v go >/dev/null || { echo "install-recorder: Go is not installed; it is needed to build plenary-recorder" >&2; exit 1; }
mkdir -p "$dest"
build="$(mktemp -d "$dest/.build.XXXXXX")"
trap 'rm -rf "$build"' EXIT
echo "install-recorder: building plenary-recorder with Go (downloads and compiles; a few minutes the first time)"
(cd "$src" && GOFLAGS=-mod=readonly go build -o "$build/" ./cmd/...)
mv "$build/plenary-recorder" "$build/plenary-test-publisher" "$dest/"
echo "$stamp" > "$dest/VERSION"
echo "plenary-recorder installed at $dest"
