"""LiveKit webhook ingestion: signed events into POST /api/v1/livekit/webhook on one app process.

Starts a real livekit-server (the app is configured against it, as in production; the events are
posted by the bench, not by LiveKit, so the rate is not bounded by real calls) and one
`conference serve` process per database (SQLite, PostgreSQL). Registers a few members and creates
rooms through the API, then builds calls in those rooms as LiveKit reports them: room_started,
participant_joined, track_published (audio and video), participant_left, room_finished, each a
protobuf-JSON body signed the way livekit-server signs it (livekit-api's AccessToken with
`with_sha256` of the body, the app's API key and secret). The calls of a batch are interleaved
stage by stage, so one call's events arrive in order while many calls are in flight.

Pass 1 posts every event once at the maximum rate over N concurrent connections (closed loop); pass
2 posts the same bodies again (a redelivery of every event id). Prints events/s counting 2xx
answers only, p50/p99 latency, the app's CPU ms per event, how many answers said applied, and the
database after each pass (events recorded, call sessions, attendance stretches): the second pass
must leave it unchanged. Any non-2xx answer fails the run (exit 1).

    .venv/bin/python bench/livekit_webhook_bench.py [--events 5000] [--connections 32]
        [--rooms 40] [--participants 4] [--no-postgres] [--profile-seconds S] [--repo PATH]

--profile-seconds S records the SQLite app with py-spy (pip install py-spy) for S seconds of pass 1
and prints the top of its profile.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from google.protobuf.json_format import MessageToJson
from livekit import api as lkapi
from livekit.protocol.models import ParticipantInfo, Room, TrackInfo, TrackSource, TrackType
from livekit.protocol.webhook import WebhookEvent
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from token_bench import REGISTER_PER_ADDRESS, Server, _cpu_stall_us, start_app  # noqa: E402

from tests.servers import (  # noqa: E402
    LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET,
    ServerError,
    postgres_bin_dir,
    start_livekit,
    start_postgres,
)

PATH = "/api/v1/livekit/webhook"
PASSWORD = "bench-password-1"
GOAL_EVENTS_PER_S = 2000
BATCH_CALLS = 64  # calls interleaved stage by stage: one call's events are >= this many posts apart
PROFILE_OUT = Path(tempfile.gettempdir()) / "livekit-webhook-bench.pyspy.txt"  # kept after the run


@dataclass(frozen=True)
class Signed:
    body: bytes
    authorization: str


def sign(event: WebhookEvent) -> Signed:
    """The body and Authorization header livekit-server would send (JWT over the body's SHA-256)."""
    body = MessageToJson(event)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    token = lkapi.AccessToken(LIVEKIT_API_KEY, LIVEKIT_API_SECRET).with_sha256(digest).to_jwt()
    return Signed(body.encode(), token)


def call_events(room_id: str, people: list[tuple[str, str]], at: int) -> list[list[WebhookEvent]]:
    """One call's events by stage: started, joins, tracks published, leaves, finished."""
    sid = "RM_" + uuid.uuid4().hex[:12]
    room = Room(name=room_id, sid=sid, creation_time=at)

    def event(kind: str, **kw) -> WebhookEvent:
        return WebhookEvent(event=kind, id="EV_" + uuid.uuid4().hex, created_at=at, room=room, **kw)

    participants = [ParticipantInfo(identity=uid, name=name, sid="PA_" + uuid.uuid4().hex[:12]) for uid, name in people]
    tracks = [
        (p, TrackInfo(sid="TR_" + uuid.uuid4().hex[:12], type=kind, source=source))
        for p in participants
        for kind, source in ((TrackType.AUDIO, TrackSource.MICROPHONE), (TrackType.VIDEO, TrackSource.CAMERA))
    ]
    return [
        [event("room_started")],
        [event("participant_joined", participant=p) for p in participants],
        [event("track_published", participant=p, track=t) for p, t in tracks],
        [event("participant_left", participant=p) for p in participants],
        [event("room_finished")],
    ]


def build_events(rooms: list[str], members: list[tuple[str, str]], total: int, per_call: int) -> list[Signed]:
    """About `total` signed events: calls in the given rooms, interleaved stage by stage in batches."""
    events_per_call = 2 + 4 * per_call
    calls = max(1, math.ceil(total / events_per_call))
    at = int(time.time()) - 3600  # stamped in the past: the app keeps the stamps (late delivery)
    ordered: list[WebhookEvent] = []
    for first in range(0, calls, BATCH_CALLS):
        batch = [
            call_events(
                rooms[n % len(rooms)],
                [members[(n + k) % len(members)] for k in range(per_call)],
                at + n,
            )
            for n in range(first, min(calls, first + BATCH_CALLS))
        ]
        for stage in range(5):
            for call in batch:
                ordered.extend(call[stage])
    return [sign(event) for event in ordered]


# ------------------------------------------------------------------------------ setup through the API


async def populate(port: int, users: int, rooms: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Registers members, the first creates `rooms` rooms; returns room ids and (user id, name)."""
    base = f"http://127.0.0.1:{port}/api/v1"
    sessions = [
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(f"127.0.0.{2 + i}", 0)))
        for i in range(math.ceil(users / REGISTER_PER_ADDRESS))
    ]

    async def call(session, path: str, body: dict, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with session.post(base + path, json=body, headers=headers) as response:
            payload = await response.json()
            if response.status != 201:
                raise RuntimeError(f"POST {path} -> {response.status}: {payload}")
            return payload

    try:
        stamp = int(time.time())
        members = []
        for i in range(users):
            name = f"Bench {i}"
            pair = await call(
                sessions[i // REGISTER_PER_ADDRESS],
                "/auth/register",
                {"login": f"lkw{stamp}-{i}", "password": PASSWORD, "display_name": name},
            )
            members.append((pair["user"]["id"], name, pair["access_token"]))
        room_ids = [
            (await call(sessions[0], "/rooms", {"name": f"webhook bench {n}"}, members[0][2]))["id"]
            for n in range(rooms)
        ]
        return room_ids, [(uid, name) for uid, name, _ in members]
    finally:
        for session in sessions:
            await session.close()


# ------------------------------------------------------------------------------ load


@dataclass
class Pass:
    label: str
    posted: int
    accepted: int  # 2xx answers
    applied: int  # answers saying the event was applied (not seen before)
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_s: float
    stall_pct: float
    failures: dict[str, int]

    @property
    def events_per_s(self) -> float:
        return self.accepted / self.seconds

    @property
    def cpu_ms_per_event(self) -> float:
        return 1000 * self.cpu_s / self.accepted if self.accepted else float("nan")


async def post_all(port: int, events: list[Signed], connections: int) -> tuple[list[float], int, int, dict[str, int]]:
    """Posts every event once over `connections` keep-alive connections, as fast as answered."""
    url = f"http://127.0.0.1:{port}{PATH}"
    latencies: list[float] = []
    accepted = applied = 0
    failures: dict[str, int] = {}
    next_index = 0
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal next_index, accepted, applied
            while next_index < len(events):
                signed = events[next_index]
                next_index += 1
                headers = {"Authorization": signed.authorization, "Content-Type": "application/webhook+json"}
                started = time.perf_counter()
                try:
                    async with session.post(url, data=signed.body, headers=headers) as response:
                        payload = await response.read()
                        latencies.append(time.perf_counter() - started)
                        if 200 <= response.status < 300:
                            accepted += 1
                            applied += b'"applied":true' in payload.replace(b" ", b"")
                        else:
                            key = f"status {response.status}"
                            failures[key] = failures.get(key, 0) + 1
                except aiohttp.ClientError as error:
                    failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1

        await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, accepted, applied, failures


def run_pass(label: str, app: Server, events: list[Signed], connections: int) -> Pass:
    cpu_before, stall_before, started = app.cpu_seconds(), _cpu_stall_us(), time.monotonic()
    latencies, accepted, applied, failures = asyncio.run(post_all(app.port, events, connections))
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Pass(
        label,
        len(events),
        accepted,
        applied,
        elapsed,
        1000 * quantiles[49],
        1000 * quantiles[98],
        app.cpu_seconds() - cpu_before,
        100 * (_cpu_stall_us() - stall_before) / 1e6 / elapsed,
        failures,
    )


async def database_state(url: str, room_ids: list[str]) -> dict[str, int]:
    """What the events left behind: recorded event ids, sessions, attendance (the bench's rooms only)."""
    from conference.calls.models import CallParticipant, CallSession, ProcessedWebhook

    engine = create_async_engine(url)
    try:
        async with engine.connect() as db:
            in_rooms = CallSession.room_id.in_(room_ids)
            stretch = select(func.count()).select_from(CallParticipant).join(CallSession)
            return {
                "event ids": await db.scalar(select(func.count()).select_from(ProcessedWebhook)) or 0,
                "sessions": await db.scalar(select(func.count()).select_from(CallSession).where(in_rooms)) or 0,
                "sessions ended": await db.scalar(
                    select(func.count()).select_from(CallSession).where(in_rooms, CallSession.ended_at.is_not(None))
                )
                or 0,
                "stretches": await db.scalar(stretch.where(in_rooms)) or 0,
                "stretches open": await db.scalar(stretch.where(in_rooms, CallParticipant.left_at.is_(None))) or 0,
            }
    finally:
        await engine.dispose()


def profile(app: Server, seconds: int, out: Path) -> subprocess.Popen[bytes] | None:
    if shutil.which("py-spy") is None and not (Path(sys.executable).parent / "py-spy").exists():
        print("  py-spy not found (pip install py-spy): no profile", flush=True)
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    argv = [spy, "record", "-p", str(app.pid), "-d", str(seconds), "-f", "raw", "-o", str(out), "--gil"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_profile(raw: Path, top: int = 25) -> None:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = [
            frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
            for frame in stack.split(";")
        ]
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    print(f"\nprofile of the SQLite app ({total} samples): inclusive share, top {top}")
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * count / total:5.1f}%  {frame}")
    print("self share, top 15")
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {100 * count / total:5.1f}%  {frame}")


def bench_target(tmp: Path, label: str, database_url: str, livekit, args) -> tuple[list[Pass], list[dict[str, int]]]:
    print(f"{label}: starting, registering {args.users} members, creating {args.rooms} rooms", flush=True)
    from conference.migrations import migrate

    asyncio.run(migrate(database_url))
    app = start_app(tmp, label, database_url, livekit.ws_url, repo=args.repo.resolve())
    try:
        room_ids, members = asyncio.run(populate(app.port, args.users, args.rooms))
        warmup = build_events(room_ids, members, args.events // 10, args.participants)
        events = build_events(room_ids, members, args.events, args.participants)
        print(f"  warmup: {len(warmup)} events", flush=True)
        run_pass("warmup", app, warmup, args.connections)
        states = [asyncio.run(database_state(database_url, room_ids))]
        spy = None
        if args.profile_seconds and label.endswith("sqlite"):
            spy = profile(app, args.profile_seconds, PROFILE_OUT)
        passes = []
        for name in ("pass 1 (new ids)", "pass 2 (same ids again)"):
            print(f"  {name}: {len(events)} events, {args.connections} connections", flush=True)
            passes.append(run_pass(name, app, events, args.connections))
            states.append(asyncio.run(database_state(database_url, room_ids)))
        if spy is not None:
            spy.wait()
            print_profile(PROFILE_OUT)
        return passes, states
    finally:
        app.stop()


def print_target(label: str, passes: list[Pass], states: list[dict[str, int]], events_per_call: int) -> bool:
    print(f"\n{label}")
    print(
        f"  {'pass':<24} {'events':>7} {'2xx':>7} {'applied':>7} {'events/s':>9} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'cpu ms/event':>12} {'cpu stall':>9}"
    )
    for p in passes:
        print(
            f"  {p.label:<24} {p.posted:>7} {p.accepted:>7} {p.applied:>7} {p.events_per_s:>9.0f}"
            f" {p.p50_ms:>7.1f} {p.p99_ms:>7.1f} {p.cpu_ms_per_event:>12.3f} {p.stall_pct:>8.0f}%"
        )
    before, after_first, after_second = states
    delta = {key: after_first[key] - before[key] for key in before}
    calls = passes[0].posted // events_per_call
    print(f"  database after pass 1 (change): {delta}  ({calls} calls of {events_per_call} events)")
    print(f"  database after pass 2: {'unchanged' if after_second == after_first else after_second}")
    ok = True
    for p in passes:
        if p.failures:
            print(f"  FAILED: {p.label} had answers that were not 2xx: {p.failures}")
            ok = False
    expected = {"event ids": passes[0].posted, "sessions": calls, "sessions ended": calls}
    if any(delta[key] != value for key, value in expected.items()):
        print(f"  FAILED: pass 1 should add {expected}")
        ok = False
    if delta["stretches open"]:  # a left applied before its join committed (concurrent delivery)
        print(f"  note: {delta['stretches open']} attendance stretches left open by out-of-order join/leave")
    if passes[0].applied != passes[0].posted or passes[1].applied != 0 or after_second != after_first:
        print("  FAILED: every event must be applied once in pass 1 and never in pass 2")
        ok = False
    goal = passes[0].events_per_s >= GOAL_EVENTS_PER_S
    print(f"  goal >= {GOAL_EVENTS_PER_S} events/s (pass 1): {'met' if goal else 'NOT met'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events per pass (rounded to whole calls)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--participants", type=int, default=4, help="participants per call")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--profile-seconds", type=int, default=0, help="py-spy the SQLite app during pass 1")
    parser.add_argument("--repo", type=Path, default=REPO, help="serve this checkout's conference/ (before/after)")
    args = parser.parse_args()
    events_per_call = 2 + 4 * args.participants
    args.events = math.ceil(args.events / events_per_call) * events_per_call

    tmp = Path(tempfile.mkdtemp(prefix="livekit-webhook-bench-"))
    livekit = start_livekit(tmp / "livekit")
    postgres = None
    ok = True
    try:
        targets = [("app sqlite", f"sqlite+aiosqlite:///{tmp / 'sqlite.db'}")]
        if not args.no_postgres:
            try:
                postgres_bin_dir()
                postgres = start_postgres(tmp / "postgres")
                targets.append(("app postgres", postgres.url))
            except ServerError as error:
                print(f"PostgreSQL row skipped: {error}", file=sys.stderr)
        results = [(label, *bench_target(tmp, label, url, livekit, args)) for label, url in targets]
        print(
            f"\n{args.events} events a pass ({args.participants} participants a call: started, joined, "
            f"2 tracks each, left, finished), {args.connections} connections, closed loop, one app process"
        )
        for label, passes, states in results:
            ok = print_target(label, passes, states, events_per_call) and ok
        print(
            "\nnote: the load generator (aiohttp, one process) shares the 2 cores; 'cpu ms/event' is the app "
            "process's CPU time / 2xx answers; 'cpu stall' is /proc/pressure/cpu 'some' over the window"
        )
        return 0 if ok else 1
    finally:
        if postgres is not None:
            postgres.stop()
        livekit.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
