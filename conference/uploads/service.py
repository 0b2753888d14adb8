"""Uploads: receive a spooled file (sniff, refuse disguises, preview, store, record), let a message
take up to ten of its owner's uploads, tell who may read one, and forget a deleted message's files.

A message's uploads are attached in the message's own transaction (`attach`), so a message and its
files appear together; `detach_for` likewise runs in the transaction that deletes the message, and
the files themselves go in the sweep (`sweep`), which also removes uploads nobody attached in time."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference.chat.access import require_readable
from conference.chat.models import ChatMessage, DirectMessage
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import AlreadyAttached, Forbidden, NotFound, ValidationFailed
from conference.filestore import disk_io
from conference.groups.models import GroupMessage
from conference.uploads.models import Upload
from conference.uploads.schemas import MAX_ATTACHMENTS, Attachment, thumbnail_url_of, url_of
from conference.uploads.sniff import HEAD_BYTES, THUMBNAILED, check_name, sniff
from conference.uploads.storage import FileStore, file_key, store_for, thumbnail_key
from conference.uploads.thumbnails import make_thumbnail

log = logging.getLogger("conference.uploads")
UNATTACHED_KEPT = timedelta(hours=24)  # an upload no message took by then was abandoned in a composer
SWEEP_BATCH = 500


def attachment_of(row: Upload) -> Attachment:
    return Attachment(
        id=row.id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        url=url_of(row.id),
        thumbnail_url=thumbnail_url_of(row.id) if row.thumbnail_key else None,
        width=row.width,
        height=row.height,
    )


async def receive(deps: Deps, owner_id: str, filename: str, spooled: Path) -> Attachment:
    """Keeps a file spooled to disk (removed here, kept or not) as the owner's new upload."""
    store = store_for(deps.settings)
    upload_id = secrets.token_hex(12)
    preview_path = spooled.with_name(spooled.name + ".thumb")
    stored: list[str] = []  # keys put in storage, removed again when a later step fails
    try:
        with disk_io("read a spooled upload"):
            size = spooled.stat().st_size
            head = b""
            if size:
                with spooled.open("rb") as file:
                    head = file.read(HEAD_BYTES)
        if size == 0:
            raise ValidationFailed("the file is empty", fields={"file": "is empty"})
        content_type = sniff(head)
        check_name(filename, content_type)
        preview = await make_thumbnail(spooled, preview_path) if content_type in THUMBNAILED else None
        row = Upload(
            id=upload_id,
            owner_id=owner_id,
            filename=filename,
            content_type=content_type,
            size=size,
            storage_key=file_key(upload_id),
            thumbnail_key=thumbnail_key(upload_id) if preview and preview.made else None,
            width=preview.width if preview else None,
            height=preview.height if preview else None,
        )
        await store.put(row.storage_key, spooled, content_type)
        stored.append(row.storage_key)
        if row.thumbnail_key:
            await store.put(row.thumbnail_key, preview_path, "image/webp")
            stored.append(row.thumbnail_key)
        async with deps.db() as db:
            db.add(row)
            await db.commit()
    except BaseException:
        await _remove_keys(store, stored)  # no row, so no file either: nothing half-kept
        raise
    finally:
        for leftover in (spooled, preview_path):
            with contextlib.suppress(OSError):  # a disk that failed may refuse this too
                leftover.unlink(missing_ok=True)
    return attachment_of(row)


async def attach(
    db: AsyncSession, kind: str, message_id: int, owner_id: str, upload_ids: Sequence[str]
) -> list[Attachment]:
    """Gives the owner's uploads to a message being stored, in the caller's transaction."""
    if not upload_ids:
        return []
    if len(upload_ids) > MAX_ATTACHMENTS or len(set(upload_ids)) != len(upload_ids):
        raise ValidationFailed(
            "a message takes up to 10 different uploads", fields={"attachments": "up to 10 distinct upload ids"}
        )
    rows = {row.id: row for row in await db.scalars(select(Upload).where(Upload.id.in_(upload_ids)))}
    for upload_id in upload_ids:
        row = rows.get(upload_id)
        if row is None or row.detached_at is not None:
            raise NotFound(f"no upload {upload_id}", fields={"attachments": f"{upload_id} does not exist"})
        if row.owner_id != owner_id:
            raise Forbidden("you can attach only your own uploads", fields={"attachments": f"{upload_id} is not yours"})
        if row.message_id is not None:
            raise AlreadyAttached(fields={"attachments": f"{upload_id} is attached already"})
    taken = await db.execute(
        update(Upload)
        .where(Upload.id.in_(upload_ids), Upload.owner_id == owner_id, Upload.message_id.is_(None))
        .values(kind=kind, message_id=message_id)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], taken).rowcount != len(upload_ids):  # another message took one meanwhile
        raise AlreadyAttached()
    # In upload order, as attachments_of lists them: the live message and the history look the same.
    return [attachment_of(row) for row in sorted(rows.values(), key=lambda row: (row.created_at, row.id))]


