#!/usr/bin/env bash
# `npm test`: every test. Installs what is missing (scripts/ensure-deps.sh), starts Postgres and Redis
# on loopback, then runs type checks, ESLint, Prettier and dependency-cruiser, unit + integration
# tests (PGlite and Postgres), builds, and runs
# the Playwright suite in Debian's Chromium. Any missing part fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

bash scripts/ensure-deps.sh
# Assigned first: a failure inside `eval "$(…)"` would not stop the run (set -e does not see it).
services_env="$(bash scripts/services.sh start)"
eval "$services_env"
trap 'bash scripts/services.sh stop' EXIT

export REQUIRE_POSTGRES=1 REQUIRE_REDIS=1 REQUIRE_LIVEKIT=1 REQUIRE_RECORDER=1
export LIVEKIT_BIN="${LIVEKIT_BIN:-$PWD/tools/livekit/livekit-server}"
export RECORDER_BIN="${RECORDER_BIN:-$PWD/tools/recorder/bin/plenary-recorder}"
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || { echo "test: Chromium not found at ${CHROMIUM_PATH:-/usr/bin/chromium}" >&2; exit 1; }
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || { echo "test: HAProxy not found (scripts/ensure-deps.sh installs it)" >&2; exit 1; }
[ -x "$LIVEKIT_BIN" ] || { echo "test: LiveKit server not found at $LIVEKIT_BIN (scripts/install-livekit.sh)" >&2; exit 1; }
[ -x "$RECORDER_BIN" ] || { echo "test: recorder not found at $RECORDER_BIN (scripts/install-recorder.sh)" >&2; exit 1; }

echo "== typecheck"
npx tsc --noEmit
echo "== lint (ESLint), format (Prettier), layering (dependency-cruiser)"
npx eslint . --max-warnings 0
npx prettier --check . --log-level warn
npx depcruise app server lib db bench e2e scripts --config .dependency-cruiser.cjs
echo "== unit and integration tests (vitest)"
npx vitest run "$@"
echo "== end-to-end tests (Playwright, Chromium)"
npx playwright test
