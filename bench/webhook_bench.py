"""Webhook delivery latency: chat messages in key-owned rooms, delivered to an integrator's receiver.

Per database (SQLite, then PostgreSQL unless --no-postgres) it starts one `conference serve` process,
makes an API key, has it register `POST /api/v1/webhooks {url, events: ["chat.message"]}` pointing at a
receiver on loopback (aiohttp, in this process, checking every Standard Webhooks signature) and create
--rooms rooms, seeds --users members of every room straight into the database (registration is bcrypt-
and rate-limited, and not what is measured), then runs three phases:

  - paced: --messages chat messages posted at --rate a second, round-robin over users and rooms; latency
    from the 201 of the post to the receiver's arrival of the delivery it answered 2xx (p50/p95/p99/max)
  - saturation: --messages more posted as fast as --concurrency posts in flight allow, while the receiver
    holds every request unanswered (WEBHOOK_TIMEOUT_S is 600 for the run), so they pile up in the outbox;
    then it answers: deliveries per second = messages / (last delivery - the moment it began answering),
    the deliverers' own rate, not bounded by how fast chat can be posted
  - retries: --messages / 4 paced, the receiver answering 500 to the first attempt of every 10th message
    (WEBHOOK_RETRY_BASE_S is --retry-base for the run); retries seen, latency of the retried messages

Then (unless --no-replicas) two `conference serve` processes over one PostgreSQL database and a Redis,
posts alternating between them, paced and then saturated, every 10th message failing once: it checks
that no webhook-id arrived again after the receiver had answered it 2xx (the bench fails otherwise, as it
does on a bad signature or a message not delivered in time), and reports the latency.

    .venv/bin/python bench/webhook_bench.py [--messages 400] [--rate 20] [--rooms 8] [--users 8]
        [--concurrency 16] [--retry-base 0.2] [--no-postgres] [--no-replicas]

The receiver and the posting client run in this process on the same cores as the app(s): the figures
are a floor. Per-user message limits are lifted through MESSAGES_PER_10S / MESSAGES_PER_MINUTE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.integrations.receiver import verify  # noqa: E402
from tests.servers import _Process, free_port, start_postgres, start_redis  # noqa: E402

JWT_SECRET = "webhook-bench-jwt-secret-0123456789abcdef"
FAIL_EVERY = 10  # the receiver answers 500 to the first attempt of every 10th message of a failing phase


class App(_Process):
    name = "conference serve"

    def __init__(self, log_path: Path, env: dict[str, str], port: int) -> None:
        self.port = port
        super().__init__([sys.executable, "-m", "conference", "serve"], log_path, cwd=REPO, env=env)
        self.wait_until(self._healthy, 90, f"answering on port {port}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def _healthy(self) -> bool:
        with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
            return response.status == 200


def start_app(tmp: Path, label: str, database_url: str, redis_url: str | None, retry_base_s: float) -> App:
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",  # an http:// loopback receiver is allowed in development only
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "JWT_SECRET": JWT_SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "RECORDER_IN_PROCESS": "0",
        # A handful of users post everything: lift the per-user message limits (conference/throttles.py).
        "MESSAGES_PER_10S": "1000000",
        "MESSAGES_PER_MINUTE": "1000000",
        "WEBHOOK_RETRY_BASE_S": str(retry_base_s),
        # The saturated phase keeps the first requests waiting until every post is in: no timeout then.
        "WEBHOOK_TIMEOUT_S": "600",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return App(tmp / f"{label}.log", env, port)


# ------------------------------------------------------------------------------ the receiver


@dataclass
class Receiver:
    """Checks each delivery's signature, answers 500 to the first attempt of the messages in `failing`,
    and keeps when each message (by its content) was first answered 2xx."""

    secret: str = ""
    failing: set[str] = field(default_factory=set)
    delivered_at: dict[str, float] = field(default_factory=dict)  # content -> first 2xx arrival (time.time())
    ok_ids: set[str] = field(default_factory=set)
    tries: Counter[str] = field(default_factory=Counter)
    retries_answered: int = 0  # 500s given
    after_ok: int = 0  # arrivals of a webhook-id that had already been answered 2xx
    bad_signatures: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event = field(default_factory=asyncio.Event)  # cleared: requests wait, unanswered
    url: str = ""

    def __post_init__(self) -> None:
        self.gate.set()

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        await self.gate.wait()
        arrived_at = time.time()
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            verify(self.secret, headers, raw)
        except (AssertionError, KeyError, ValueError):
            self.bad_signatures += 1
            return web.Response(status=401)
        webhook_id = headers["webhook-id"]
        self.tries[webhook_id] += 1
        if webhook_id in self.ok_ids:
            self.after_ok += 1
            return web.Response(status=200)
        content = json.loads(raw)["data"]["content"]
        if content in self.failing and self.tries[webhook_id] == 1:
            self.retries_answered += 1
            return web.Response(status=500)
        self.ok_ids.add(webhook_id)
        self.delivered_at.setdefault(content, arrived_at)
        self.arrived.set()
        return web.Response(status=200)

    def check(self) -> None:
        """The bench fails (exit status 1) when a delivery was forged or came again after a 2xx."""
        if self.bad_signatures or self.after_ok:
            raise RuntimeError(f"{self.bad_signatures} bad signatures, {self.after_ok} repeats after a 2xx")

    async def wait_for(self, contents: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not all(content in self.delivered_at for content in contents):
            left = deadline - time.monotonic()
            if left <= 0:
                got = sum(content in self.delivered_at for content in contents)
                raise RuntimeError(f"only {got} of {len(contents)} messages delivered within {timeout:.0f}s")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), min(left, 1.0))
            except TimeoutError:
                pass


async def start_receiver(receiver: Receiver) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    receiver.url = f"http://127.0.0.1:{port}/hooks"
    return runner


# ------------------------------------------------------------------------------ setup


@dataclass
class World:
    rooms: list[str]
    tokens: list[str]  # the members' access tokens


async def make_key(database_url: str) -> str:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from conference.accounts.apikeys import create_api_key
    from conference.db import create_engine

    engine = create_engine(database_url)
    try:
        _, key = await create_api_key(async_sessionmaker(engine, expire_on_commit=False), "webhook bench")
    finally:
        await engine.dispose()
    return key


async def subscribe_and_make_rooms(
    session: aiohttp.ClientSession, app: App, key: str, receiver: Receiver, rooms: int
) -> list[str]:
    headers = {"Authorization": f"Bearer {key}"}
    body = {"url": receiver.url, "events": ["chat.message"]}
    async with session.post(f"{app.base}/api/v1/webhooks", json=body, headers=headers) as response:
        if response.status != 201:
            raise RuntimeError(f"POST /webhooks -> {response.status}: {await response.text()}")
        receiver.secret = (await response.json())["secret"]
    ids = []
    for n in range(rooms):
        async with session.post(f"{app.base}/api/v1/rooms", json={"name": f"Class {n}"}, headers=headers) as response:
            if response.status != 201:
                raise RuntimeError(f"POST /rooms -> {response.status}: {await response.text()}")
            ids.append((await response.json())["id"])
    return ids


async def seed_members(database_url: str, rooms: list[str], users: int) -> list[str]:
    """`users` people, members of every room; returns their access tokens."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from conference.accounts.models import LoginSession, RefreshToken, User
    from conference.accounts.tokens import issue_access_token
    from conference.db import create_engine, utcnow
    from conference.rooms.models import RoomMember

    engine = create_engine(database_url)
    stamp = uuid.uuid4().hex[:6]
    people = [User(login=f"hook{stamp}-{n}", display_name=f"Teacher {n}", password_hash="!") for n in range(users)]
    logins = [LoginSession(user_id=None) for _ in people]
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            db.add_all(people)
            await db.flush()
            for person, login in zip(people, logins, strict=True):
                login.user_id = person.id
            db.add_all(logins)
            await db.flush()
            # A sign-in with no usable refresh token is pruned by the retention sweep, and its access
            # tokens with it: give each one, as signing in would.
            until = utcnow() + timedelta(days=1)
            db.add_all(
                RefreshToken(token_hash=uuid.uuid4().hex * 2, session_id=login.id, expires_at=until) for login in logins
            )
            db.add_all(
                RoomMember(room_id=room, user_id=person.id, role="participant", state="joined")
                for room in rooms
                for person in people
            )
            await db.commit()
    finally:
        await engine.dispose()
    return [issue_access_token(JWT_SECRET, p.id, login.id, 3600) for p, login in zip(people, logins, strict=True)]


