#!/usr/bin/env bash
# The lint and type gate: ruff (lint + format) and mypy --strict over the Python,
# Biome and tsc --checkJs over web/. .ci/run runs it before the tests.
#
#   ./scripts/lint.sh        check everything
#   ./scripts/lint.sh --fix  let ruff and Biome fix what they can first
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
"$REPO/scripts/dev.sh" setup test >/dev/null
PY="$REPO/.venv/bin"
status=0
step() { printf '==> %s\n' "$*" >&2; }

if [ "${1:-}" = "--fix" ]; then
    "$PY/ruff" check --fix -q conference tests bench scripts || true
    "$PY/ruff" format -q conference tests bench scripts
fi
step "ruff check"; "$PY/ruff" check conference tests bench scripts || status=1
step "ruff format --check"; "$PY/ruff" format --check -q conference tests bench scripts || status=1
step "mypy --strict conference"; "$PY/mypy" || status=1
if [ -x web/node_modules/.bin/biome ]; then
    step "biome (web/)"; (cd web && ./node_modules/.bin/biome ci .) || status=1
fi
if [ -x web/node_modules/.bin/tsc ]; then
    step "tsc --checkJs (web/)"; (cd web && ./node_modules/.bin/tsc -p jsconfig.json --noEmit) || status=1
fi
exit "$status"
