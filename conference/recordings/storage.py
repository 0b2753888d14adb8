"""Where recording files live. The recorder always encodes to a local working file (fragmented, so a
crash leaves what was written playable); `store` then puts the finished file in its place:
- LocalStorage (the default): the working file is the file, in RECORDINGS_DIR.
- S3Storage (RECORDINGS_S3_BUCKET set): uploaded to an S3-compatible bucket and removed from disk,
  so every app replica serves the same files. Downloads stream from the bucket, ranges passed through.
`storage_for(settings)` is the one place that chooses."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from conference.settings import Settings

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

PART_BYTES = 8 * 1024 * 1024  # multipart upload part size (S3's minimum is 5 MiB)
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class LocalFile:
    """A file on this machine: sent with sendfile, aiohttp answers its ranges."""

    path: Path


@dataclass
class ObjectStream:
    """A (ranged) GetObject being read; `close` releases its connection."""

    status: int  # 200, or 206 for a range
    content_length: int
    content_range: str | None
    chunks: AsyncIterator[bytes]
    _stack: AsyncExitStack

    async def close(self) -> None:
        await self._stack.aclose()


class RangeNotServable(Exception):
    """The Range asks for bytes the object does not have; `size` is the object's length when known."""

    def __init__(self, size: int | None) -> None:
        super().__init__("range not satisfiable")
        self.size = size


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


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def key_for(self, recording_id: str, room_id: str, extension: str = "mp4") -> str:
        return _key_for(recording_id, room_id, extension)

    def path_of(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:  # keys are ours, but a path must never leave the directory
            raise ValueError(f"storage key {key!r} leaves {self.root}")
        return path

    def working_path(self, key: str) -> Path:
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    async def store(self, key: str) -> None:
        return None  # the working file is already in its place

    async def size(self, key: str) -> int | None:
        try:
            return self.path_of(key).stat().st_size
        except OSError:
            return None

    async def open(self, key: str, range_header: str | None) -> LocalFile | None:
        path = self.path_of(key)
        return LocalFile(path) if path.is_file() else None

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_of(key).unlink()


class S3Storage:
    """Any S3-compatible bucket (AWS, MinIO, Ceph, versitygw, ...), through aiobotocore."""

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.recordings_s3_bucket
        self.working = LocalStorage(settings.recordings_dir)  # where the recorder encodes before upload
        self._session = AioSession()
        self._client_args = {
            "region_name": settings.recordings_s3_region,
            "endpoint_url": settings.recordings_s3_endpoint or None,
            "aws_access_key_id": settings.recordings_s3_access_key,
            "aws_secret_access_key": settings.recordings_s3_secret_key,
        }
        # Path-style addressing works with every S3-compatible server; AWS accepts it too.
        self._config = AioConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 3})

    def _client(self) -> contextlib.AbstractAsyncContextManager[S3Client]:
        return self._session.create_client("s3", config=self._config, **self._client_args)  # type: ignore[call-overload,no-any-return]

    def key_for(self, recording_id: str, room_id: str, extension: str = "mp4") -> str:
        return _key_for(recording_id, room_id, extension)

    def working_path(self, key: str) -> Path:
        return self.working.working_path(key)

    async def store(self, key: str) -> None:
        path = self.working.path_of(key)
        if not path.is_file():
            return
        size = path.stat().st_size
        async with self._client() as s3:
            if size <= PART_BYTES:
                await s3.put_object(Bucket=self.bucket, Key=key, Body=await asyncio.to_thread(path.read_bytes))
            else:
                await self._upload_parts(s3, key, path)
        path.unlink()

    async def _upload_parts(self, s3: S3Client, key: str, path: Path) -> None:
        upload = await s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        upload_id = upload["UploadId"]
        parts: list[CompletedPartTypeDef] = []
        try:
            with path.open("rb") as file:
                while data := await asyncio.to_thread(file.read, PART_BYTES):
                    number = len(parts) + 1
                    part = await s3.upload_part(
                        Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
                    )
                    parts.append({"ETag": part["ETag"], "PartNumber": number})
            await s3.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:  # leave no half-uploaded parts behind to be billed
            with contextlib.suppress(Exception):
                await s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    async def size(self, key: str) -> int | None:
        async with self._client() as s3:
            try:
                head = await s3.head_object(Bucket=self.bucket, Key=key)
            except ClientError:
                return await self.working.size(key)  # not uploaded (yet): the working file, if here
        return head["ContentLength"]

    async def open(self, key: str, range_header: str | None) -> ObjectStream | None:
        stack = AsyncExitStack()
        s3 = await stack.enter_async_context(self._client())
        try:
            if range_header:
                answer = await s3.get_object(Bucket=self.bucket, Key=key, Range=range_header)
            else:
                answer = await s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            await stack.aclose()
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            if code == "InvalidRange":
                raise RangeNotServable(await self.size(key)) from None
            raise
        body = answer["Body"]
        stack.push_async_callback(_close_body, body)
        content_range = answer.get("ContentRange")
        return ObjectStream(
            status=206 if content_range else 200,
            content_length=answer["ContentLength"],
            content_range=content_range,
            chunks=body.iter_chunks(CHUNK_BYTES),
            _stack=stack,
        )

    async def delete(self, key: str) -> None:
        async with self._client() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=key)
        await self.working.delete(key)


async def _close_body(body: object) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


def storage_for(settings: Settings) -> RecordingStorage:
    """The one place that chooses: a bucket when RECORDINGS_S3_BUCKET is set, else RECORDINGS_DIR."""
    if settings.recordings_s3_bucket:
        return _s3_storage(settings)
    return LocalStorage(settings.recordings_dir)


@functools.cache
def _s3_storage(settings: Settings) -> S3Storage:
    return S3Storage(settings)  # one per settings: its session caches the service model
