"""Sending a stored file (conference/filestore.py) as an HTTP answer, with range requests: a local file
goes out with sendfile (aiohttp answers its Range), a bucket object streams as the bucket answered the
passed-through Range. A Range nobody can serve gets the one error shape, not aiohttp's bare 416; a storage
that fails before the answer starts gets 503 `storage_unavailable` (filestore.py raises it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from conference.errors import NotFound, RangeNotSatisfiable
from conference.filestore import LocalFile, ObjectStream, RangeNotServable, bucket_failure, disk_io

SizeOf = Callable[[], Awaitable[int | None]]


def unsatisfiable(size: int | None, message: str | None = None) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(message, headers={"Content-Range": f"bytes */{'*' if size is None else size}"})


async def check_range(request: web.Request, size: int | None, size_of: SizeOf) -> None:
    """A bucket checks the start itself (size None) but ignores a malformed Range, so syntax is checked here."""
    if "Range" not in request.headers:
        return
    try:
        wanted = request.http_range
    except ValueError:
        size = size if size is not None else await size_of()
        raise unsatisfiable(size, "the Range header is not valid") from None
    start = wanted.start if wanted.start is not None and wanted.start >= 0 else None
    if size is not None and start is not None and start >= size:
        raise unsatisfiable(size)


async def stream_object(request: web.Request, source: ObjectStream, headers: dict[str, str]) -> web.StreamResponse:
    try:
        response = web.StreamResponse(status=source.status, headers=headers)
        response.content_length = source.content_length
        response.headers["Accept-Ranges"] = "bytes"
        if source.content_range:
            response.headers["Content-Range"] = source.content_range
        await response.prepare(request)
        chunks = aiter(source.chunks)
        while True:
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                break
            except Exception as error:  # the status went out already: all left is to cut the answer short
                if bucket_failure(error, "stream a file") is None:
                    raise
                response.force_close()  # the client sees fewer bytes than Content-Length, not a 500 page
                return response
            await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        await source.close()


async def send_file(
    request: web.Request,
    open_source: Callable[[str | None], Awaitable[LocalFile | ObjectStream | None]],
    size_of: SizeOf,
    headers: dict[str, str],
) -> web.StreamResponse:
    """Opens the file for the request's Range and sends it; 404 when storage has no such file."""
    try:
        source = await open_source(request.headers.get("Range"))
    except RangeNotServable as error:
        raise unsatisfiable(error.size) from None
    if source is None:
        raise NotFound("the file is missing")
    if isinstance(source, LocalFile):
        try:
            size = source.path.stat().st_size
        except FileNotFoundError:  # deleted since it was opened
            raise NotFound("the file is missing") from None
        except OSError:
            with disk_io("read a file"):
                raise
        await check_range(request, size, size_of)
        return web.FileResponse(source.path, headers=headers)
    try:
        await check_range(request, None, size_of)
    except RangeNotSatisfiable:
        await source.close()
        raise
    return await stream_object(request, source, headers)