async def attachments_of(db: AsyncSession, kind: str, message_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    """The attachments of each of these messages, in the order they were uploaded."""
    found: dict[int, list[Attachment]] = defaultdict(list)
    if not message_ids:
        return found
    rows = await db.scalars(
        select(Upload)
        .where(Upload.kind == kind, Upload.message_id.in_(message_ids), Upload.detached_at.is_(None))
        .order_by(Upload.created_at, Upload.id)
    )
    for row in rows:
        found[cast(int, row.message_id)].append(attachment_of(row))
    return found


async def detach_for(db: AsyncSession, kind: str, message_id: int) -> int:
    """A message is being deleted (in the caller's transaction): its uploads can no longer be read,
    and the next sweep removes their files. Answers how many there were."""
    changed = await db.execute(
        update(Upload)
        .where(Upload.kind == kind, Upload.message_id == message_id, Upload.detached_at.is_(None))
        .values(detached_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], changed).rowcount)


@dataclass(frozen=True)
class StoredFile:
    store: FileStore
    key: str
    content_type: str
    filename: str
    size: int


async def readable(deps: Deps, upload_id: str, reader_id: str, thumbnail: bool = False) -> StoredFile:
    """The upload's file (or its preview) for someone who may read it: its owner until a message
    takes it, then whoever can read that message."""
    async with deps.db() as db:
        row = await db.get(Upload, upload_id)
        if row is None or row.detached_at is not None:
            raise NotFound("no such file")
        if row.kind is None or row.message_id is None:
            if row.owner_id != reader_id:
                raise NotFound("no such file")  # an unsent upload is nobody else's business
        else:
            await require_readable(db, row.kind, row.message_id, reader_id)
    if thumbnail:
        if row.thumbnail_key is None:
            raise NotFound("this file has no preview")
        return StoredFile(store_for(deps.settings), row.thumbnail_key, "image/webp", "preview.webp", 0)
    return StoredFile(store_for(deps.settings), row.storage_key, row.content_type, row.filename, row.size)


async def _remove_keys(store: FileStore, keys: Sequence[str | None]) -> bool:
    """Deletes these files; False when one could not be (the storage is down), to try again later."""
    removed = True
    for key in keys:
        if key:
            try:
                await store.delete(key)
            except Exception:  # a file left behind wastes space; it must not fail the caller
                log.warning("could not remove stored file %s", key, exc_info=True)
                removed = False
    return removed


async def sweep(deps: Deps, limit: int = SWEEP_BATCH) -> int:
    """Removes the files and rows of uploads nobody can read any more: detached from a deleted message,
    never attached within a day or by an account that was deleted, or attached to a message that is
    gone (its room or group, or for a direct message one of its people, was deleted)."""
    stale = utcnow() - UNATTACHED_KEPT
    gone_room = and_(Upload.kind == "room", ~exists().where(ChatMessage.id == Upload.message_id))
    gone_dm = and_(Upload.kind == "dm", ~exists().where(DirectMessage.id == Upload.message_id))
    gone_group = and_(Upload.kind == "group", ~exists().where(GroupMessage.id == Upload.message_id))
    async with deps.db() as db:
        rows = list(
            await db.scalars(
                select(Upload)
                .where(
                    or_(
                        Upload.detached_at.is_not(None),
                        and_(Upload.message_id.is_(None), or_(Upload.created_at < stale, Upload.owner_id.is_(None))),
                        gone_room,
                        gone_dm,
                        gone_group,
                    )
                )
                .limit(limit)
            )
        )
    if not rows:
        return 0
    store = store_for(deps.settings)
    # A row goes only with its files: while the storage is down they stay, for the next sweep to try.
    gone = [row.id for row in rows if await _remove_keys(store, [row.storage_key, row.thumbnail_key])]
    if gone:
        async with deps.db() as db:
            await db.execute(delete(Upload).where(Upload.id.in_(gone)))
            await db.commit()
    return len(gone)