# ------------------------------------------------------------------------------ phases


@dataclass
class Phase:
    label: str
    posted_at: dict[str, float]  # content -> when its 201 came back
    started: float  # the first post went out
    delivered_at: dict[str, float]
    retried: list[str]
    opened: float | None  # when the receiver began answering again (a held-back phase)
    cpu_s: float  # the app processes' CPU time: over the whole phase, or from `opened` on

    def latencies_ms(self, contents: list[str] | None = None) -> list[float]:
        chosen = self.posted_at if contents is None else contents
        return sorted((self.delivered_at[c] - self.posted_at[c]) * 1000 for c in chosen)

    @property
    def posts_s(self) -> float:
        return max(self.posted_at.values()) - self.started

    @property
    def drain_s(self) -> float:
        return max(self.delivered_at.values()) - (self.opened or self.started)


async def post_messages(
    session: aiohttp.ClientSession,
    apps: list[App],
    world: World,
    prefix: str,
    count: int,
    rate: float | None,
    concurrency: int,
) -> tuple[dict[str, float], float]:
    """Message n: by user n % users into room n % rooms, through app n % apps; content `<prefix>:<n>`."""
    gate = asyncio.Semaphore(concurrency)
    posted_at: dict[str, float] = {}
    started = time.time()

    async def post(n: int) -> None:
        if rate:
            await asyncio.sleep(max(0.0, started + n / rate - time.time()))
        app, room = apps[n % len(apps)], world.rooms[n % len(world.rooms)]
        headers = {"Authorization": f"Bearer {world.tokens[n % len(world.tokens)]}"}
        content = f"{prefix}:{n}"
        async with gate:
            url = f"{app.base}/api/v1/rooms/{room}/chat/messages"
            async with session.post(url, json={"content": content}, headers=headers) as response:
                if response.status != 201:
                    raise RuntimeError(f"post failed: {response.status} {await response.text()}")
                posted_at[content] = time.time()

    await asyncio.gather(*(post(n) for n in range(count)))
    return posted_at, started


