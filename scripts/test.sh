#!/usr/bin/env bash
# Run the test suite against real PostgreSQL, Redis, LiveKit, nginx and Chromium:
#
#   ./scripts/test.sh                      everything
#   ./scripts/test.sh tests/rooms -k join  any pytest arguments
#
# Installs what it needs: the system packages (PostgreSQL, Redis, Chromium, nginx) with apt-get
# when it runs as root or has passwordless sudo, else it says how; then .venv with the test
# extras, npm packages and livekit-server built with Go. Exits with pytest's exit code.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The fixtures start their own servers from these binaries, on free ports in temp dirs.
missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# Reactions are emoji: without a colour emoji font the screenshots show empty boxes.
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
if [ "${#missing[@]}" -gt 0 ]; then
    as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            as_root=(sudo -n)
        else
            printf 'error: the tests need these system packages: %s\n' "${missing[*]}" >&2
            printf 'install them with:\n  sudo apt-get update && sudo apt-get install -y %s\n' "${missing[*]}" >&2
            exit 2
        fi
    fi
    printf '==> apt-get install %s\n' "${missing[*]}" >&2
    started=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq || { sleep 10; "${as_root[@]}" apt-get update -qq; }
    "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
    # Services the packages start are not used: stop them so they hold no memory or ports.
    for service in postgresql redis-server nginx; do
        "${as_root[@]}" service "$service" stop >/dev/null 2>&1 || true
    done
    if [ -n "${CONFERENCE_TIMINGS:-}" ]; then
        printf 'apt (%s)\t%s\n' "${missing[*]}" "$((SECONDS - started))" >>"$CONFERENCE_TIMINGS"
    fi
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
