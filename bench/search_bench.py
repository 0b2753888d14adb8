"""Message search latency: GET /api/v1/search on 100,000 messages, SQLite (FTS5) and PostgreSQL (GIN).

For each database it migrates a fresh one, seeds a searcher who can read most of the messages (room chat
of a room they are in, direct messages with 20 people, messages of 5 groups) and a share they cannot
(another room, another group), straight into the tables (the triggers and the GIN index keep the search
structures in step, as they do for posted messages), starts one `conference serve` process and asks it
the same queries in rounds, one request at a time: frequent words in another form than the text holds
(Russian and English), a rare word, two words, and a second page. Prints p50/p99 per database and per
query, and the matches each query has, so the figures can be read against the work.

    .venv/bin/python bench/search_bench.py [--messages 100000] [--rounds 20] [--only sqlite|postgres]

The client runs on the same machine; on a shared machine the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.servers import _Process, free_port, start_postgres  # noqa: E402

JWT_SECRET = "search-bench-jwt-secret-0123456789abcdef"
# Sentences are drawn from these; each topic word comes in several forms so stemming has work to do.
TOPICS = [
    ["встреча", "встречи", "встречу", "встречей"],
    ["релиз", "релиза", "релизу", "релизом"],
    ["бюджет", "бюджета", "бюджету"],
    ["проект", "проекта", "проекты", "проектом"],
    ["клиент", "клиента", "клиенту", "клиентами"],
    ["meeting", "meetings"],
    ["release", "releases", "released"],
    ["deploy", "deployed", "deploying"],
    ["report", "reports", "reported"],
    ["budget", "budgets"],
]
FILLER = (
    "завтра сегодня в на по для мы нужно проверить пожалуйста давайте обсудим после обеда утром "
    "the for we need to please check after lunch in the morning let us talk about it soon with team"
).split()
RARE = ["квазар", "zeppelin"]  # each in about 1 message of 5,000
QUERIES = {
    "встречи (frequent, ru)": {"q": "встречи"},
    "релизу (frequent, ru)": {"q": "релизу"},
    "meetings (frequent, en)": {"q": "meetings"},
    "deploying report (2 words)": {"q": "deploying report"},
    "квазар (rare)": {"q": "квазар"},
    "zeppelin (rare)": {"q": "zeppelin"},
}


def sentence(rng: random.Random) -> str:
    words = [rng.choice(FILLER) for _ in range(rng.randint(5, 14))]
    for _ in range(rng.randint(1, 2)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(rng.choice(TOPICS)))
    if rng.random() < 1 / 2500:
        words.insert(rng.randrange(len(words) + 1), rng.choice(RARE))
    return " ".join(words).capitalize()


async def seed(database_url: str, total: int) -> str:
    """The searcher's access token, after `total` messages went in (about 85 % of them readable)."""
    from sqlalchemy import insert
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from conference.accounts.models import LoginSession, User
    from conference.accounts.tokens import issue_access_token
    from conference.chat.models import ChatMessage, DirectMessage
    from conference.db import create_engine
    from conference.groups.models import Group, GroupMember, GroupMessage
    from conference.migrations import migrate
    from conference.rooms.codes import new_room_code
    from conference.rooms.models import Room, RoomMember

    await migrate(database_url)
    engine = create_engine(database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(14)
    stamp = uuid.uuid4().hex[:6]
    users = [User(login=f"s{stamp}-{n}", display_name=f"Person {n}", password_hash="!") for n in range(22)]
    me, others, stranger = users[0], users[1:21], users[21]
    async with sessions() as db:
        db.add_all(users)
        await db.flush()
        login = LoginSession(user_id=me.id)
        mine = Room(id=new_room_code(), name="Team room", max_participants=50, host_id=me.id)
        theirs = Room(id=new_room_code(), name="Other room", max_participants=50, host_id=stranger.id)
        groups = [Group(id=uuid.uuid4().hex, title=f"Group {n}", creator_id=me.id) for n in range(6)]
        db.add_all([login, mine, theirs, *groups])
        await db.flush()
        db.add_all(RoomMember(room_id=mine.id, user_id=u.id, state="joined") for u in others)
        db.add_all(
            GroupMember(group_id=g.id, user_id=u.id, role="member") for g in groups[:5] for u in [me, *others[:8]]
        )
        db.add(GroupMember(group_id=groups[5].id, user_id=stranger.id, role="admin"))
        await db.commit()
    start = datetime.now(UTC) - timedelta(days=60)
    batch: dict[type, list[dict]] = {ChatMessage: [], DirectMessage: [], GroupMessage: []}

    async def flush() -> None:
        async with sessions() as db:
            for model, rows in batch.items():
                if rows:
                    await db.execute(insert(model), rows)
                rows.clear()
            await db.commit()

    for n in range(total):
        at = start + timedelta(seconds=n * 50)
        content = sentence(rng)
        pick = rng.random()
        if pick < 0.35:
            room = mine if rng.random() < 0.85 else theirs
            batch[ChatMessage].append(
                {"room_id": room.id, "sender_id": rng.choice(others).id, "content": content, "created_at": at}
            )
        elif pick < 0.65:
            peer = rng.choice(others) if rng.random() < 0.85 else stranger
            a, b = (me, peer) if rng.random() < 0.5 else (peer, me)
            if peer is stranger:
                a, b = stranger, rng.choice(others)
            batch[DirectMessage].append({"sender_id": a.id, "recipient_id": b.id, "content": content, "created_at": at})
        else:
            group = rng.choice(groups[:5]) if rng.random() < 0.85 else groups[5]
            sender = stranger if group is groups[5] else rng.choice([me, *others[:8]])
            batch[GroupMessage].append(
                {"group_id": group.id, "sender_id": sender.id, "content": content, "created_at": at}
            )
        if (n + 1) % 5000 == 0:
            await flush()
    await flush()
    if database_url.startswith("postgresql"):
        async with engine.connect() as connection:
            await connection.exec_driver_sql("ANALYZE")
            await connection.commit()
    await engine.dispose()
    return issue_access_token(JWT_SECRET, me.id, login.id, 3600)


class App(_Process):
    name = "conference serve"

    def __init__(self, log_path: Path, database_url: str, port: int):
        self.port = port
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DATABASE_URL": database_url,
            "JWT_SECRET": JWT_SECRET,
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
            "SEARCHES_PER_MINUTE": "1000000",  # one searcher asks many times: lift the per-user limit
        }
        env.pop("REDIS_URL", None)
        super().__init__([sys.executable, "-m", "conference", "serve"], log_path, cwd=REPO, env=env)
        self.wait_until(self._healthy, 60, f"answering on port {port}")

    def _healthy(self) -> bool:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
            return response.status == 200


