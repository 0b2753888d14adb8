"""Media-token throughput: POST /api/v1/rooms/{id}/media/token on one app process vs a Node.js peer.

Starts a real livekit-server (joining goes through its RoomService), one `conference serve`
process per target (SQLite; with --uvloop a second process on uvloop over the same SQLite file;
PostgreSQL), registers N users per database and has them join one room, and loads the
endpoint with wrk on loopback (LiveKit stays up: the app makes sure the LiveKit room exists before
it hands out a token), rotating over the members' access tokens. The same path and tokens go to
bench/node-peer/server.js (jsonwebtoken + livekit-server-sdk). Targets are measured in interleaved
rounds; it prints rps of 2xx answers, p50/p99 latency, errors, server CPU per request and the
app/peer ratios against the goals (2xx rps >= 0.5x, p99 <= 2x the peer's). The app's per-user token
limit is raised for the bench's users (TOKEN_RATE_PER_MINUTE); any answer that is not 2xx fails the
run (exit 1).

    .venv/bin/python bench/token_bench.py [--users 100] [--connections 64]
        [--warmup 10] [--duration 20] [--rounds 4] [--no-postgres] [--uvloop] [--profile FILE] [--repo PATH]

Needs wrk (apt-get install -y wrk), node (+ npm, for `npm ci` in bench/node-peer), livekit-server
and, for the PostgreSQL row, the PostgreSQL binaries that tests/servers.py finds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import jwt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.servers import (  # noqa: E402
    ServerError,
    _Process,
    free_port,
    postgres_bin_dir,  # noqa: E402
    start_livekit,
    start_postgres,
)

BENCH = REPO / "bench"
PEER_DIR = BENCH / "node-peer"
WRK_SCRIPT = BENCH / "wrk_tokens.lua"
JWT_SECRET = "token-bench-jwt-secret-0123456789abcdef"  # shared by the app and the peer
PASSWORD = "bench-password-1"
REGISTER_PER_ADDRESS = 15  # the app allows 20 registrations a minute per client address
# The app's per-user token limit (600 a minute) would answer 429 to the bench's own users; it is
# raised for them through the setting, and the bench counts only 2xx answers (it fails otherwise).
TOKEN_RATE_PER_MINUTE = 1_000_000_000
PEER_LIMITS = (
    "the peer has no database: no session-revocation check, no room lookup, no membership/role "
    "lookup (role is always participant), name = login = user id; no rate limit, no metrics"
)


class Server(_Process):
    """A benchmarked HTTP server (the app or the peer) with its log in the run's temp dir."""

    def __init__(self, name: str, argv: list[str], log_path: Path, port: int, **kw):
        self.name, self.port = name, port
        super().__init__(argv, log_path, **kw)
        self.wait_until(lambda: _http_ok(port), 60, f"answering on port {port}")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _http_ok(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
    except urllib.error.HTTPError:  # the peer has no /healthz; a 404 still means it is up
        pass
    return True


def start_app(
    tmp: Path,
    label: str,
    database_url: str,
    livekit_url: str,
    *,
    uvloop: bool = False,
    profile: str | None = None,
    repo: Path = REPO,
) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "LIVEKIT_URL": livekit_url,
        "JWT_SECRET": JWT_SECRET,
        "TOKEN_RATE_PER_MINUTE": str(TOKEN_RATE_PER_MINUTE),
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }
    if uvloop:
        argv = [
            sys.executable,
            "-c",
            "import asyncio, sys, uvloop; "
            "asyncio.set_event_loop_policy(uvloop.EventLoopPolicy()); "
            "from conference.__main__ import main; sys.exit(main(['serve']))",
        ]
    elif profile:
        argv = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", profile, "-m", "conference", "serve"]
    else:
        argv = [sys.executable, "-m", "conference", "serve"]
    return Server(label, argv, tmp / f"{label.replace(' ', '-')}.log", port, cwd=repo, env=env)