async def run_phase(
    session: aiohttp.ClientSession,
    apps: list[App],
    world: World,
    receiver: Receiver,
    label: str,
    count: int,
    rate: float | None,
    concurrency: int,
    failing: bool,
    hold: bool = False,
) -> Phase:
    """`hold`: the receiver answers nothing until every post is in, then the outbox's backlog drains."""
    prefix = f"{label}-{uuid.uuid4().hex[:4]}"
    retried = [f"{prefix}:{n}" for n in range(FAIL_EVERY - 1, count, FAIL_EVERY)] if failing else []
    receiver.failing.update(retried)
    if hold:
        receiver.gate.clear()
    cpu_before = sum(app.cpu_seconds() for app in apps)
    try:
        posted_at, started = await post_messages(session, apps, world, prefix, count, rate, concurrency)
    finally:
        opened = time.time() if hold else None
        if hold:
            cpu_before = sum(app.cpu_seconds() for app in apps)
        receiver.gate.set()
    await receiver.wait_for(list(posted_at), timeout=120 + count / 5)
    cpu_s = sum(app.cpu_seconds() for app in apps) - cpu_before
    delivered = {content: receiver.delivered_at[content] for content in posted_at}
    return Phase(label, posted_at, started, delivered, retried, opened, cpu_s)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def latency_line(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):.0f} ms  p95 {percentile(values, 0.95):.0f} ms  "
        f"p99 {percentile(values, 0.99):.0f} ms  max {values[-1]:.0f} ms"
    )


def show(phase: Phase, rate: float | None) -> None:
    count = len(phase.posted_at)
    how = f"{rate:g}/s" if rate else "as fast as possible"
    print(f"  {phase.label:<10} {len(phase.delivered_at)} of {count} delivered (posted {how})")
    cpu_ms = 1000 * phase.cpu_s / count
    if phase.opened is None:
        print(f"             {latency_line(phase.latencies_ms())}")
        print(f"             app CPU {cpu_ms:.1f} ms per message (posting it and delivering it)")
    else:  # latency means nothing here: every delivery was held back until the posts were in
        print(
            f"             posted in {phase.posts_s:.1f} s ({count / phase.posts_s:.0f}/s) with the receiver not "
            f"answering; then the backlog drained in {phase.drain_s:.1f} s: {count / phase.drain_s:.0f} deliveries/s"
        )
        print(f"             app CPU {cpu_ms:.1f} ms per delivery while draining")
    if phase.retried and phase.opened is None:
        retried = latency_line(phase.latencies_ms(phase.retried))
        print(f"             retried messages ({len(phase.retried)}): {retried}")


# ------------------------------------------------------------------------------ runs


