"""Every replica removes, now and then, the files of uploads nobody can read any more (service.sweep):
a deleted message's, ones never attached, ones whose room is gone. Two replicas sweeping at once
delete the same files twice, which is harmless."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from conference.deps import DEPS
from conference.uploads import service

log = logging.getLogger("conference.uploads")
SWEEP_EVERY_S = 300.0


async def _sweep_forever(app: web.Application) -> None:
    while True:
        await asyncio.sleep(SWEEP_EVERY_S)
        try:
            while await service.sweep(app[DEPS]) == service.SWEEP_BATCH:
                pass  # a full batch: there may be more
        except Exception:
            log.exception("upload sweep failed; trying again later")


async def sweeper(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_sweep_forever(app))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