def start_peer(tmp: Path, livekit_url: str) -> Server:
    if not (PEER_DIR / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "JWT_SECRET": JWT_SECRET, "LIVEKIT_URL": livekit_url}
    return Server("node peer", ["node", "server.js"], tmp / "node-peer.log", port, cwd=PEER_DIR, env=env)


# ------------------------------------------------------------------------------ setup through the API


async def populate(port: int, users: int) -> tuple[str, list[str]]:
    """Registers `users` people, one creates a room, all join it; returns the room id and tokens."""
    base = f"http://127.0.0.1:{port}/api/v1"
    # Registration is rate limited per client address: spread it over 127.0.0.2, .3, … (all loopback).
    sessions = [
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(f"127.0.0.{2 + i}", 0)))
        for i in range(math.ceil(users / REGISTER_PER_ADDRESS))
    ]
    gate = asyncio.Semaphore(4)  # bcrypt (cost 12) runs on the app's 2 cores anyway

    async def call(session, method, path, token=None, body=None, expect=(200,)):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with gate, session.request(method, base + path, json=body, headers=headers) as response:
            payload = await response.json()
            if response.status not in expect:
                raise RuntimeError(f"{method} {path} -> {response.status}: {payload}")
            return payload

    try:
        stamp = int(time.time())
        registered = await asyncio.gather(
            *(
                call(
                    sessions[i // REGISTER_PER_ADDRESS],
                    "POST",
                    "/auth/register",
                    expect=(201,),
                    body={"login": f"bench{stamp}-{i}", "password": PASSWORD, "display_name": f"Bench {i}"},
                )
                for i in range(users)
            )
        )
        tokens = [pair["access_token"] for pair in registered]
        room = await call(
            sessions[0], "POST", "/rooms", tokens[0], {"name": "token bench", "max_participants": 100}, (201,)
        )
        await asyncio.gather(
            *(
                call(sessions[i // REGISTER_PER_ADDRESS], "POST", f"/rooms/{room['id']}/join", token)
                for i, token in enumerate(tokens)
            )
        )
        return room["id"], tokens
    finally:
        for session in sessions:
            await session.close()


def media_token_once(port: int, room_id: str, token: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/rooms/{room_id}/media/token",
        method="POST",
        data=b"",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def grants_of(answer: dict) -> dict:
    """The video grants, with false flags dropped: livekit-api writes `roomAdmin: false`, the
    Node SDK leaves it out, and LiveKit reads both alike."""
    video = jwt.decode(answer["token"], options={"verify_signature": False})["video"]
    return {name: value for name, value in video.items() if value is not False}


# ------------------------------------------------------------------------------ load


@dataclass
class Result:
    target: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu_cores: float
    cpu_pressure: float  # % of the time some task waited for a CPU (/proc/pressure/cpu), i.e. noise
    error_kinds: dict[str, int]

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_cores / self.rps if self.rps else float("nan")


def write_token_file(tmp: Path, room_id: str, tokens: list[str]) -> Path:
    path = tmp / f"tokens-{room_id}.txt"
    path.write_text("".join(f"/api/v1/rooms/{room_id}/media/token {token}\n" for token in tokens))
    return path


def wrk(port: int, token_file: Path, connections: int, seconds: int) -> dict:
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        str(token_file),
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_RESULT "))
    return json.loads(line[len("BENCH_RESULT ") :])


@dataclass
class Window:
    """One measured wrk run against one server."""

    requests: int
    seconds: float
    p50_us: int
    p99_us: int
    errors: int  # non-2xx answers (wrk counts status > 399; the endpoint never redirects) and socket errors
    cpu_s: float
    stall_share: float  # of the wall time, some task waited for a CPU
    error_kinds: dict[str, int]


def measure(server: Server, token_file: Path, connections: int, seconds: int) -> Window:
    cpu_before, stall_before, started = server.cpu_seconds(), _cpu_stall_us(), time.monotonic()
    stats = wrk(server.port, token_file, connections, seconds)
    elapsed = time.monotonic() - started
    kinds = {kind: stats[kind] for kind in ("status", "connect", "read", "write", "timeout") if stats[kind]}
    return Window(
        stats["requests"],
        stats["duration_us"] / 1e6,
        stats["p50_us"],
        stats["p99_us"],
        sum(kinds.values()),
        (server.cpu_seconds() - cpu_before) * stats["duration_us"] / 1e6 / elapsed,
        (_cpu_stall_us() - stall_before) / 1e6 / elapsed,
        kinds,
    )


def run_load(targets: list[tuple[Server, Path]], args) -> list[Result]:
    """Warms every target up, then measures them in `args.rounds` interleaved rounds (the order
    rotating), so a burst of other work on a shared machine hits every target alike."""
    for server, token_file in targets:
        print(f"  {server.name}: {args.warmup}s warmup", flush=True)
        wrk(server.port, token_file, args.connections, args.warmup)
    seconds = max(1, args.duration // args.rounds)
    windows: dict[str, list[Window]] = {server.name: [] for server, _ in targets}
    for round_no in range(args.rounds):
        shift = round_no % len(targets)
        print(
            f"  round {round_no + 1}/{args.rounds}: {seconds}s per target, {args.connections} connections", flush=True
        )
        for server, token_file in targets[shift:] + targets[:shift]:
            windows[server.name].append(measure(server, token_file, args.connections, seconds))
    return [summarize(name, runs) for name, runs in windows.items()]


def summarize(target: str, runs: list[Window]) -> Result:
    seconds = sum(run.seconds for run in runs)
    requests = sum(run.requests for run in runs)
    return Result(
        target,
        (requests - sum(run.errors for run in runs)) / seconds,  # only 2xx answers count
        statistics.median(run.p50_us for run in runs) / 1000,
        statistics.median(run.p99_us for run in runs) / 1000,
        sum(run.errors for run in runs),
        requests,
        sum(run.cpu_s for run in runs) / seconds,
        100 * sum(run.stall_share * run.seconds for run in runs) / seconds,
        {kind: sum(run.error_kinds.get(kind, 0) for run in runs) for kind in {k for r in runs for k in r.error_kinds}},
    )


def _cpu_stall_us() -> int:
    """Microseconds some runnable task waited for a CPU since boot: other work on the machine shows here."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return 0
    return int(first.rsplit("total=", 1)[1])


def prepare_app(tmp: Path, label: str, database_url: str, livekit, args, **kw) -> tuple[Server, Path]:
    """A running app with `args.users` members in one room, and the wrk file of their tokens."""
    print(f"{label}: starting, registering {args.users} users, joining them to one room", flush=True)
    from conference.migrations import migrate

    asyncio.run(migrate(database_url))  # the schema first: the app refuses a database behind head
    app = start_app(tmp, label, database_url, livekit.ws_url, repo=args.repo.resolve(), **kw)
    try:
        room_id, tokens = asyncio.run(populate(app.port, args.users))
    except BaseException:
        app.stop()
        raise
    return app, write_token_file(tmp, room_id, tokens)


def first_member(token_file: Path) -> tuple[str, str]:
    path, token = token_file.read_text().splitlines()[1].split()
    return path.split("/")[4], token


def print_report(results: list[Result], peer: Result, grants_match: bool, args) -> None:
    print()
    print(
        f"{args.rounds} interleaved rounds of {max(1, args.duration // args.rounds)}s per target after "
        f"{args.warmup}s warmup, {args.connections} connections, {args.users} members; p50/p99 are the "
        "median over rounds"
    )
    print(
        f"{'target':<26} {'2xx rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'requests':>8} "
        f"{'cpu cores':>9} {'cpu ms/req':>10} {'cpu stall':>9}"
    )
    for r in [*results, peer]:
        print(
            f"{r.target:<26} {r.rps:>8.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7} {r.requests:>8}"
            f" {r.cpu_cores:>9.2f} {r.cpu_ms_per_request:>10.3f} {r.cpu_pressure:>8.0f}%"
        )
    print()
    for r in results:
        rps_ratio, p99_ratio = r.rps / peer.rps, r.p99_ms / peer.p99_ms
        print(
            f"{r.target}: 2xx rps app/peer = {rps_ratio:.3f} "
            f"(goal >= 0.5: {'met' if rps_ratio >= 0.5 else 'NOT met'}); "
            f"p99 app/peer = {p99_ratio:.2f} (goal <= 2: {'met' if p99_ratio <= 2 else 'NOT met'}); "
            f"cpu per request app/peer = {r.cpu_ms_per_request / peer.cpu_ms_per_request:.2f}"
        )
    print()
    print(f"peer token grants equal the app's participant grants: {'yes' if grants_match else 'NO'}")
    print(f"note: {PEER_LIMITS}")
    print(
        "note: load generator wrk (1 thread, closed loop) on the same 2 cores; 'cpu cores' is the server "
        "process's CPU time / wall time (node's WebCrypto signing runs on libuv worker threads); 'cpu stall' "
        "is /proc/pressure/cpu 'some' over the window: well above 0 means other work shared the cores"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--users", type=int, default=100, help="members to rotate over (each may mint 600 tokens a minute)"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--duration", type=int, default=20, help="measured seconds per target, all rounds")
    parser.add_argument("--rounds", type=int, default=4, help="interleave targets in this many rounds")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL row")
    parser.add_argument("--uvloop", action="store_true", help="add a SQLite row with the app under uvloop")
    parser.add_argument("--profile", metavar="FILE", help="run the SQLite app under pyinstrument, text to FILE")
    parser.add_argument("--repo", type=Path, default=REPO, help="serve this checkout's conference/ (before/after)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("token_bench: wrk not found; apt-get install -y wrk", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="token-bench-"))
    livekit = start_livekit(tmp / "livekit")
    postgres, servers = None, []
    try:
        # Setup for every target first (joining goes through LiveKit's RoomService) ...
        sqlite_url = f"sqlite+aiosqlite:///{tmp / 'sqlite.db'}"
        apps = [prepare_app(tmp, "app sqlite", sqlite_url, livekit, args, profile=args.profile)]
        servers.append(apps[0][0])
        if args.uvloop:  # a second process on the same SQLite file serves the same members' tokens
            uvloop_app = start_app(tmp, "app sqlite uvloop", sqlite_url, livekit.ws_url, uvloop=True, repo=args.repo)
            servers.append(uvloop_app)
            apps.append((uvloop_app, apps[0][1]))
        if not args.no_postgres:
            try:
                postgres_bin_dir()
                postgres = start_postgres(tmp / "postgres")
            except ServerError as error:
                print(f"PostgreSQL row skipped: {error}", file=sys.stderr)
            if postgres is not None:
                apps.append(prepare_app(tmp, "app postgres", postgres.url, livekit, args))
                servers.append(apps[-1][0])
        # LiveKit stays up: the app makes sure the room exists before a media token (LiveKit creates
        # none by itself), asking CreateRoom again once its last answer is a few seconds old
        # (conference/rooms/occupancy.py), so those round trips are part of what is measured.
        print("node peer: starting", flush=True)
        peer = start_peer(tmp, livekit.ws_url)
        servers.append(peer)
        sample = media_token_once(apps[0][0].port, *first_member(apps[0][1]))
        peer_sample = media_token_once(peer.port, *first_member(apps[0][1]))
        # The peer only checks the JWT: the first app's tokens do.
        *results, peer_result = run_load([*apps, (peer, apps[0][1])], args)
        for app, _ in apps:
            app.stop()  # also writes the pyinstrument profile when there is one
        print_report(results, peer_result, grants_of(sample) == grants_of(peer_sample), args)
        failed = [r for r in [*results, peer_result] if r.errors]
        for r in failed:
            print(f"FAILED: {r.target} had {r.errors} answers that were not 2xx or errors: {r.error_kinds}")
        return 1 if failed else 0
    finally:
        for server in servers:
            server.stop()
        if postgres is not None:
            postgres.stop()
        livekit.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
