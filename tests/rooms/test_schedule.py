"""Scheduled rooms: starts_at keeps everyone but hosts out until then (409 not_started), expires_at ends the
room by itself (409 room_ended after it), and the room as a calendar file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from conference.deps import DEPS
from conference.rooms.schedule import end_expired
from tests.guests.steps import join_as_guest
from tests.helpers import create_room, error_of, join, register
from tests.realtime.sockets import connect


def at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


HOUR = timedelta(hours=1)


async def test_before_its_start_only_hosts_come_in_and_others_are_told_when(api):
    host, member = await register(api), await register(api)
    starts = at(HOUR)
    room = await create_room(api, host, starts_at=starts, expires_at=at(2 * HOUR), guest_access="open")
    assert room["starts_at"] == starts and room["expires_at"] == at(2 * HOUR)[:-3] + room["expires_at"][-3:]
    early = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=member.headers)
    assert await error_of(early) == (409, "not_started")
    assert (await early.json())["error"]["fields"] == {"starts_at": starts}
    guest = await api.post(f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "Early"})
    assert await error_of(guest) == (409, "not_started")
    assert (await join(api, host, room["id"]))["role"] == "host"  # hosts may open early

    moved = await api.patch(f"/api/v1/rooms/{room['id']}", json={"starts_at": None}, headers=host.headers)
    assert (await moved.json())["starts_at"] is None
    assert (await join(api, member, room["id"]))["role"] == "participant"


async def test_an_expired_room_ends_itself_for_everyone(api):
    host, member = await register(api), await register(api)
    room = await create_room(api, host, guest_access="open", expires_at=at(HOUR))
    await join(api, member, room["id"])
    guest = await join_as_guest(api, room["id"])
    socket = await connect(api, member)
    await socket.expect("ready")
    deps = api.server.app[DEPS]
    async with deps.db() as db:
        from sqlalchemy import update

        from conference.rooms.models import Room

        await db.execute(
            update(Room).where(Room.id == room["id"]).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await db.commit()
    late = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=(await register(api)).headers)
    assert await error_of(late) == (409, "room_ended")  # at once, before any sweep

    assert await end_expired(deps) == 1
    assert await end_expired(deps) == 0  # ended once, by one sweep
    await socket.expect("room.ended", room_id=room["id"])
    got = await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)
    assert (await got.json())["status"] == "ended"
    gone = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers)
    assert await error_of(gone) == (401, "unauthorized")


async def test_every_replica_sweeps_expired_rooms_by_itself(make_api):
    async with make_api() as api:
        host = await register(api)
        room = await create_room(api, host, expires_at=at(timedelta(seconds=2)))
        for _ in range(100):
            got = await (await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)).json()
            if got["status"] == "ended":
                break
            await asyncio.sleep(0.2)
        assert got["status"] == "ended" and got["ended_at"] is not None


@pytest.mark.parametrize(
    "times, field",
    [
        ({"starts_at": "2026-11-23T10:00:00"}, "starts_at"),  # no zone
        ({"starts_at": 1795773600}, "starts_at"),  # a number of seconds
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),  # the past
        ({"starts_at": at(2 * HOUR), "expires_at": at(HOUR)}, "expires_at"),  # before its start
        ({"starts_at": at(timedelta(days=400))}, "starts_at"),
        ({"expires_at": at(timedelta(days=500))}, "expires_at"),
    ],
)
async def test_a_schedule_is_two_zoned_times_in_order_within_a_year(api, times, field):
    host = await register(api)
    created = await api.post("/api/v1/rooms", json={"name": "S", **times}, headers=host.headers)
    assert await error_of(created) == (400, "validation_failed")
    assert field in (await created.json())["error"]["fields"]
    room = await create_room(api, host)
    patched = await api.patch(f"/api/v1/rooms/{room['id']}", json=times, headers=host.headers)
    assert await error_of(patched) == (400, "validation_failed")
    unchanged = await (await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)).json()
    assert unchanged["starts_at"] is None and unchanged["expires_at"] is None


async def test_a_patch_checks_the_times_it_keeps_too(api):
    host = await register(api)
    room = await create_room(api, host, starts_at=at(2 * HOUR))
    response = await api.patch(f"/api/v1/rooms/{room['id']}", json={"expires_at": at(HOUR)}, headers=host.headers)
    assert await error_of(response) == (400, "validation_failed")


async def test_a_scheduled_room_downloads_as_a_calendar_event(api):
    host = await register(api)
    start = (datetime.now(UTC) + timedelta(days=30)).replace(hour=9, minute=30, second=0, microsecond=0)
    room = await create_room(api, host, name="Design; review, v2", starts_at=start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    response = await api.get(f"/api/v1/rooms/{room['id']}/calendar.ics")
    assert response.status == 200 and response.content_type == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{room["id"]}.ics"'
    text = await response.text()
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    ics = "%Y%m%dT%H%M%SZ"
    assert f"DTSTART:{start.strftime(ics)}" in lines
    assert f"DTEND:{(start + HOUR).strftime(ics)}" in lines  # an hour when the room does not expire
    assert "SUMMARY:Design\\; review\\, v2" in lines
    assert f"UID:{room['id']}@conference.test" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert f"URL:http://conference.test/r/{room['id']}" in unfolded


async def test_a_calendar_file_needs_a_schedule_and_keeps_a_closed_rooms_name(api):
    host = await register(api)
    plain = await create_room(api, host)
    assert await error_of(await api.get(f"/api/v1/rooms/{plain['id']}/calendar.ics")) == (404, "not_found")
    assert await error_of(await api.get("/api/v1/rooms/zzz-zzzz-zzz/calendar.ics")) == (404, "not_found")
    closed = await create_room(api, host, name="Board", guest_access="off", starts_at=at(HOUR))
    text = await (await api.get(f"/api/v1/rooms/{closed['id']}/calendar.ics")).text()
    assert "SUMMARY:Meeting" in text and "Board" not in text
