#!/usr/bin/env bash
# Run the test suite against real PostgreSQL, Redis, LiveKit and Chromium:
#
#   ./scripts/test.sh                      everything
#   ./scripts/test.sh tests/rooms -k join  any pytest arguments
#
# Installs what it can itself (.venv with the test extras, npm packages,
# livekit-server built with Go); system packages it only checks for, and says
# how to install them. Exits with pytest's exit code.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
    printf 'error: the tests need these system packages: %s\n' "${missing[*]}" >&2
    printf 'install them with:\n  sudo apt-get update && sudo apt-get install -y %s\n' "${missing[*]}" >&2
    exit 2
fi

"$REPO/scripts/dev.sh" setup test

cd "$REPO"
# The fixtures find livekit-server on PATH or in .dev/bin by themselves.
started=$SECONDS
code=0
"$REPO/.venv/bin/python" -m pytest "$@" || code=$?
if [ -n "${CONFERENCE_TIMINGS:-}" ]; then
    printf 'pytest (exit %s)\t%s\n' "$code" "$((SECONDS - started))" >>"$CONFERENCE_TIMINGS"
fi
exit "$code"
