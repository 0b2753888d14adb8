"""App replicas as real processes (`python -m conference serve`) on loopback, and the figures the fault
tests measure (test-artifacts/faults.json, copied into docs/operations.md)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.servers import LIVEKIT_API_KEY, LIVEKIT_API_SECRET, REPO, free_port, log_tail

JWT_SECRET = "test-jwt-secret-" + "x" * 32
PRESENCE_TTL_S = 2
FIGURES = REPO / "test-artifacts" / "faults.json"


@dataclass
class Replica:
    """One app process. `env` overrides what the defaults below set."""

    name: str
    database_url: str
    livekit_ws: str
    livekit_http: str
    log_dir: Path
    redis_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": self.database_url,
            "LIVEKIT_URL": self.livekit_ws,
            "LIVEKIT_API_URL": self.livekit_http,
            "LIVEKIT_API_KEY": LIVEKIT_API_KEY,
            "LIVEKIT_API_SECRET": LIVEKIT_API_SECRET,
            "JWT_SECRET": JWT_SECRET,
            "PRESENCE_TTL_S": str(PRESENCE_TTL_S),
            "LOG_LEVEL": "WARNING",
            "BCRYPT_ROUNDS": "4",
            # The load driver's senders are few and busy; the limits are tested elsewhere.
            "MESSAGES_PER_10S": "100000",
            "MESSAGES_PER_MINUTE": "100000",
            "LOGIN_RATE_PER_MINUTE": "100000",
            "REGISTRATIONS_PER_HOUR": "100000",
            "WS_TICKETS_PER_MINUTE": "100000",
            **self.env,
        }
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    async def start(self) -> Replica:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "conference", "serve"],
            cwd=REPO,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        await self.wait_healthy()
        return self

    async def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.poll() is None, self.failure("exited")
                try:
                    async with session.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(self.failure(f"did not come up within {timeout}s"))

    def failure(self, what: str) -> str:
        return f"replica {self.name} {what}; log {self.log_path}:\n{log_tail(self.log_path)}"

    def kill(self) -> None:
        """SIGKILL: no goodbye, no socket closed cleanly, presence left to lapse."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Replicas:
    """Started together, always stopped (an async context manager)."""

    def __init__(self, *replicas: Replica) -> None:
        self.all = list(replicas)

    async def __aenter__(self) -> list[Replica]:
        try:
            await asyncio.gather(*(replica.start() for replica in self.all))
        except BaseException:
            self.stop()
            raise
        return self.all

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for replica in self.all:
            replica.stop()


def record_figures(test: str, **figures: object) -> None:
    """Adds one test's figures to test-artifacts/faults.json (and prints them, for -s)."""
    FIGURES.parent.mkdir(exist_ok=True)
    try:
        known = json.loads(FIGURES.read_text())
    except (OSError, ValueError):
        known = {}
    known[test] = figures
    FIGURES.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")
    print(f"\n{test}: {json.dumps(figures, sort_keys=True)}")
