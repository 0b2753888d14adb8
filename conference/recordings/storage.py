"""Where recording files live. The recorder always encodes to a local working file (fragmented, so a
crash leaves what was written playable); `store` then puts the finished file in its place:
- LocalStorage (the default): the working file is the file, in RECORDINGS_DIR.
- S3Storage (RECORDINGS_S3_BUCKET set): uploaded to an S3-compatible bucket and removed from disk,
  so every app replica serves the same files. Downloads stream from the bucket, ranges passed through.
The storage itself is conference/filestore.py (shared with attachments); `storage_for(settings)` is
the one place that chooses."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Protocol

from conference.filestore import (
    CHUNK_BYTES,
    PART_BYTES,
    BucketConfig,
    BucketFiles,
    LocalFile,
    LocalFiles,
    ObjectStream,
    RangeNotServable,
)
from conference.settings import Settings

__all__ = [
    "CHUNK_BYTES",
    "PART_BYTES",
    "LocalFile",
    "LocalStorage",
    "ObjectStream",
    "RangeNotServable",
    "RecordingStorage",
    "S3Storage",
    "storage_for",
]


class RecordingStorage(Protocol):
    def key_for(self, recording_id: str, room_id: str, extension: str = "mp4") -> str: ...

    def working_path(self, key: str) -> Path:
        """The local path the recorder writes to (its directory created)."""
        ...

    async def store(self, key: str) -> None:
        """The recording is finished (ready or interrupted): put the working file where it is kept."""
        ...

    async def size(self, key: str) -> int | None: ...

    async def open(self, key: str, range_header: str | None) -> LocalFile | ObjectStream | None:
        """What to send for a download; None when there is no such file."""
        ...

    async def delete(self, key: str) -> None: ...


def _key_for(recording_id: str, room_id: str, extension: str) -> str:
    return f"{room_id}/{recording_id}.{extension}"


class LocalStorage(LocalFiles):
    def key_for(self, recording_id: str, room_id: str, extension: str = "mp4") -> str:
        return _key_for(recording_id, room_id, extension)

    async def store(self, key: str) -> None:
        return None  # the working file is already in its place


class S3Storage(BucketFiles):
    """Recordings in a bucket; the recorder encodes into RECORDINGS_DIR before the upload."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            BucketConfig(
                bucket=settings.recordings_s3_bucket,
                access_key=settings.recordings_s3_access_key,
                secret_key=settings.recordings_s3_secret_key,
                endpoint=settings.recordings_s3_endpoint,
                region=settings.recordings_s3_region,
            )
        )
        self.working = LocalFiles(settings.recordings_dir)

    def key_for(self, recording_id: str, room_id: str, extension: str = "mp4") -> str:
        return _key_for(recording_id, room_id, extension)

    def working_path(self, key: str) -> Path:
        return self.working.working_path(key)

    async def store(self, key: str) -> None:
        path = self.working.path_of(key)
        if not path.is_file():
            return
        await self.put(key, path)
        path.unlink()

    async def size(self, key: str) -> int | None:
        found = await super().size(key)
        return found if found is not None else await self.working.size(key)  # not uploaded (yet)

    async def delete(self, key: str) -> None:
        await super().delete(key)
        await self.working.delete(key)


def storage_for(settings: Settings) -> RecordingStorage:
    """The one place that chooses: a bucket when RECORDINGS_S3_BUCKET is set, else RECORDINGS_DIR."""
    if settings.recordings_s3_bucket:
        return _s3_storage(settings)
    return LocalStorage(settings.recordings_dir)


@functools.cache
def _s3_storage(settings: Settings) -> S3Storage:
    return S3Storage(settings)  # one per settings: its session caches the service model
