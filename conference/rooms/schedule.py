"""Scheduled rooms: `starts_at` (before it only hosts may come in; others get 409 not_started) and
`expires_at` (the room ends itself then: every replica sweeps, one wins each room), and the room as a
calendar event (GET /rooms/{id}/calendar.ics)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import AwareDatetime, BeforeValidator, Field
from sqlalchemy import select

from conference.db import utcnow
from conference.deps import DEPS, Deps
from conference.errors import NotFound, NotStarted, RoomEnded, ValidationFailed
from conference.rooms.models import Room

log = logging.getLogger("conference.rooms.schedule")
SWEEP_EVERY_S = 5.0
LONGEST_AHEAD = timedelta(days=366)  # a schedule further out than this is a typo
DEFAULT_LENGTH = timedelta(hours=1)  # a calendar event of a room that does not expire


def _text_only(value: object) -> object:
    """JSON has no time type: an ISO 8601 string with its zone, not a number of seconds."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 time with a zone, e.g. 2026-11-23T10:00:00Z")
    return value


# What bodies accept for a scheduled time (the bodies are strict; this field parses its string).
ScheduleTime = Annotated[AwareDatetime, BeforeValidator(_text_only), Field(strict=False)]


def check_times(starts_at: datetime | None, expires_at: datetime | None, now: datetime | None = None) -> None:
    now = now or utcnow()
    problems = {}
    if expires_at is not None and expires_at <= now:
        problems["expires_at"] = "must be in the future"
    if starts_at is not None and starts_at > now + LONGEST_AHEAD:
        problems["starts_at"] = "must be within a year"
    if expires_at is not None and expires_at > now + LONGEST_AHEAD + DEFAULT_LENGTH * 24:
        problems["expires_at"] = "must be within a year"
    if starts_at is not None and expires_at is not None and expires_at <= starts_at:
        problems["expires_at"] = "must be after starts_at"
    if problems:
        raise ValidationFailed("the schedule is not valid", fields=problems)


def check_open(room: Room, host: bool) -> None:
    """Joining now: an expired room has ended (even before the sweep gets to it); before its start only
    hosts come in."""
    now = utcnow()
    if room.expires_at is not None and room.expires_at <= now:
        raise RoomEnded()
    if room.starts_at is not None and room.starts_at > now and not host:
        raise NotStarted(room.starts_at)


async def end_expired(deps: Deps, limit: int = 100) -> int:
    """Ends the rooms whose time is up; returns how many this replica ended."""
    from conference.rooms.service import close_room  # the one way a room ends

    async with deps.db() as db:
        due = list(
            await db.scalars(
                select(Room.id)
                .where(Room.status == "active", Room.expires_at.is_not(None), Room.expires_at <= utcnow())
                .order_by(Room.expires_at)
                .limit(limit)
            )
        )
    ended = 0
    for room_id in due:
        ended += await close_room(deps, room_id)
    return ended


async def sweeper(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: every replica looks for expired rooms every few seconds."""

    async def sweep_forever() -> None:
        while True:
            await asyncio.sleep(SWEEP_EVERY_S)
            try:
                ended = await end_expired(app[DEPS])
            except asyncio.CancelledError:
                raise
            except Exception:  # the database or LiveKit is away: the next round tries again
                log.warning("could not end expired rooms", exc_info=True)
            else:
                if ended:
                    log.info("ended %d expired rooms", ended)

    task = asyncio.create_task(sweep_forever(), name="expired-rooms")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


# --- the calendar event (a plain route: its answer is text/calendar, not JSON) ---------------------
def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """RFC 5545: lines of at most 75 octets, continued on lines that start with a space."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def calendar(room: Room, public_url: str, title: str) -> str:
    """A VCALENDAR with the room's one event; it needs `starts_at`."""
    assert room.starts_at is not None
    join_url = f"{public_url}/r/{room.id}"
    ends = room.expires_at or room.starts_at + DEFAULT_LENGTH
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//conference//scheduled room//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{room.id}@{urlsplit(public_url).hostname or 'conference'}",
        f"DTSTAMP:{_ics_time(utcnow())}",
        f"DTSTART:{_ics_time(room.starts_at)}",
        f"DTEND:{_ics_time(ends)}",
        f"SUMMARY:{_ics_text(title)}",
        f"DESCRIPTION:{_ics_text('Join: ' + join_url)}",
        f"LOCATION:{_ics_text(join_url)}",
        f"URL:{join_url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))


async def calendar_file(request: web.Request) -> web.Response:
    """GET /api/v1/rooms/{room_id}/calendar.ics: anyone with the link, as the room's preview. The title is
    the room's name when guests may come (the preview shows it then), a plain "Meeting" otherwise."""
    from conference.clientaddr import client_address
    from conference.rooms.service import load_room

    deps = request.app[DEPS]
    await deps.limiter.hit(f"room-previews:{client_address(request)}", deps.settings.room_previews_per_minute)
    async with deps.db() as db:
        room = await load_room(db, request.match_info["room_id"])
    if room.starts_at is None:
        raise NotFound("this room has no schedule; set starts_at first")
    title = room.name if room.guest_access != "off" else "Meeting"
    return web.Response(
        body=calendar(room, deps.settings.public_url, title).encode(),
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{room.id}.ics"'},
    )


def register(app: web.Application) -> None:
    app.router.add_get("/api/v1/rooms/{room_id}/calendar.ics", calendar_file)
