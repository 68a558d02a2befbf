#!/usr/bin/env bash
# Installs what the test suite needs and is not an npm package: Debian's Chromium, PostgreSQL,
# Redis, HAProxy (the cluster test's load balancer), ffmpeg (which muxes recordings), the LiveKit server
# and Plenary's track recorder. Idempotent. Fails (never skips) when something cannot be installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

missing=()
command -v chromium >/dev/null || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium fonts-liberation)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
{ command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; } || missing+=(ffmpeg)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-deps: missing ${missing[*]}; install them (apt-get install -y ${missing[*]}) or run as root" >&2
    exit 1
  fi
  echo "ensure-deps: installing ${missing[*]} from Debian's packages…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
fi

if [ -z "${LIVEKIT_BIN:-}" ]; then
  bash "$root/scripts/install-livekit.sh"
fi
if [ -z "${RECORDER_BIN:-}" ]; then
  bash "$root/scripts/install-recorder.sh"
fi
echo "ensure-deps: chromium, postgresql, redis-server, haproxy, ffmpeg, livekit-server and plenary-recorder are present"
