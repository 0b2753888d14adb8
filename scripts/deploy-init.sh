#!/usr/bin/env bash
# First step of a docker compose deployment: writes .env beside docker-compose.yml with a
# random JWT_SECRET and a fresh LiveKit secret (then: docker compose up --build).
# Needs only Python 3.11+; the project need not be installed. Arguments pass to `conference init`
# (--force replaces an existing .env, which signs everyone out).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
exec env PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" "${PYTHON:-python3}" -m conference init "$@"