async def measure(port: int, token: str, rounds: int) -> dict[str, tuple[list[float], int]]:
    """Per query: latencies (ms) and how many hits its first page had; plus the second page of the first."""
    base = f"http://127.0.0.1:{port}/api/v1/search"
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, tuple[list[float], int]] = {}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def ask(params: dict) -> tuple[float, dict]:
            began = time.perf_counter()
            async with session.get(base, params={**params, "limit": "20"}) as response:
                body = await response.json()
                if response.status != 200:
                    raise RuntimeError(f"search failed: {response.status} {body}")
            return (time.perf_counter() - began) * 1000, body

        first = next(iter(QUERIES.values()))
        cursor = (await ask(first))[1]["next_before"]
        queries = {**QUERIES, "встречи, page 2": {**first, "before": cursor}}
        for params in queries.values():  # warm caches and connections
            await ask(params)
        for name in queries:
            results[name] = ([], 0)
        for _ in range(rounds):
            for name, params in queries.items():
                elapsed, body = await ask(params)
                results[name][0].append(elapsed)
                results[name] = (results[name][0], len(body["items"]))
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(kind: str, url: str, tmp: Path, total: int, rounds: int) -> None:
    began = time.perf_counter()
    token = await seed(url, total)
    print(f"\n{kind}: {total} messages seeded in {time.perf_counter() - began:.0f} s", flush=True)
    app = App(tmp / f"{kind}.log", url, free_port())
    try:
        results = await measure(app.port, token, rounds)
    finally:
        app.stop()
    everything = [ms for latencies, _ in results.values() for ms in latencies]
    print(f"{'query':32} {'p50 ms':>8} {'p99 ms':>8} {'hits':>5}")
    for name, (latencies, hits) in results.items():
        print(f"{name:32} {statistics.median(latencies):8.1f} {percentile(latencies, 0.99):8.1f} {hits:5d}")
    print(f"{'all queries':32} {statistics.median(everything):8.1f} {percentile(everything, 0.99):8.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as scratch:
        tmp = Path(scratch)
        if args.only != "postgres":
            await run("sqlite", f"sqlite+aiosqlite:///{tmp / 'bench.db'}", tmp, args.messages, args.rounds)
        if args.only != "sqlite":
            postgres = start_postgres(tmp)
            try:
                url = postgres.create_database("search_bench")
                await run("postgres", url, tmp, args.messages, args.rounds)
            finally:
                postgres.stop()


if __name__ == "__main__":
    asyncio.run(main())
