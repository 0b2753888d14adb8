"""Recording events inside a domain's transaction and publishing them once committed."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from conference.realtime.catalog import event_models
from conference.realtime.hub import Envelope
from conference.realtime.models import Event

# Any constant will do: it names the one advisory lock that orders the event log.
EVENT_LOG_LOCK = 7_331_001


async def lock_event_log(db: AsyncSession) -> None:
    """Serialises the transactions that write events until they commit, so event ids become
    visible in the order they were given: a reader that sees id N has every id below N too.
    SQLite already has a single writer; PostgreSQL needs the advisory lock."""
    if db.get_bind().dialect.name != "postgresql":
        return
    transaction = db.sync_session.get_transaction()
    if transaction is not None and db.info.get("event_log_locked_by") is transaction:
        return  # this transaction holds it already; it is released at commit or rollback
    await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_LOG_LOCK})
    db.info["event_log_locked_by"] = db.sync_session.get_transaction()


@cache
def _catalog() -> dict[str, type[BaseModel]]:
    return event_models()


def _check(type_: str, data: BaseModel) -> None:
    declared = _catalog().get(type_)
    if type(data) is not declared:
        raise TypeError(f"event {type_} carries {type(data).__name__}, the catalog declares {declared}")


async def record_event(
    db: AsyncSession,
    type_: str,
    data: BaseModel,
    *,
    room_id: str | None = None,
    user_id: str | None = None,
) -> Event:
    """Adds the event to the caller's transaction; publish it with `frame_of` after commit.
    `data` must be the model the catalog declares for `type_`."""
    _check(type_, data)
    await lock_event_log(db)
    event = Event(type=type_, data=data.model_dump(mode="json"), room_id=room_id, user_id=user_id)
    db.add(event)
    await db.flush()
    return event


def ephemeral(type_: str, data: BaseModel, user_ids: Iterable[str]) -> Envelope:
    """The hub's envelope of an event that is pushed but never stored (presence, typing):
    it has no id and is not replayed."""
    _check(type_, data)
    return {"type": type_, "data": data.model_dump(mode="json"), "user_ids": sorted(user_ids)}


def frame_of(event: Event) -> Envelope:
    """The hub's envelope: the client frame plus its audience."""
    return {"id": event.id, "type": event.type, "data": event.data, "room_id": event.room_id, "user_id": event.user_id}
