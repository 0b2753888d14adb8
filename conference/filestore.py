"""Files kept by key, on this machine or in an S3-compatible bucket: the one place that talks to
storage, shared by recordings (recordings/storage.py) and attachments (uploads/storage.py).
- LocalFiles: a directory; downloads go out with sendfile and aiohttp answers their ranges.
- BucketFiles: any S3-compatible bucket (AWS, MinIO, Ceph, versitygw, ...) through aiobotocore, so
  every app replica serves the same files; downloads stream from the bucket, ranges passed through.
Both take finished local files (`put`): writers spool to disk first, then hand the file over.

A storage that fails (a disk full, read-only or gone; a bucket unreachable, timing out or refusing)
raises StorageUnavailable (503 `storage_unavailable`, Retry-After), never the driver's own error: the
caller has kept nothing and the same request may be sent again once the storage is back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import BotoCoreError, ClientError
from botocore.exceptions import ValidationError as BotoValidationError

from conference.errors import StorageUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

log = logging.getLogger("conference.storage")
PART_BYTES = 8 * 1024 * 1024  # multipart upload part size (S3's minimum is 5 MiB)
CHUNK_BYTES = 64 * 1024
CONNECT_TIMEOUT_S = 5  # a bucket that does not answer a connect by then is down, not slow
# ClientError codes that say the bucket is there but cannot serve now (throttled, failing, timing out)
_BUCKET_BUSY = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "RequestTimeTooSkewed"}


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


@dataclass(frozen=True)
class BucketConfig:
    """Where a bucket is and how to sign in to it; the endpoint is empty for AWS itself."""

    bucket: str
    access_key: str
    secret_key: str
    endpoint: str = ""
    region: str = "us-east-1"


@contextlib.contextmanager
def disk_io(what: str) -> Iterator[None]:
    """A disk that refuses a read or write (full, read-only, unmounted, failing) is storage being
    unavailable, not a bug of the request."""
    try:
        yield
    except OSError as error:
        log.warning("file storage on disk failed to %s: %s", what, error)
        raise StorageUnavailable() from error


def bucket_failure(error: Exception, what: str) -> StorageUnavailable | None:
    """The StorageUnavailable to raise for a bucket call that failed this way; None for what is not an
    outage (a missing key, a bad range: the caller's business, or a bug)."""
    if isinstance(error, BotoValidationError):
        return None  # parameters botocore refused before sending: a bug here
    if isinstance(error, BotoCoreError | aiohttp.ClientError | TimeoutError):  # unreachable, reset, timed out
        log.warning("bucket unreachable to %s: %s: %s", what, type(error).__name__, error)
        return StorageUnavailable()
    if isinstance(error, ClientError):
        code = _code(error)
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if _missing(error) or code == "InvalidRange":
            return None
        if status >= 500 or code in _BUCKET_BUSY:
            log.warning("bucket failed to %s: %s", what, code or status)
        else:  # refused for good (credentials, a missing bucket): the operator has to act
            log.error("bucket refused to %s: %s (check the UPLOADS_S3_*/RECORDINGS_S3_* settings)", what, code)
        return StorageUnavailable()
    return None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _missing(error: ClientError) -> bool:
    return _code(error) in ("NoSuchKey", "404", "NotFound")


@contextlib.asynccontextmanager
async def bucket_io(what: str) -> AsyncIterator[None]:
    try:
        yield
    except Exception as error:
        unavailable = bucket_failure(error, what)
        if unavailable is None:
            raise
        raise unavailable from error


class LocalFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path_of(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:  # keys are ours, but a path must never leave the directory
            raise ValueError(f"storage key {key!r} leaves {self.root}")
        return path

    def working_path(self, key: str) -> Path:
        """The path of the key, its directory created (to write the file in place)."""
        path = self.path_of(key)
        with disk_io("create a directory"):
            path.parent.mkdir(parents=True, exist_ok=True)
        return path

    async def put(self, key: str, source: Path, content_type: str | None = None) -> None:
        """Moves a finished file (on the same disk) to the key: all of it or, when that fails, nothing."""
        target = self.working_path(key)
        with disk_io("store a file"):
            os.replace(source, target)

    async def size(self, key: str) -> int | None:
        try:
            return self.path_of(key).stat().st_size
        except OSError:
            return None

    async def open(self, key: str, range_header: str | None) -> LocalFile | None:
        """The file to send; None when it is missing, StorageUnavailable when the directory itself is
        (an unmounted volume would otherwise pass for every file having been deleted)."""
        path = self.path_of(key)
        with disk_io("read a file"):
            if path.is_file():
                return LocalFile(path)
            if not self.root.is_dir():
                raise FileNotFoundError(f"the storage directory {self.root} is missing")
        return None

    async def delete(self, key: str) -> None:
        with disk_io("delete a file"), contextlib.suppress(FileNotFoundError):
            self.path_of(key).unlink()


class BucketFiles:
    def __init__(self, config: BucketConfig) -> None:
        self.bucket = config.bucket
        self._session = AioSession()
        self._client_args = {
            "region_name": config.region,
            "endpoint_url": config.endpoint or None,
            "aws_access_key_id": config.access_key,
            "aws_secret_access_key": config.secret_key,
        }
        # Path-style addressing works with every S3-compatible server; AWS accepts it too.
        self._config = AioConfig(
            s3={"addressing_style": "path"}, retries={"max_attempts": 3}, connect_timeout=CONNECT_TIMEOUT_S
        )

    def _client(self) -> contextlib.AbstractAsyncContextManager[S3Client]:
        return self._session.create_client("s3", config=self._config, **self._client_args)  # type: ignore[call-overload,no-any-return]

    async def put(self, key: str, source: Path, content_type: str | None = None) -> None:
        """Uploads a finished local file (the caller removes it): one request, or parts when large."""
        size = source.stat().st_size
        extra = {"ContentType": content_type} if content_type else {}
        async with bucket_io("store a file"), self._client() as s3:
            if size <= PART_BYTES:
                body = await asyncio.to_thread(source.read_bytes)
                await s3.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)  # type: ignore[arg-type]
            else:
                await self._upload_parts(s3, key, source, extra)

    async def _upload_parts(self, s3: S3Client, key: str, path: Path, extra: dict[str, str]) -> None:
        upload = await s3.create_multipart_upload(Bucket=self.bucket, Key=key, **extra)  # type: ignore[arg-type]
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
        async with bucket_io("measure a file"), self._client() as s3:
            try:
                head = await s3.head_object(Bucket=self.bucket, Key=key)
            except ClientError as error:
                if not _missing(error):
                    raise
                return None
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
            if _missing(error):
                return None
            if _code(error) == "InvalidRange":
                raise RangeNotServable(await self.size(key)) from None
            unavailable = bucket_failure(error, "read a file")
            if unavailable is None:
                raise
            raise unavailable from error
        except Exception as error:
            await stack.aclose()
            unavailable = bucket_failure(error, "read a file")
            if unavailable is None:
                raise
            raise unavailable from error
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
        async with bucket_io("delete a file"), self._client() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=key)


async def _close_body(body: object) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()
