"""Garbage collection for a long-running server process.

The objects made at startup (modules, SQLAlchemy mappers, pydantic schemas, route tables:
~130,000) live as long as the process, yet every full collection walked them again: 90-160 ms
with the event loop stopped, the tail of bench/token_bench.py. Once the app is up they are
moved out of the collector's sight (gc.freeze); what requests make is collected as before."""

from __future__ import annotations

import gc
import logging

from aiohttp import web

log = logging.getLogger("conference.heap")


async def freeze_startup_heap(app: web.Application) -> None:
    gc.collect()
    gc.freeze()
    log.info("%d startup objects frozen out of garbage collection", gc.get_freeze_count())


def register(app: web.Application) -> None:
    """Runs after every startup context (database, LiveKit, hub) has made its objects."""
    app.on_startup.append(freeze_startup_heap)
