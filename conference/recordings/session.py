"""One recording from join to closed file: the clock (clock.py) writes while a watch task heartbeats
the job and notices a stop (a host, the room's end, the room emptying, or the job lost to another worker)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.livekit import LiveKit
from conference.realtime.models import Event
from conference.recordings import jobs
from conference.recordings.capture import RoomCapture
from conference.recordings.clock import run_clock
from conference.recordings.compose import Compositor
from conference.recordings.encoder import RecordingWriter, playable_duration
from conference.recordings.mixer import Mixer
from conference.recordings.storage import storage_for
from conference.settings import Settings

log = logging.getLogger("conference.recorder")
WATCH_S = 0.5  # how often a stop is looked for; heartbeats are written every jobs.HEARTBEAT_S
IDLE_STOP_S = 60.0  # the room stayed empty this long: the recording ends by itself

Publish = Callable[[list[Event]], Awaitable[None]]


@dataclass
class Outcome:
    lost: bool = False  # another worker took the job over: leave its row alone
    interrupted: bool = False  # the worker is shutting down before anyone stopped the recording
    error: str | None = None


class RecordingSession:
    def __init__(
        self,
        job: jobs.Job,
        *,
        settings: Settings,
        db: async_sessionmaker[AsyncSession],
        livekit: LiveKit,
        worker_id: str,
        publish: Publish,
    ) -> None:
        self.job, self.settings, self.db, self.livekit = job, settings, db, livekit
        self.worker_id, self.publish = worker_id, publish
        self.storage = storage_for(settings)
        self.stop = asyncio.Event()
        self.outcome = Outcome()
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"encode-{job.id}")

    async def run(self) -> None:
        job = self.job
        key = self.storage.key_for(job.id, job.room_id)
        path = self.storage.working_path(key)
        mixer = Mixer()
        capture = RoomCapture(mixer, video=not job.audio_only)
        watch = asyncio.create_task(self._watch(capture))
        writer: RecordingWriter | None = None
        cancelled = False
        try:
            token = self.livekit.mint_recorder_token(room=job.room_id, identity=f"recorder-{job.id}")
            await capture.connect(self.livekit.server_ws_url, token)
            writer = await asyncio.get_running_loop().run_in_executor(self._encoder, self._open_writer, path)
            await self._publish(jobs.began, key)
            await self._record(capture, mixer, writer)
        except asyncio.CancelledError:  # the worker is stopping: close the file and say so
            cancelled, self.outcome.interrupted = True, True
            self.outcome.error = "the recorder was shut down"
        except Exception as error:  # the job must end in a status whatever broke
            log.exception("recording %s failed", job.id)
            self.outcome.error = f"{type(error).__name__}: {error}"[:500]
        finally:
            watch.cancel()
            await asyncio.gather(watch, return_exceptions=True)
            await capture.close()
            if writer is not None:
                await self._in_encoder(writer.close)
            self._encoder.shutdown(wait=False)
        await self._finish(key)
        if cancelled:
            raise asyncio.CancelledError

    def _open_writer(self, path: Path) -> RecordingWriter:
        return RecordingWriter(
            path,
            width=self.settings.recording_width,
            height=self.settings.recording_height,
            fps=self.settings.recording_fps,
            audio_only=self.job.audio_only,
        )

    async def _record(self, capture: RoomCapture, mixer: Mixer, writer: RecordingWriter) -> None:
        settings = self.settings
        compositor = None
        if not self.job.audio_only:
            compositor = Compositor(settings.recording_width, settings.recording_height, self.job.layout)
        stats = await run_clock(
            self.stop, capture, mixer, writer, compositor, fps=settings.recording_fps, encoder=self._encoder
        )
        if stats.skipped:
            log.warning(
                "recording %s: %d of %d frames skipped (encoding fell behind)", self.job.id, stats.skipped, stats.frames
            )

    async def _watch(self, capture: RoomCapture) -> None:
        """Heartbeats, and sets `stop` when the job should end."""
        last_beat, empty_since = 0.0, None
        while not self.stop.is_set():
            now = time.monotonic()
            try:
                async with self.db() as db:
                    beat = await jobs.heartbeat(
                        db, self.job.id, self.worker_id, write=now - last_beat >= jobs.HEARTBEAT_S
                    )
            except Exception:  # the database is away: keep recording; if it stays away the job is reaped
                log.exception("recording %s: heartbeat failed", self.job.id)
                await asyncio.sleep(WATCH_S)
                continue
            last_beat = now if now - last_beat >= jobs.HEARTBEAT_S else last_beat
            empty_since = (empty_since or now) if capture.people() == 0 else None
            if not beat.owned:
                self.outcome.lost = True
            if not beat.owned or beat.stop or capture.disconnected.is_set():
                self.stop.set()
            elif empty_since is not None and now - empty_since > IDLE_STOP_S:
                log.info("recording %s: the room stayed empty, stopping", self.job.id)
                self.stop.set()
            await asyncio.sleep(WATCH_S)

    async def _finish(self, key: str) -> None:
        if self.outcome.lost:
            log.warning("recording %s was taken over by another worker; leaving it", self.job.id)
            return
        path = self.storage.working_path(key)
        size = path.stat().st_size if path.is_file() else None
        duration = await asyncio.to_thread(playable_duration, path) if size else None
        try:
            await self.storage.store(key)  # into the bucket before anyone is told it is ready
        except Exception as error:
            log.exception("recording %s: storing the file failed", self.job.id)
            self.outcome.error = self.outcome.error or f"storing the file failed: {type(error).__name__}: {error}"[:500]
        await self._publish(
            jobs.finished,
            size=size,
            duration=duration,
            error=self.outcome.error,
            interrupted=self.outcome.interrupted,
        )

    async def _publish(self, step: Callable[..., Awaitable[list[Event]]], *args: object, **kwargs: object) -> None:
        async with self.db() as db:
            events = await step(db, self.job.id, self.worker_id, *args, **kwargs)
        await self.publish(events)

    async def _in_encoder(self, function: Callable[..., object], *args: object) -> object:
        return await asyncio.get_running_loop().run_in_executor(self._encoder, function, *args)
