#!/usr/bin/env bash
# Run conference on this machine: a local LiveKit in dev mode plus the app on
# http://localhost:8080, with SQLite and the in-process fan-out. Ctrl-C stops both.
#
#   ./scripts/dev.sh          install what is missing, then run
#   ./scripts/dev.sh setup    only install (.venv, web/node_modules, livekit-server)
#   ./scripts/dev.sh setup test   the same plus the test extras (scripts/test.sh uses it)
#
# Needs Python 3.11+, Node.js with npm, and Go (only the first time, to build
# livekit-server into .dev/bin when it is not on PATH).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIVEKIT_VERSION="v1.13.5"
# versitygw: a real S3-compatible server the tests store recordings in (only with "setup test").
VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
DEV_DIR="$REPO/.dev"
VENV="$REPO/.venv"

say() {
    if [ -t 2 ]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# took PHASE SECONDS: say how long a phase took, and append it to
# $CONFERENCE_TIMINGS when set (.ci/run prints them as a table).
took() {
    say "$1 took $2s"
    if [ -n "${CONFERENCE_TIMINGS:-}" ]; then printf '%s\t%s\n' "$1" "$2" >>"$CONFERENCE_TIMINGS"; fi
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"
}

# install_python [extras]: .venv with the package installed editable; reinstalls
# when pyproject.toml changed since the last install.
install_python() {
    local extras="${1:-}" spec="." stamp
    [ -n "$extras" ] && spec=".[$extras]"
    stamp="$VENV/.installed${extras:+-$extras}"
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating .venv"
        "$(find_python)" -m venv "$VENV"
    fi
    # An install with the test extras also covers the plain one.
    if [ -z "$extras" ] && [ "$VENV/.installed-test" -nt "$REPO/pyproject.toml" ]; then
        return 0
    fi
    if [ ! -f "$stamp" ] || [ "$REPO/pyproject.toml" -nt "$stamp" ]; then
        say "pip install -e '$spec'"
        local started=$SECONDS
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        (cd "$REPO" && "$VENV/bin/python" -m pip install --quiet -e "$spec")
        touch "$stamp"
        took "pip install${extras:+ [$extras]}" "$((SECONDS - started))"
    fi
}

# install_npm DIR: node_modules from the lockfile when there is one.
install_npm() {
    local dir="$1"
    [ -f "$dir/package.json" ] || return 0
    command -v npm >/dev/null 2>&1 || die "npm is needed for $dir (install Node.js 20+)"
    local manifest="$dir/package.json"
    [ -f "$dir/package-lock.json" ] && manifest="$dir/package-lock.json"
    if [ -d "$dir/node_modules" ] && [ ! "$manifest" -nt "$dir/node_modules" ]; then
        return 0
    fi
    local started=$SECONDS
    if [ -f "$dir/package-lock.json" ]; then
        say "npm ci in ${dir#"$REPO"/}"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
        say "npm install in ${dir#"$REPO"/}"
        (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
    touch "$dir/node_modules"
    took "npm in ${dir#"$REPO"/}" "$((SECONDS - started))"
}

# livekit_binary: prints the livekit-server to use (env, PATH, then .dev/bin).
livekit_binary() {
    if [ -n "${LIVEKIT_SERVER_BIN:-}" ]; then
        echo "$LIVEKIT_SERVER_BIN"
    elif command -v livekit-server >/dev/null 2>&1; then
        command -v livekit-server
    elif [ -x "$DEV_DIR/bin/livekit-server" ]; then
        echo "$DEV_DIR/bin/livekit-server"
    fi
}

install_livekit() {
    [ -n "$(livekit_binary)" ] && return 0
    local go_bin
    go_bin="$(command -v go || true)"
    [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
    [ -n "$go_bin" ] || die "livekit-server is not installed and Go is missing to build it"
    say "building livekit-server $LIVEKIT_VERSION into .dev/bin (takes a few minutes, only once)"
    local started=$SECONDS
    mkdir -p "$DEV_DIR/bin"
    GOBIN="$DEV_DIR/bin" "$go_bin" install \
        "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION"
    mv "$DEV_DIR/bin/server" "$DEV_DIR/bin/livekit-server"
    took "livekit-server build" "$((SECONDS - started))"
}

# install_versitygw: the S3 gateway the recording tests use (env VERSITYGW_BIN, PATH, then .dev/bin).
install_versitygw() {
    [ -n "${VERSITYGW_BIN:-}" ] && return 0
    command -v versitygw >/dev/null 2>&1 && return 0
    [ -x "$DEV_DIR/bin/versitygw" ] && return 0
    local go_bin
    go_bin="$(command -v go || true)"
    [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
    [ -n "$go_bin" ] || die "versitygw is not installed and Go is missing to build it"
    say "building versitygw $VERSITYGW_VERSION into .dev/bin (takes a few minutes, only once)"
    local started=$SECONDS
    mkdir -p "$DEV_DIR/bin"
    GOBIN="$DEV_DIR/bin" "$go_bin" install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
    took "versitygw build" "$((SECONDS - started))"
}

# setup [test]: everything the app needs; with "test", the test extras and the
# benchmark peers' npm packages too.
setup() {
    local dir
    install_python "${1:-}"
    install_npm "$REPO/web"
    if [ "${1:-}" = test ]; then
        for dir in "$REPO"/bench "$REPO"/bench/*/; do install_npm "${dir%/}"; done
        install_versitygw
    fi
    install_livekit
}

write_livekit_config() {
    # --dev keeps the devkey/secret pair; the webhook needs that key named here.
    # Signalling listens on loopback only; media candidates include this
    # machine's LAN address and loopback, so a browser here always gets through.
    # NODE_IP=<address> in the environment advertises another address.
    cat >"$DEV_DIR/livekit.yaml" <<'YAML'
port: 7880
bind_addresses:
  - 127.0.0.1
rtc:
  tcp_port: 7881
  udp_port: 7882
  use_external_ip: false
  enable_loopback_candidate: true
keys:
  devkey: secret
webhook:
  api_key: devkey
  urls:
    - http://127.0.0.1:8080/api/v1/livekit/webhook
room:
  auto_create: false
logging:
  level: info
YAML
}

run() {
    setup
    mkdir -p "$DEV_DIR"
    write_livekit_config
    local livekit
    livekit="$(livekit_binary)"

    # Global, not local: the EXIT trap runs after run() has returned.
    pids=()
    # Ctrl-C reaches both processes by itself, and a second signal in the middle
    # of a graceful shutdown only makes noise: give them a moment first. Then
    # SIGTERM, and a second SIGTERM for LiveKit, whose first one waits for
    # participants to leave.
    stop_all() {
        trap - INT TERM EXIT
        local pid attempt
        for attempt in first second third; do
            for _ in $(seq 15); do
                alive_pids >/dev/null || return 0
                sleep 0.1
            done
            for pid in $(alive_pids); do kill "$pid" 2>/dev/null || true; done
        done
        for pid in $(alive_pids); do kill -KILL "$pid" 2>/dev/null || true; done
    }
    alive_pids() {
        local pid found=1
        for pid in "${pids[@]}"; do
            if kill -0 "$pid" 2>/dev/null; then echo "$pid"; found=0; fi
        done
        return "$found"
    }
    trap stop_all EXIT
    trap 'exit 130' INT TERM

    local port
    for port in 7880 7881 8080; do
        "$VENV/bin/python" -c "import socket, sys; socket.create_server(('127.0.0.1', int(sys.argv[1])))" \
            "$port" 2>/dev/null || die "port $port is taken: is another dev.sh (or LiveKit) running?"
    done

    say "starting livekit-server (log: .dev/livekit.log)"
    "$livekit" --dev --config "$DEV_DIR/livekit.yaml" >"$DEV_DIR/livekit.log" 2>&1 &
    pids+=($!)
    local tries=0
    until "$VENV/bin/python" -c 'import urllib.request as u; u.urlopen("http://127.0.0.1:7880/", timeout=1)' \
        2>/dev/null; do
        if ! kill -0 "${pids[0]}" 2>/dev/null || [ $((tries += 1)) -gt 100 ]; then
            tail -n 30 "$DEV_DIR/livekit.log" >&2
            die "livekit-server did not start"
        fi
        sleep 0.2
    done

    cat >&2 <<EOF

  conference is starting: open http://localhost:8080
  demo login: ilya@example.com / password123
  (LiveKit on ws://localhost:7880; Ctrl-C stops everything)

EOF
    (
        cd "$REPO"
        export APP_ENV="${APP_ENV:-development}"
        # Port 8080 is also where .dev/livekit.yaml sends the webhooks.
        export HOST=127.0.0.1 PORT=8080
        export LIVEKIT_URL="${LIVEKIT_URL:-ws://localhost:7880}"
        export LIVEKIT_API_URL="${LIVEKIT_API_URL:-http://127.0.0.1:7880}"
        export LIVEKIT_API_KEY="${LIVEKIT_API_KEY:-devkey}" LIVEKIT_API_SECRET="${LIVEKIT_API_SECRET:-secret}"
        export PUBLIC_URL="${PUBLIC_URL:-http://localhost:8080}"
        # Brings conference.db to the newest schema (creates it the first time).
        "$VENV/bin/conference" migrate
        exec "$VENV/bin/conference" serve
    ) &
    pids+=($!)
    # Whichever stops first (Ctrl-C, or a crash) takes the other one down.
    local code=0
    wait -n "${pids[@]}" || code=$?
    return "$code"
}

case "${1:-run}" in
    run) run ;;
    setup) setup "${2:-}" ;;
    -h | --help | help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (try: run, setup)" ;;
esac
