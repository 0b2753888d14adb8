"""A recorder worker: claims recording jobs from the database, records each in a RecordingSession,
and finalizes jobs of workers that died. Runs as `conference recorder` (its own process, any
number of machines) or inside `conference serve` (RECORDER_IN_PROCESS, the laptop default)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.db import utcnow
from conference.livekit import LiveKit
from conference.realtime.models import Event
from conference.recordings import jobs
from conference.recordings.encoder import playable_duration
from conference.recordings.models import Recording
from conference.recordings.session import RecordingSession
from conference.recordings.storage import storage_for
from conference.settings import Settings

log = logging.getLogger("conference.recorder")
POLL_S = 1.0
REAP_EVERY_S = 5.0
PRUNE_EVERY_S = 3600.0
CPU_BUSY = 0.8  # share of the machine's cores in use above which no new job is taken

Publish = Callable[[list[Event]], Awaitable[None]]


async def _nobody_listens(events: list[Event]) -> None:
    """A worker in its own process has no hub: the replicas' event streams read its events from the
    database (they poll the log every second), so they still reach browsers."""
    return None


class CpuMeter:
    """This process's CPU use as a share of the machine, over the last interval."""

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 1
        self._last = (time.monotonic(), time.process_time())
        self.share = 0.0

    def sample(self) -> float:
        now, cpu = time.monotonic(), time.process_time()
        wall = now - self._last[0]
        if wall >= 1.0:
            self.share = (cpu - self._last[1]) / wall / self.cores
            self._last = (now, cpu)
        return self.share


class RecorderWorker:
    def __init__(
        self,
        settings: Settings,
        db: async_sessionmaker[AsyncSession],
        livekit: LiveKit,
        publish: Publish | None = None,
    ) -> None:
        self.settings, self.db, self.livekit = settings, db, livekit
        self.publish = publish or _nobody_listens
        self.id = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.sessions: dict[str, asyncio.Task[None]] = {}
        self.cpu = CpuMeter()
        self.storage = storage_for(settings)

    async def run(self) -> None:
        """Until cancelled: reap lapsed jobs, take new ones while there is room, prune old files."""
        log.info("recorder %s ready (up to %d at once)", self.id, self.settings.recording_max_jobs)
        last_reap = last_prune = 0.0
        try:
            while True:
                now = time.monotonic()
                if now - last_reap >= REAP_EVERY_S:
                    last_reap = now
                    await self._guarded(self.reap)
                if now - last_prune >= PRUNE_EVERY_S:
                    last_prune = now
                    await self._guarded(self.prune)
                await self._guarded(self._take_jobs)
                await asyncio.sleep(POLL_S)
        finally:
            await self.shutdown()

    async def _take_jobs(self) -> None:
        while len(self.sessions) < self.settings.recording_max_jobs:
            if self.sessions and self.cpu.sample() > CPU_BUSY:
                log.info("recorder %s is busy (%.0f%% CPU); leaving jobs to others", self.id, self.cpu.share * 100)
                return
            async with self.db() as db:
                job = await jobs.claim(db, self.id)
            if job is None:
                return
            log.info("recorder %s records %s (room %s)", self.id, job.id, job.room_id)
            session = RecordingSession(
                job, settings=self.settings, db=self.db, livekit=self.livekit, worker_id=self.id, publish=self.publish
            )
            task = asyncio.create_task(session.run(), name=f"recording-{job.id}")
            self.sessions[job.id] = task
            task.add_done_callback(self._forget(job.id))

    def _forget(self, job_id: str) -> Callable[[asyncio.Task[None]], None]:
        def forget(_: asyncio.Task[None]) -> None:
            self.sessions.pop(job_id, None)

        return forget

    async def reap(self) -> None:
        probed: list[str] = []

        def probe(file_key: str) -> tuple[int | None, float | None]:
            """The dead job's working file, when it died on this machine (else nothing plays)."""
            probed.append(file_key)
            path = self.storage.working_path(file_key)
            size = path.stat().st_size if path.is_file() else None
            return size, playable_duration(path) if size else None

        async with self.db() as db:
            events = await jobs.reap(db, probe)
        for key in probed:  # the partial file goes where finished ones go (the bucket, when set)
            await self.storage.store(key)
        await self.publish(events)

    async def prune(self) -> None:
        """Deletes recordings (row and file) older than RECORDING_RETENTION_DAYS, when set."""
        days = self.settings.recording_retention_days
        if days <= 0:
            return
        async with self.db() as db:
            old = list(
                await db.scalars(
                    select(Recording).where(
                        Recording.created_at < utcnow() - timedelta(days=days),
                        Recording.status.in_(("ready", "failed", "interrupted")),
                    )
                )
            )
            for row in old:
                if row.file_key:
                    await self.storage.delete(row.file_key)
                await db.delete(row)
            await db.commit()
        if old:
            log.info("deleted %d recordings older than %d days", len(old), days)

    async def shutdown(self) -> None:
        """Stopping the worker ends its recordings: the files are closed; the jobs end as interrupted
        by the reaper (another worker, or this one on its next start) since nobody heartbeats them."""
        tasks = list(self.sessions.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _guarded(self, step: Callable[[], Awaitable[None]]) -> None:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup must not end the worker
            log.exception("recorder %s: %s failed; trying again", self.id, step.__name__)
