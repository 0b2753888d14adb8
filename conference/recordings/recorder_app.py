"""The recorder's places in a process: inside `conference serve` (a cleanup_ctx) and as
`conference recorder` (its own process, no HTTP)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from conference.db import create_engine
from conference.deps import DEPS
from conference.livekit import LiveKit
from conference.migrations import ensure_schema
from conference.realtime.models import Event
from conference.recordings.worker import RecorderWorker
from conference.settings import Settings

log = logging.getLogger("conference.recorder")


async def recordings_ctx(app: web.Application) -> AsyncIterator[None]:
    """With RECORDER_IN_PROCESS, this app records too: one worker publishing through the app's hub.
    Without it, the app still reaps lapsed jobs, so a dead worker's recording never hangs as 'recording'."""
    deps = app[DEPS]

    async def publish(events: list[Event]) -> None:
        await deps.publish(*events)

    worker = RecorderWorker(deps.settings, deps.db, deps.livekit, publish)
    if deps.settings.recorder_in_process and deps.settings.recorder == "builtin":
        task = asyncio.create_task(worker.run(), name="recorder")
    else:
        task = asyncio.create_task(_reap_forever(worker), name="recording-reaper")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _reap_forever(worker: RecorderWorker) -> None:
    from conference.recordings.worker import REAP_EVERY_S

    while True:
        await asyncio.sleep(REAP_EVERY_S)
        try:
            await worker.reap()
        except Exception:  # a database hiccup must not end the reaping
            log.exception("reaping recordings failed; trying again")


async def run_recorder(settings: Settings) -> int:
    """`conference recorder`: a worker until SIGTERM or SIGINT; its recordings end as interrupted."""
    engine = create_engine(settings.database_url)
    await ensure_schema(engine, settings.database_url, create_when_empty=False)
    livekit = LiveKit(settings)
    await livekit.start()
    worker = RecorderWorker(settings, async_sessionmaker(engine, expire_on_commit=False), livekit)
    task = asyncio.create_task(worker.run())
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        pass
    finally:
        await livekit.close()
        await engine.dispose()
    log.info("recorder %s stopped", worker.id)
    return 0