async def run_database(label: str, tmp: Path, database_url: str, args: argparse.Namespace) -> None:
    from conference.migrations import migrate

    await migrate(database_url)  # the schema first: the app refuses a database behind head
    receiver = Receiver()
    runner = await start_receiver(receiver)
    app = start_app(tmp, label.split()[0].lower(), database_url, None, args.retry_base)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            key = await make_key(database_url)
            rooms = await subscribe_and_make_rooms(session, app, key, receiver, args.rooms)
            world = World(rooms, await seed_members(database_url, rooms, args.users))
            await run_phase(session, [app], world, receiver, "warm-up", 20, None, 4, False)
            print(f"\n== {label}: 1 process, {args.rooms} rooms, {args.users} users, load average {load()}")
            paced = await run_phase(
                session, [app], world, receiver, "paced", args.messages, args.rate, args.concurrency, False
            )
            show(paced, args.rate)
            burst = await run_phase(
                session, [app], world, receiver, "saturated", args.messages, None, args.concurrency, False, True
            )
            show(burst, None)
            retry_count = max(FAIL_EVERY, args.messages // 4)
            before = receiver.retries_answered
            failing = await run_phase(
                session, [app], world, receiver, "retries", retry_count, args.rate, args.concurrency, True
            )
            show(failing, args.rate)
            print(
                f"             500s answered {receiver.retries_answered - before}, every one retried and delivered;"
                f" bad signatures {receiver.bad_signatures}, repeats after a 2xx {receiver.after_ok}"
            )
            receiver.check()
    finally:
        app.stop(timeout=30)
        await runner.cleanup()


async def run_replicas(tmp: Path, postgres, redis, args: argparse.Namespace) -> None:
    from conference.migrations import migrate

    database_url = postgres.create_database("hooks_two")
    await migrate(database_url)
    receiver = Receiver()
    runner = await start_receiver(receiver)
    apps = [start_app(tmp, f"replica{n}", database_url, redis.url, args.retry_base) for n in range(2)]
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            key = await make_key(database_url)
            rooms = await subscribe_and_make_rooms(session, apps[0], key, receiver, args.rooms)
            world = World(rooms, await seed_members(database_url, rooms, args.users))
            await run_phase(session, apps, world, receiver, "warm-up", 20, None, 4, False)
            print(f"\n== PostgreSQL: 2 processes + Redis, posts alternating, load average {load()}")
            paced = await run_phase(
                session, apps, world, receiver, "paced", args.messages, args.rate, args.concurrency, True
            )
            show(paced, args.rate)
            burst = await run_phase(
                session, apps, world, receiver, "saturated", args.messages, None, args.concurrency, True, True
            )
            show(burst, None)
            await asyncio.sleep(3)  # anything sent twice would arrive by now
            attempts, expected = sum(receiver.tries.values()), len(receiver.ok_ids) + receiver.retries_answered
            print(
                f"             500s answered {receiver.retries_answered}; webhook-ids arriving again after a 2xx: "
                f"{receiver.after_ok}; attempts {attempts} (one per message plus one per 500: {expected}); "
                f"bad signatures {receiver.bad_signatures}"
            )
            receiver.check()
    finally:
        for app in apps:
            app.stop(timeout=30)
        await runner.cleanup()


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=400, help="messages in the paced and saturated phases")
    parser.add_argument("--rate", type=float, default=20, help="messages per second when paced")
    parser.add_argument("--rooms", type=int, default=8)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=16, help="posts in flight at most")
    parser.add_argument("--retry-base", type=float, default=0.2, help="WEBHOOK_RETRY_BASE_S for the run")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-replicas", action="store_true", help="skip the two-process phase")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    print(
        f"webhook bench: {args.messages} messages at {args.rate:g}/s over {args.rooms} rooms, "
        f"{os.cpu_count()} CPUs (receiver and client share them), load average {load()}, logs in {tmp}"
    )
    await run_database("SQLite", tmp, f"sqlite+aiosqlite:///{tmp}/bench.db", args)
    if args.no_postgres:
        return
    postgres = start_postgres(tmp / "postgres")
    redis = None
    try:
        await run_database("PostgreSQL", tmp, postgres.create_database("hooks_one"), args)
        if not args.no_replicas:
            redis = start_redis(tmp / "redis")
            await run_replicas(tmp, postgres, redis, args)
    finally:
        if redis:
            redis.stop()
        postgres.stop()


if __name__ == "__main__":
    asyncio.run(main())
