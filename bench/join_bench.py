"""Join latency under load: POST /rooms/{id}/join -> LiveKit connected -> first remote video frame.

Starts a real livekit-server (webhooks to the app) and one `conference serve` process (SQLite, or
PostgreSQL with --postgres), seeds signed-in users and 10 rooms (plus 10 twins for the floor)
straight into the database (registration is bcrypt- and rate-limited, and not what is
measured), and has each room's host publish a 320x240 video through a `livekit` rtc bot. Then
the burst: 100 joins spread evenly over 10 s across the rooms. A sample of them are rtc bots
that time POST /join -> connected -> first decoded frame of the host's video; the rest are
token-only clients (POST /join and nothing more). Interleaved in the same burst, as many
"floor" bots connect to the twin rooms straight through LiveKit with tokens minted in-process
(conference.livekit, same grants) and time connect -> first frame: what joining costs without
the app. Bots run in a child process so the token-only clients' clock is not held up by video
decoding.

    .venv/bin/python bench/join_bench.py [--joins 100] [--rooms 10] [--window 10] [--bots 20] [--postgres]
        [--repo PATH]

Goals (issue 15): join endpoint p95 <= 50 ms during the burst; join-to-first-frame p95 of the
app's bots <= 1.1x the floor's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.servers import LIVEKIT_API_KEY, LIVEKIT_API_SECRET, _Process, free_port, start_livekit  # noqa: E402

JWT_SECRET = "join-bench-jwt-secret-0123456789abcdef"


class App(_Process):
    name = "conference serve"

    def __init__(self, log_path: Path, port: int, database_url: str, livekit, repo: Path = REPO) -> None:
        self.port = port
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DATABASE_URL": database_url,
            "LIVEKIT_URL": livekit.ws_url,
            "LIVEKIT_API_URL": livekit.http_url,
            "JWT_SECRET": JWT_SECRET,
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
        }
        super().__init__([sys.executable, "-m", "conference", "serve"], log_path, cwd=repo, env=env)
        self.wait_until(self._up, 60, f"answering on port {port}")

    def _up(self) -> bool:
        import urllib.request

        with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
            return response.status == 200

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def seed(database_url: str, rooms: int, people: int) -> tuple[list[dict], list[dict]]:
    """`rooms` rooms, each with its host, and `people` more signed-in users who are nobody's members."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from conference.accounts.models import LoginSession, RefreshToken, User
    from conference.accounts.tokens import hash_secret, issue_access_token, new_refresh_token
    from conference.db import create_engine, utcnow
    from conference.rooms.codes import new_room_code
    from conference.rooms.models import Room, RoomMember

    engine = create_engine(database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    stamp = uuid.uuid4().hex[:6]
    users = [
        User(login=f"join{stamp}-{n}", display_name=f"Joiner {n}", password_hash="!") for n in range(rooms + people)
    ]
    async with sessions() as db:
        db.add_all(users)
        await db.flush()
        logins = [LoginSession(user_id=user.id) for user in users]
        made = [Room(id=new_room_code(), name=f"join bench {n}", host_id=users[n].id) for n in range(rooms)]
        db.add_all([*logins, *made])
        await db.flush()
        # A usable refresh token each, or the retention sweep deletes the sign-in a minute in.
        expires = utcnow() + timedelta(days=1)
        db.add_all(
            RefreshToken(token_hash=hash_secret(new_refresh_token()), session_id=login.id, expires_at=expires)
            for login in logins
        )
        db.add_all(RoomMember(room_id=room.id, user_id=room.host_id, role="host", state="joined") for room in made)
        await db.commit()
    await engine.dispose()
    people_out = [
        {"id": user.id, "token": issue_access_token(JWT_SECRET, user.id, login.id, 3600)}
        for user, login in zip(users, logins, strict=True)
    ]
    return [{"id": room.id, "host": room.host_id} for room in made], people_out[rooms:]


# ---------------------------------------------------------------------------------- the bots' process


async def bots_worker(spec: dict) -> dict:
    """Publishers first (then READY), then the scheduled app and floor bots; results as JSON."""
    from conference.livekit import LiveKit
    from conference.settings import Settings
    from tests.bots import Bot

    rtc_logger = __import__("logging").getLogger("livekit")
    rtc_logger.setLevel("ERROR")
    minter = LiveKit(Settings(livekit_api_key=LIVEKIT_API_KEY, livekit_api_secret=LIVEKIT_API_SECRET))
    url = spec["livekit_url"]

    def mint(room: str, identity: str, role: str) -> str:
        return minter.mint_token(room=room, identity=identity, name=identity, role=role, metadata={}).token

    # LiveKit creates no room by itself (auto_create: false, as in livekit.yaml): the hosts' and the
    # floor bots' rooms are made first, as the app makes a room before it mints a token for it.
    from livekit import api

    async with api.LiveKitAPI(url.replace("ws://", "http://", 1), LIVEKIT_API_KEY, LIVEKIT_API_SECRET) as service:
        for room in spec["rooms"]:
            await service.room.create_room(api.CreateRoomRequest(name=room["id"], empty_timeout=300))
    publishers, pumps = [], []
    for room in spec["rooms"]:
        bot = Bot(f"host-{room['id']}")
        await bot.connect(url, mint(room["id"], room["host"], "host"))
        pumps.append(await publish_light_video(bot.room))
        publishers.append(bot)
    print("READY", flush=True)
    start = float(sys.stdin.readline())
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
    made: list[Bot] = []

    async def one(job: dict) -> dict:
        await asyncio.sleep(max(0.0, start + job["at"] - time.time()))
        began = time.perf_counter()
        result: dict = {"kind": job["kind"], "room": job["room"]}
        try:
            if job["kind"] == "app":
                async with http.post(
                    f"{spec['app']}/api/v1/rooms/{job['room']}/join",
                    headers={"Authorization": f"Bearer {job['token']}"},
                ) as response:
                    answer = await response.json()
                    if response.status != 200:
                        raise RuntimeError(f"join answered {response.status}: {answer}")
                result["post_ms"] = (time.perf_counter() - began) * 1000
                token = answer["token"]
            else:
                token = mint(job["room"], job["identity"], "participant")
            bot = Bot(job["kind"])
            made.append(bot)
            await bot.connect(url, token)
            result["connected_ms"] = (time.perf_counter() - began) * 1000
            await bot.video_frames_from(job["host"], 1, timeout=30)
            result["frame_ms"] = (time.perf_counter() - began) * 1000
            await bot.close()  # measured; decoding on would only take CPU from the others
        except Exception as error:  # reported, and the run fails
            result["error"] = f"{type(error).__name__}: {error}"
        return result

    results = await asyncio.gather(*(one(job) for job in spec["jobs"]))
    await http.close()
    for pump in pumps:
        pump.cancel()
    await asyncio.gather(*(bot.close() for bot in [*made, *publishers]))
    return {"bots": results}


async def publish_light_video(room) -> asyncio.Task:
    """A host's camera as cheap as a real one can be: 160x120 at 15 fps, one layer, frames made
    once. Twenty of tests/bots.py's 320x240 simulcast publishers took more than a core."""
    from livekit import rtc

    width, height = 160, 120
    source = rtc.VideoSource(width, height)
    options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=False)
    await room.local_participant.publish_track(rtc.LocalVideoTrack.create_video_track("camera", source), options)
    pixels = width * height
    frames = [
        rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, bytes([shade, 255 - shade, 128, 255]) * pixels)
        for shade in range(0, 256, 32)
    ]

    async def pump() -> None:
        n = 0
        while True:
            source.capture_frame(frames[n % len(frames)])
            n += 1
            await asyncio.sleep(1 / 15)

    return asyncio.create_task(pump())


