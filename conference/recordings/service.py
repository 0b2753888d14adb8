"""Recording rules: who may start, stop, list, download and delete recordings, and one active
recording per room. The recorder (worker.py, or LiveKit Egress) does the writing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Conflict, Forbidden, NotFound, RoomEnded
from conference.integrations.outbox import enqueue_for_room
from conference.realtime.events import record_event
from conference.realtime.models import Event
from conference.recordings import links
from conference.recordings.models import ACTIVE_STATUSES
from conference.recordings.models import Recording as RecordingRow
from conference.recordings.schemas import Layout, Recording, RecordingList
from conference.recordings.storage import LocalFile, ObjectStream, RecordingStorage, storage_for
from conference.rooms.models import Room as RoomRow
from conference.rooms.service import load_room, require_host, require_member


@dataclass(frozen=True)
class Caller:
    """A signed-in user, or the integrator's API key that created the room."""

    user_id: str | None = None
    api_key_id: str | None = None


@dataclass(frozen=True)
class RecordingFile:
    key: str
    content_type: str
    download_name: str
    storage: RecordingStorage

    async def open(self, range_header: str | None) -> LocalFile | ObjectStream:
        source = await self.storage.open(self.key, range_header)
        if source is None:
            raise NotFound("this recording has no file yet")
        return source


def storage_of(deps: Deps) -> RecordingStorage:
    return storage_for(deps.settings)


async def _may_see(db: AsyncSession, room_id: str, caller: Caller) -> RoomRow:
    """Members of the room see its recordings, and so does the API key that created it."""
    if caller.user_id is not None:
        room, _ = await require_member(db, room_id, caller.user_id)
        return room
    room = await load_room(db, room_id)
    if caller.api_key_id is None or room.api_key_id != caller.api_key_id:
        raise Forbidden("this API key did not create this room")
    return room


async def _load(db: AsyncSession, recording_id: str) -> RecordingRow:
    row = await db.get(RecordingRow, recording_id) if len(recording_id) <= 24 else None
    if row is None:
        raise NotFound("no recording with this ID")
    return row


async def start_recording(deps: Deps, raw_room_id: str, user_id: str, *, layout: Layout, audio_only: bool) -> Recording:
    async with deps.db() as db:
        room = await require_host(db, raw_room_id, user_id)
        if room.status == "ended":
            raise RoomEnded()
        row = RecordingRow(
            id=secrets.token_hex(8),
            room_id=room.id,
            started_by=user_id,
            layout=layout,
            audio_only=audio_only,
            status="starting",
            backend=deps.settings.recorder,
            content_type="audio/mp4" if audio_only else "video/mp4",
        )
        db.add(row)
        try:
            await db.flush()
        except IntegrityError:  # the partial unique index: this room already has an active recording
            raise Conflict("this room is already being recorded; stop that recording first") from None
        if deps.settings.recorder == "egress":
            from conference.recordings.egress import start_egress

            await start_egress(deps, row)
        answer = Recording.of(row)
        await db.commit()
    return answer


async def stop_recording(deps: Deps, recording_id: str, user_id: str) -> Recording:
    async with deps.db() as db:
        row = await _load(db, recording_id)
        await require_host(db, row.room_id, user_id)
        events = await request_stop(db, row)
        if row.backend == "egress" and row.status == "processing":
            from conference.recordings.egress import stop_egress

            await stop_egress(deps, row)
            row.size_bytes = await storage_of(deps).size(row.file_key or "")
            events.append(await record_event(db, "recording.ready", Recording.of(row), room_id=row.room_id))
            await enqueue_for_room(db, row.room_id, "recording.ready", Recording.of(row))
        answer = Recording.of(row)
        await db.commit()
    await deps.publish(*events)
    return answer


async def request_stop(db: AsyncSession, row: RecordingRow) -> list[Event]:
    """Tells the recorder to finish the file (in the caller's transaction). A recording no worker
    has begun yet ends at once as failed; a stopped one is left as it is."""
    if row.status not in ("starting", "recording"):
        return []
    row.stop_requested = True
    if row.status == "starting" and row.worker_id is None:
        row.status, row.ended_at, row.error = "failed", utcnow(), "stopped before a recorder began"
        return [await record_event(db, "recording.failed", Recording.of(row), room_id=row.room_id)]
    row.status = "processing"
    return [await record_event(db, "recording.stopped", Recording.of(row), room_id=row.room_id)]


async def stop_room_recordings(db: AsyncSession, room_id: str) -> list[Event]:
    """The room is ending: its recording stops with it (in the caller's transaction)."""
    rows = await db.scalars(
        select(RecordingRow).where(RecordingRow.room_id == room_id, RecordingRow.status.in_(ACTIVE_STATUSES))
    )
    return [event for row in rows for event in await request_stop(db, row)]


async def list_recordings(deps: Deps, raw_room_id: str, caller: Caller) -> RecordingList:
    async with deps.db() as db:
        room = await _may_see(db, raw_room_id, caller)
        rows = await db.scalars(
            select(RecordingRow).where(RecordingRow.room_id == room.id).order_by(RecordingRow.created_at.desc())
        )
        return RecordingList(items=[Recording.of(row) for row in rows])


async def get_recording(deps: Deps, recording_id: str, caller: Caller) -> Recording:
    async with deps.db() as db:
        row = await _load(db, recording_id)
        await _may_see(db, row.room_id, caller)
        return Recording.of(row)


async def file_link(deps: Deps, recording_id: str, caller: Caller) -> tuple[str, int]:
    """A signed download path for players that cannot send headers, and when it expires."""
    recording = await get_recording(deps, recording_id, caller)
    if recording.file_url is None:
        raise NotFound("this recording has no file yet")
    token, expires = links.sign(deps.settings.jwt_secret, recording.id)
    return f"{recording.file_url}?token={token}", expires


async def recording_file(deps: Deps, recording_id: str, caller: Caller | None) -> RecordingFile:
    """The file to send; `caller` None means a signed link was checked already."""
    async with deps.db() as db:
        row = await _load(db, recording_id)
        if caller is not None:
            await _may_see(db, row.room_id, caller)
    if row.status not in ("ready", "interrupted") or not row.file_key:
        raise NotFound("this recording has no file yet")
    extension = PurePosixPath(row.file_key).suffix or ".mp4"
    name = f"recording-{row.room_id}-{row.id}{extension}"
    return RecordingFile(row.file_key, row.content_type, name, storage_of(deps))


async def delete_recording(deps: Deps, recording_id: str, user_id: str) -> None:
    async with deps.db() as db:
        row = await _load(db, recording_id)
        await require_host(db, row.room_id, user_id)
        if row.status in ACTIVE_STATUSES:
            raise Conflict("this recording is still running; stop it first")
        key = row.file_key
        await db.delete(row)
        await db.commit()
    if key:
        await storage_of(deps).delete(key)
