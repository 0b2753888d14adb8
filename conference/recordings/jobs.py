"""The recordings table as a job queue shared by recorder workers on any number of machines.

A worker claims a `starting` recording (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so workers
never wait on each other; SQLite: a conditional UPDATE, which its single writer makes atomic),
then heartbeats while it writes. A job whose heartbeat lapses was lost with its worker: a job that
had begun writing is finalized as `interrupted` (its fragmented MP4 plays up to the crash); one
that had not is handed back to the queue for another worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference.db import utcnow
from conference.integrations.outbox import enqueue_for_room
from conference.realtime.events import record_event
from conference.realtime.models import Event
from conference.recordings.models import ACTIVE_STATUSES
from conference.recordings.models import Recording as RecordingRow
from conference.recordings.schemas import Recording

HEARTBEAT_S = 2.0
STALE_AFTER_S = 10.0  # five missed heartbeats: the worker is gone
START_TIMEOUT_S = 120.0  # a recording no worker claimed by then fails, so the host is not left waiting
# What a partial file holds, by storage key: (size in bytes, playable seconds), Nones when nothing plays.
Probe = Callable[[str], tuple[int | None, float | None]]


@dataclass(frozen=True)
class Job:
    id: str
    room_id: str
    layout: str
    audio_only: bool
    file_key: str | None  # set when the job was claimed before: a second part must not overwrite it


@dataclass(frozen=True)
class Beat:
    """What a heartbeat learned: whether the job is still this worker's, and whether to stop."""

    owned: bool
    stop: bool


def _job(row: RecordingRow) -> Job:
    return Job(row.id, row.room_id, row.layout, row.audio_only, row.file_key)


async def claim(db: AsyncSession, worker_id: str, now: datetime | None = None) -> Job | None:
    """The oldest unclaimed `starting` recording, now this worker's; None when there is none."""
    now = now or utcnow()
    waiting = (
        select(RecordingRow)
        .where(RecordingRow.status == "starting", RecordingRow.backend == "builtin", RecordingRow.worker_id.is_(None))
        .order_by(RecordingRow.created_at)
        .limit(1)
    )
    if db.get_bind().dialect.name == "postgresql":
        row = await db.scalar(waiting.with_for_update(skip_locked=True))
        if row is None:
            return None
        row.worker_id, row.heartbeat_at = worker_id, now
        await db.commit()
        return _job(row)
    row = await db.scalar(waiting)
    if row is None:
        return None
    taken = await db.execute(
        update(RecordingRow)
        .where(RecordingRow.id == row.id, RecordingRow.worker_id.is_(None), RecordingRow.status == "starting")
        .values(worker_id=worker_id, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    return _job(row) if taken.rowcount == 1 else None  # type: ignore[attr-defined]


async def heartbeat(db: AsyncSession, job_id: str, worker_id: str, *, write: bool = True) -> Beat:
    """Reads whether to stop; with `write`, also stamps the heartbeat (reads are cheaper and more frequent)."""
    mine = (RecordingRow.id == job_id, RecordingRow.worker_id == worker_id, RecordingRow.status.in_(ACTIVE_STATUSES))
    if write:
        result = await db.execute(
            update(RecordingRow).where(*mine).values(heartbeat_at=utcnow()).returning(RecordingRow.stop_requested)
        )
        stop = result.scalar_one_or_none()
        await db.commit()
    else:
        stop = await db.scalar(select(RecordingRow.stop_requested).where(*mine))
    return Beat(owned=stop is not None, stop=bool(stop))


async def _owned(db: AsyncSession, job_id: str, worker_id: str) -> RecordingRow | None:
    row = await db.get(RecordingRow, job_id, with_for_update=db.get_bind().dialect.name == "postgresql")
    if row is None or row.worker_id != worker_id or row.status not in ACTIVE_STATUSES:
        return None
    return row


async def began(db: AsyncSession, job_id: str, worker_id: str, file_key: str) -> list[Event]:
    """The worker is in the room and writing: `recording.started` (unless a stop came first)."""
    row = await _owned(db, job_id, worker_id)
    if row is None:
        return []
    row.file_key, row.started_at, row.heartbeat_at = file_key, utcnow(), utcnow()
    if row.status != "starting":  # stopped while joining: the worker finishes at once
        await db.commit()
        return []
    row.status = "recording"
    events = [await record_event(db, "recording.started", Recording.of(row), room_id=row.room_id)]
    await db.commit()
    return events


async def finished(
    db: AsyncSession,
    job_id: str,
    worker_id: str,
    *,
    size: int | None,
    duration: float | None,
    error: str | None,
    interrupted: bool = False,
) -> list[Event]:
    """The file is closed: `recording.ready`, or `recording.failed` with the reason (status failed,
    or interrupted when the worker stopped early and the file plays)."""
    row = await _owned(db, job_id, worker_id)
    if row is None:
        return []
    plays = bool(size) and duration is not None
    if interrupted:
        row.status = "interrupted" if plays else "failed"
    else:
        row.status = "ready" if plays and error is None else "failed"
    row.size_bytes, row.duration_s, row.ended_at = size, duration, utcnow()
    row.error, row.worker_id, row.heartbeat_at = error, None, None
    kind = "ready" if row.status == "ready" else "failed"
    events = [await record_event(db, f"recording.{kind}", Recording.of(row), room_id=row.room_id)]
    if kind == "ready":  # the integrator that created the room hears of it (webhooks)
        await enqueue_for_room(db, row.room_id, "recording.ready", Recording.of(row))
    await db.commit()
    return events


async def reap(db: AsyncSession, probe: Probe, now: datetime | None = None) -> list[Event]:
    """Finalizes jobs whose worker stopped heartbeating, and fails recordings nobody claimed in time."""
    now = now or utcnow()
    stale = now - timedelta(seconds=STALE_AFTER_S)
    rows = list(
        await db.scalars(
            select(RecordingRow)
            .where(
                RecordingRow.status.in_(ACTIVE_STATUSES),
                RecordingRow.backend == "builtin",
                or_(
                    RecordingRow.heartbeat_at < stale,
                    and_(
                        RecordingRow.worker_id.is_(None),
                        RecordingRow.created_at < now - timedelta(seconds=START_TIMEOUT_S),
                    ),
                ),
            )
            .with_for_update(skip_locked=True)
        )
    )
    events: list[Event] = []
    for row in rows:
        event = await _reap_one(db, row, probe, now, stale)
        if event is not None:
            events.append(event)
    await db.commit()
    return events


async def _reap_one(db: AsyncSession, row: RecordingRow, probe: Probe, now: datetime, stale: datetime) -> Event | None:
    lapsed = row.heartbeat_at is not None and row.heartbeat_at < stale
    if row.status == "starting" and row.file_key is None:
        if lapsed:  # lost while joining: back to the queue for another worker
            row.worker_id, row.heartbeat_at = None, None
            return None
        if row.worker_id is not None:
            return None  # a live worker is still joining
        row.status, row.ended_at, row.error = "failed", now, "no recorder took this recording; is a worker running?"
        return await record_event(db, "recording.failed", Recording.of(row), room_id=row.room_id)
    if not lapsed:
        return None
    size, duration = probe(row.file_key) if row.file_key else (None, None)
    row.size_bytes, row.duration_s, row.ended_at = size, duration, now
    row.status = "interrupted" if size and duration else "failed"
    row.error, row.worker_id, row.heartbeat_at = "the recorder stopped responding", None, None
    return await record_event(db, "recording.failed", Recording.of(row), room_id=row.room_id)