# ---------------------------------------------------------------------------------- the orchestrator


@dataclass
class Plan:
    at: float
    room: dict
    person: dict
    kind: str  # "app" bot, "floor" bot or "token" (token-only client)


def plan(rooms: list[dict], floor_rooms: list[dict], people: list[dict], joins: int, bots: int, window: float):
    """`joins` joins through the app evenly over `window`, every (joins/bots)-th of them a bot, the
    bots spread over the rooms in turn, the token-only clients too. Floor bot k enters floor room
    k (a twin of app room k with its own publisher) half a slot after app bot k, so each floor
    room sees the same arrivals as its twin, keyframe requests and all."""
    every = max(1, joins // bots) if bots else joins + 1
    slot = window / joins
    plans: list[Plan] = []
    for n in range(joins):
        bot = n // every if n % every == 0 and n // every < bots else None
        if bot is None:
            plans.append(Plan(n * slot, rooms[(n - n // every) % len(rooms)], people[n], "token"))
            continue
        plans.append(Plan(n * slot, rooms[bot % len(rooms)], people[n], "app"))
        plans.append(Plan(n * slot + slot / 2, floor_rooms[bot % len(rooms)], people[joins + bot], "floor"))
    return plans


async def token_only_joins(base: str, plans: list[Plan], start: float) -> list[dict]:
    async def one(item: Plan, http: aiohttp.ClientSession) -> dict:
        await asyncio.sleep(max(0.0, start + item.at - time.time()))
        began = time.perf_counter()
        async with http.post(
            f"{base}/api/v1/rooms/{item.room['id']}/join", headers={"Authorization": f"Bearer {item.person['token']}"}
        ) as response:
            await response.read()
            return {"post_ms": (time.perf_counter() - began) * 1000, "status": response.status}

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True, limit=0)) as http:
        return await asyncio.gather(*(one(item, http) for item in plans))


def cpu_stall_us() -> int:
    try:
        return int(Path("/proc/pressure/cpu").read_text().splitlines()[0].rsplit("total=", 1)[1])
    except OSError:
        return 0


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def server_share_within(metrics_text: str, route: str, bound: str) -> tuple[float, int]:
    """From the app's Prometheus histogram: the share of `route`'s requests done within `bound` seconds."""
    within = total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith("conference_http_request_duration_seconds_bucket") and f'route="{route}"' in line:
            if f'le="{bound}"' in line:
                within += float(line.rsplit(" ", 1)[1])
            if 'le="+Inf"' in line:
                total += float(line.rsplit(" ", 1)[1])
    return (within / total if total else float("nan")), int(total)


def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="join-bench-"))
    app_port = free_port()
    livekit = start_livekit(tmp / "livekit", f"http://127.0.0.1:{app_port}/api/v1/livekit/webhook")
    postgres = None
    try:
        if args.postgres:
            from tests.servers import start_postgres

            postgres = start_postgres(tmp / "postgres")
            database_url = postgres.create_database("join_bench")
        else:
            database_url = f"sqlite+aiosqlite:///{tmp / 'join.db'}"
        from conference.migrations import migrate

        asyncio.run(migrate(database_url))
        app = App(tmp / "app.log", app_port, database_url, livekit, args.repo.resolve())
        try:
            return measure(args, tmp, app, livekit, database_url)
        finally:
            app.stop(timeout=30)
    finally:
        livekit.stop()
        if postgres is not None:
            postgres.stop()


def measure(args: argparse.Namespace, tmp: Path, app: App, livekit, database_url: str) -> int:
    all_rooms, people = asyncio.run(seed(database_url, 2 * args.rooms, args.joins + args.bots))
    rooms, floor_rooms = all_rooms[: args.rooms], all_rooms[args.rooms :]
    plans = plan(rooms, floor_rooms, people, args.joins, args.bots, args.window)
    jobs = [
        {
            "kind": p.kind,
            "at": p.at,
            "room": p.room["id"],
            "host": p.room["host"],
            "token": p.person["token"],
            "identity": p.person["id"],
        }
        for p in plans
        if p.kind != "token"
    ]
    spec = {"livekit_url": livekit.ws_url, "app": app.base, "rooms": all_rooms, "jobs": jobs}
    spec_path = tmp / "bots.json"
    spec_path.write_text(json.dumps(spec))
    worker = subprocess.Popen(
        [sys.executable, __file__, "--bots-worker", str(spec_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert worker.stdin is not None and worker.stdout is not None
    line = worker.stdout.readline()
    if line.strip() != "READY":
        worker.kill()
        raise RuntimeError(f"the bots' process did not get ready: {line!r}")
    before = _metrics(app)
    start = time.time() + 1.0
    worker.stdin.write(f"{start}\n")
    worker.stdin.flush()
    stall_before, wall_before = cpu_stall_us(), time.monotonic()
    token_results = asyncio.run(token_only_joins(app.base, [p for p in plans if p.kind == "token"], start))
    out, _ = worker.communicate(timeout=args.window + 120)
    stall = (cpu_stall_us() - stall_before) / 1e6 / (time.monotonic() - wall_before)
    bot_results = json.loads(out.strip().splitlines()[-1])["bots"]
    return report(args, token_results, bot_results, _metrics(app), before, stall)


def _metrics(app: App) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{app.base}/metrics", timeout=10) as response:
        return response.read().decode()


def report(args, token_results: list[dict], bot_results: list[dict], metrics: str, before: str, stall: float) -> int:
    failures = [r for r in token_results if r["status"] != 200] + [r for r in bot_results if "error" in r]
    app_bots = [r for r in bot_results if r["kind"] == "app" and "error" not in r]
    floor_bots = [r for r in bot_results if r["kind"] == "floor" and "error" not in r]
    posts = [r["post_ms"] for r in token_results] + [r["post_ms"] for r in app_bots]
    route = "/api/v1/rooms/{room_id}/join"
    share_now, count_now = server_share_within(metrics, route, "0.05")
    share_before, count_before = server_share_within(before, route, "0.05")
    served = count_now - count_before
    within = (share_now * count_now - (share_before * count_before if count_before else 0)) / served if served else 0
    print(
        f"\n{len(posts)} joins through the app in {args.window:.0f} s over {args.rooms} rooms "
        f"({len(app_bots)} as rtc bots, the rest token-only) and {len(floor_bots)} floor bots; "
        f"cpu stall {100 * stall:.0f}% (other work competing for the cores)"
    )
    print(f"{'':<34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")

    def row(label: str, values: list[float]) -> None:
        print(
            f"{label:<34} {len(values):>4} {quantile(values, 0.5):>8.1f} {quantile(values, 0.95):>8.1f} "
            f"{max(values, default=float('nan')):>8.1f}"
        )

    row("POST /join (client clock)", posts)
    row("app bots: POST -> connected", [r["connected_ms"] for r in app_bots])
    row("app bots: POST -> first frame", [r["frame_ms"] for r in app_bots])
    row("floor bots: connect -> connected", [r["connected_ms"] for r in floor_bots])
    row("floor bots: connect -> first frame", [r["frame_ms"] for r in floor_bots])
    p95_post = quantile(posts, 0.95)
    ratio = quantile([r["frame_ms"] for r in app_bots], 0.95) / quantile([r["frame_ms"] for r in floor_bots], 0.95)
    print(f"\nserver side: {100 * within:.0f}% of the burst's {served} joins took <= 50 ms (app's histogram)")
    print(f"join endpoint p95 = {p95_post:.1f} ms (goal <= 50: {'met' if p95_post <= 50 else 'NOT met'})")
    print(f"join-to-first-frame p95 app/floor = {ratio:.2f} (goal <= 1.1: {'met' if ratio <= 1.1 else 'NOT met'})")
    for failure in failures[:10]:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=100)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--window", type=float, default=10.0, help="seconds the joins are spread over")
    parser.add_argument("--bots", type=int, default=20, help="joins that are rtc bots (and as many floor bots)")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--repo", type=Path, default=REPO, help="serve this checkout's conference/ (before/after)")
    parser.add_argument("--bots-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bots_worker:
        result = asyncio.run(bots_worker(json.loads(Path(args.bots_worker).read_text())))
        print(json.dumps(result), flush=True)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
