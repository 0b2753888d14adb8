"""What domain functions need from the running app, bundled so handlers pass one thing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from conference.realtime.events import frame_of
from conference.settings import Settings

if TYPE_CHECKING:
    from conference.livekit import LiveKit
    from conference.realtime.hub import Hub
    from conference.realtime.models import Event
    from conference.rooms.standing import StandingCache


@dataclass
class Deps:
    db: async_sessionmaker
    livekit: "LiveKit"
    hub: "Hub"
    settings: Settings
    standings: "StandingCache"

    async def publish(self, *events: "Event") -> None:
        """Push events that are already committed to the database."""
        for event in events:
            await self.hub.publish(frame_of(event))


DEPS = web.AppKey("deps", Deps)


def deps(request: web.Request) -> Deps:
    return request.app[DEPS]
