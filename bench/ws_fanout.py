"""WebSocket fan-out: one room, N connected members, one sender posting chat through HTTP.

For each setup (one `conference serve` process; two processes sharing Redis) it starts its own
PostgreSQL (and Redis), seeds N+1 users who are members of one room straight into the database
(registration is bcrypt- and rate-limited, and not what is measured here), connects N WebSocket
clients (spread evenly over the processes) and prints:

  - memory per idle connection: RSS growth of the app process(es) / connections they hold
  - paced: messages posted at a modest rate; p50/p99 delivery latency (post → frame at a client)
  - burst: messages posted back to back; deliveries per second (messages × members / time)
    and p50/p99 latency under that load

    .venv/bin/python bench/ws_fanout.py [--clients 1000] [--burst 200] [--paced 20]
        [--rate 4] [--only one|two] [--profile FILE] [--repo PATH]

The clients run in this process on the same machine, so they compete with the app for CPU;
the figures are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.servers import _Process, free_port, start_postgres, start_redis  # noqa: E402

JWT_SECRET = "ws-fanout-bench-jwt-secret-0123456789abcdef"
MARK = '"content":"t='


class App(_Process):
    name = "conference serve"

    def __init__(self, log_path: Path, env: dict, port: int, profile: str | None = None, repo: Path = REPO):
        self.port = port
        argv = [sys.executable, "-m", "conference", "serve"]
        if profile:  # cProfile the server; the stats are written when it stops
            argv = [
                sys.executable,
                "-c",
                "import cProfile, sys; from conference.__main__ import main; "
                f"cProfile.run(\"main(['serve'])\", {profile!r})",
            ]
        path = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
        super().__init__(argv, log_path, cwd=repo, env={**env, "PYTHONPATH": path})
        self.wait_until(self._healthy, 60, f"answering on port {port}")

    def _healthy(self) -> bool:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
            return response.status == 200

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


def start_apps(
    tmp: Path, count: int, database_url: str, redis_url: str | None, profile: str | None = None, repo: Path = REPO
) -> list[App]:
    apps = []
    for n in range(count):
        port = free_port()
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DATABASE_URL": database_url,
            "JWT_SECRET": JWT_SECRET,
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
            # One sender posts the whole burst: lift the per-user message limits (conference/throttles.py).
            "MESSAGES_PER_10S": "1000000",
            "MESSAGES_PER_MINUTE": "1000000",
        }
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        apps.append(App(tmp / f"app{n}.log", env, port, profile if n == 0 else None, repo))
    return apps


async def seed(database_url: str, members: int) -> tuple[str, list[str]]:
    """One room hosted by the sender (token 0) with `members` more members; returns access tokens."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from conference.accounts.models import LoginSession, RefreshToken, User
    from conference.accounts.tokens import hash_secret, issue_access_token, new_refresh_token
    from conference.db import create_engine, utcnow
    from conference.rooms.codes import new_room_code
    from conference.rooms.models import Room, RoomMember

    engine = create_engine(database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    stamp = uuid.uuid4().hex[:6]
    users = [User(login=f"fan{stamp}-{n}", display_name=f"Fan {n}", password_hash="!") for n in range(members + 1)]
    logins = [LoginSession(user_id=None) for _ in users]
    room = Room(id=new_room_code(), name="fan-out bench", max_participants=100)
    async with sessions() as db:
        db.add_all(users)
        await db.flush()
        for user, login in zip(users, logins, strict=True):
            login.user_id = user.id
        room.host_id = users[0].id
        db.add_all([*logins, room])
        await db.flush()
        # A usable refresh token each, or the retention sweep deletes the sign-in a minute in.
        expires = utcnow() + timedelta(days=1)
        db.add_all(
            RefreshToken(token_hash=hash_secret(new_refresh_token()), session_id=login.id, expires_at=expires)
            for login in logins
        )
        db.add_all(
            [RoomMember(room_id=room.id, user_id=user.id, role="participant", state="joined") for user in users[1:]]
        )
        await db.commit()
    await engine.dispose()
    tokens = [
        issue_access_token(JWT_SECRET, user.id, login.id, 3600) for user, login in zip(users, logins, strict=True)
    ]
    return room.id, tokens


class Listener:
    """One member's socket; records the latency of every chat message it receives."""

    def __init__(self):
        self.latencies: list[float] = []
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def run(self, session: aiohttp.ClientSession, base: str, token: str) -> None:
        # A single-use ticket first, as every client does: no token in the socket's URL.
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(f"{base}/api/v1/ws/ticket", headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"ticket refused: {response.status} {await response.text()}")
            ticket = (await response.json())["ticket"]
        url = f"{base}/api/v1/ws"
        async with session.ws_connect(url, params={"ticket": ticket}, autoping=True, max_msg_size=0) as ws:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                text = message.data
                at = text.find(MARK)
                if at >= 0:
                    start = at + len(MARK)
                    sent = float(text[start : text.index('"', start)])
                    self.latencies.append(time.time() - sent)
                elif not self.ready.is_set() and '"type":"ready"' in text:
                    self.ready.set()


async def connect_all(session, apps: list[App], tokens: list[str]) -> list[Listener]:
    listeners = []
    gate = asyncio.Semaphore(50)

    async def one(n: int, token: str) -> Listener:
        listener = Listener()
        app = apps[n % len(apps)]
        async with gate:
            listener.task = asyncio.create_task(listener.run(session, f"http://127.0.0.1:{app.port}", token))
            await asyncio.wait_for(listener.ready.wait(), 30)
        return listener

    listeners = await asyncio.gather(*(one(n, token) for n, token in enumerate(tokens)))
    return list(listeners)


async def post_messages(
    session, app: App, room_id: str, token: str, count: int, rate: float | None, concurrency: int = 8
) -> float:
    url = f"http://127.0.0.1:{app.port}/api/v1/rooms/{room_id}/chat/messages"
    headers = {"Authorization": f"Bearer {token}"}
    gate = asyncio.Semaphore(concurrency)
    started = time.time()

    async def post(n: int) -> None:
        if rate:
            await asyncio.sleep(max(0.0, started + n / rate - time.time()))
        async with gate:
            async with session.post(url, json={"content": f"t={time.time():.6f}"}, headers=headers) as response:
                if response.status != 201:
                    raise RuntimeError(f"post failed: {response.status} {await response.text()}")

    await asyncio.gather(*(post(n) for n in range(count)))
    return started


async def wait_delivered(listeners: list[Listener], each: int, timeout: float) -> float:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(len(listener.latencies) >= each for listener in listeners):
            return time.time()
        await asyncio.sleep(0.01)
    got = sum(len(listener.latencies) for listener in listeners)
    raise RuntimeError(f"only {got} of {each * len(listeners)} deliveries within {timeout}s")


def cpu_stall_us() -> int:
    """Microseconds some runnable task waited for a CPU since boot (/proc/pressure/cpu)."""
    try:
        return int(Path("/proc/pressure/cpu").read_text().splitlines()[0].rsplit("total=", 1)[1])
    except OSError:
        return 0


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def run_setup(
    label: str,
    tmp: Path,
    processes: int,
    database_url: str,
    redis_url: str | None,
    clients: int,
    paced: int,
    rate: float,
    burst: int,
    profile: str | None = None,
    repo: Path = REPO,
) -> dict:
    from conference.migrations import migrate

    await migrate(database_url)  # the schema first: the apps refuse a database behind head
    apps = start_apps(tmp, processes, database_url, redis_url, profile, repo)
    try:
        room_id, tokens = await seed(database_url, clients)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            # Warm the app(s) up with a couple of sockets so the baseline includes imports and pools.
            warm = await connect_all(session, apps, tokens[1 : 1 + processes])
            await asyncio.sleep(1)
            before = [app.rss_bytes() for app in apps]
            listeners = await connect_all(session, apps, tokens[1 + processes : 1 + clients]) + warm
            await asyncio.sleep(2)
            after = [app.rss_bytes() for app in apps]
            per_process = [(a - b) / (len(listeners) / processes) for a, b in zip(after, before, strict=True)]

            cpu, stall = sum(app.cpu_seconds() for app in apps), cpu_stall_us()
            paced_started = time.monotonic()
            await post_messages(session, apps[0], room_id, tokens[0], paced, rate)
            await wait_delivered(listeners, paced, 60)
            paced_p50, paced_p99 = quantiles([lat for listener in listeners for lat in listener.latencies])
            paced_cpu_ms = 1000 * (sum(app.cpu_seconds() for app in apps) - cpu) / paced
            paced_stall = (cpu_stall_us() - stall) / 1e6 / (time.monotonic() - paced_started)
            for listener in listeners:
                listener.latencies.clear()

            started = await post_messages(session, apps[0], room_id, tokens[0], burst, None)
            finished = await wait_delivered(listeners, burst, 300)
            burst_p50, burst_p99 = quantiles([lat for listener in listeners for lat in listener.latencies])
            deliveries = burst * len(listeners)
            result = {
                "setup": label,
                "clients": len(listeners),
                "rss_per_conn_kib": statistics.mean(per_process) / 1024,
                "paced_rate": rate,
                "paced_p50_ms": paced_p50,
                "paced_p99_ms": paced_p99,
                "paced_server_cpu_ms_per_message": paced_cpu_ms,
                "paced_cpu_stall": paced_stall,
                "burst_messages": burst,
                "burst_s": finished - started,
                "messages_per_s": burst / (finished - started),
                "deliveries_per_s": deliveries / (finished - started),
                "burst_p50_ms": burst_p50,
                "burst_p99_ms": burst_p99,
                "rss_mib": [a / 2**20 for a in after],
            }
            for listener in listeners:
                listener.task.cancel()
            await asyncio.gather(*(listener.task for listener in listeners), return_exceptions=True)
        return result
    finally:
        for app in apps:
            app.stop(timeout=60)


def show(result: dict) -> None:
    print(f"\n== {result['setup']}: {result['clients']} connected clients, one room")
    print(
        f"  memory per idle connection  {result['rss_per_conn_kib']:.1f} KiB "
        f"(app RSS now {', '.join(f'{m:.0f}' for m in result['rss_mib'])} MiB)"
    )
    print(
        f"  paced {result['paced_rate']:.0f} msg/s          p50 {result['paced_p50_ms']:.1f} ms   "
        f"p99 {result['paced_p99_ms']:.1f} ms   server CPU {result['paced_server_cpu_ms_per_message']:.1f} ms "
        f"a message; cpu stall {100 * result['paced_cpu_stall']:.0f}% (other work competing for the cores)"
    )
    print(
        f"  burst of {result['burst_messages']} messages     {result['messages_per_s']:.1f} msg/s in, "
        f"{result['deliveries_per_s']:.0f} deliveries/s out; p50 {result['burst_p50_ms']:.0f} ms   "
        f"p99 {result['burst_p99_ms']:.0f} ms   ({result['burst_s']:.1f} s)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--paced", type=int, default=20, help="messages in the paced phase")
    parser.add_argument("--rate", type=float, default=4, help="messages per second in the paced phase")
    parser.add_argument("--burst", type=int, default=200, help="messages in the burst phase")
    parser.add_argument("--only", choices=["one", "two"])
    parser.add_argument("--profile", help="cProfile the (first) app process into this file")
    parser.add_argument("--repo", type=Path, default=REPO, help="serve this checkout's conference/ (before/after)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ws-fanout-"))
    postgres = start_postgres(tmp / "postgres")
    redis = start_redis(tmp / "redis")
    print(f"ws fan-out bench: {args.clients} clients, {os.cpu_count()} CPUs (clients share them), logs in {tmp}")
    try:
        results = []
        if args.only in (None, "one"):
            url = postgres.create_database("fan_one")
            results.append(
                await run_setup(
                    "1 process, PostgreSQL, in-process hub",
                    tmp,
                    1,
                    url,
                    None,
                    args.clients,
                    args.paced,
                    args.rate,
                    args.burst,
                    args.profile,
                    args.repo.resolve(),
                )
            )
            show(results[-1])
        if args.only in (None, "two"):
            url = postgres.create_database("fan_two")
            results.append(
                await run_setup(
                    "2 processes, PostgreSQL, Redis hub",
                    tmp,
                    2,
                    url,
                    redis.url,
                    args.clients,
                    args.paced,
                    args.rate,
                    args.burst,
                    args.profile,
                    args.repo.resolve(),
                )
            )
            show(results[-1])
        if len(results) == 2:
            one, two = results
            print(
                f"\n  two/one ratio: deliveries/s {two['deliveries_per_s'] / one['deliveries_per_s']:.2f}, "
                f"burst p99 {two['burst_p99_ms'] / one['burst_p99_ms']:.2f}"
            )
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    asyncio.run(main())
