"""HTTP endpoints of /uploads: upload a file (multipart, streamed to disk as it arrives), download it
(ranges; anything that could run in a browser only as a download), and its image preview."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from conference import throttles
from conference.accounts.auth import current_user
from conference.deps import deps
from conference.downloads import send_file
from conference.errors import PayloadTooLarge, ValidationFailed
from conference.filestore import LocalFile, ObjectStream, disk_io
from conference.routing import ApiRoutes, FilePart
from conference.settings import Settings
from conference.uploads import service
from conference.uploads.schemas import Attachment
from conference.uploads.sniff import clean_filename, inline_safe
from conference.uploads.storage import incoming_path

routes = ApiRoutes("uploads")
CHUNK = 256 * 1024
MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers around the file


def _too_large(settings: Settings) -> PayloadTooLarge:
    limit = settings.upload_max_bytes
    return PayloadTooLarge(
        f"files may be at most {limit} bytes ({limit / 1048576:.0f} MB)", fields={"file": f"at most {limit} bytes"}
    )


@contextlib.contextmanager
def _reading_form() -> Iterator[None]:
    """aiohttp's multipart reader refuses a broken form (no boundary, bad part headers, a bad part
    length) with ValueError or its HTTP parser's errors: the client's mistake, a 400."""
    try:
        yield
    except (HttpProcessingError, ValueError):
        raise ValidationFailed("the multipart/form-data body is malformed", fields={"file": "malformed form"}) from None


async def _file_part(request: web.Request) -> BodyPartReader:
    if not request.content_type.startswith("multipart/form-data"):
        raise ValidationFailed("send the file as multipart/form-data", fields={"file": "required"})
    with _reading_form():
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == "file":
                return part
            await part.release()
    raise ValidationFailed("the form has no file part", fields={"file": "required"})


async def _next_chunk(part: BodyPartReader) -> bytes:
    with _reading_form():
        return await part.read_chunk(CHUNK)


async def _spool(part: BodyPartReader, target: Path, settings: Settings) -> None:
    """Writes the part to disk as it arrives, stopping (413) as soon as it passes the limit. Only the
    disk's failures are the storage's (503): a client that goes away mid-body fails the read instead."""
    written = 0
    with disk_io("spool an upload"):
        file = target.open("wb")
    try:
        while chunk := await _next_chunk(part):
            written += len(chunk)
            if written > settings.upload_max_bytes:
                raise _too_large(settings)
            with disk_io("spool an upload"):
                file.write(chunk)
    finally:
        with disk_io("spool an upload"):
            file.close()  # flushes the last buffer, which may find the disk full too


@routes.route(
    "POST",
    "/uploads",
    summary=(
        "Upload a file to attach to a message (multipart/form-data, part `file`; 413 past UPLOAD_MAX_BYTES;"
        " 503 storage_unavailable, nothing kept, when the storage fails)"
    ),
    form=FilePart(
        "file",
        "the file, any type (its type is sniffed from the bytes); at most UPLOAD_MAX_BYTES (25 MB by default); "
        "the part's filename is kept as the attachment's name",
    ),
    responses={201: Attachment},
)
async def upload(request: web.Request) -> Attachment:
    found, user = deps(request), current_user(request)
    settings = found.settings
    if (request.content_length or 0) > settings.upload_max_bytes + MULTIPART_OVERHEAD:
        raise _too_large(settings)
    await throttles.upload(found, user.id)
    part = await _file_part(request)
    spooled = incoming_path(settings)
    try:
        await _spool(part, spooled, settings)
    except BaseException:
        with contextlib.suppress(OSError):
            spooled.unlink()
        raise
    return await service.receive(found, user.id, clean_filename(part.filename), spooled)


def _disposition(kind: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _send(request: web.Request, stored: service.StoredFile) -> web.StreamResponse:
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if inline_safe(stored.content_type):
        headers["Content-Type"] = stored.content_type
        headers["Content-Disposition"] = _disposition("inline", stored.filename)
    else:  # HTML, SVG, scripts, programs, unknown bytes: saved, never shown, never run from our origin
        headers["Content-Type"] = "application/octet-stream"
        headers["Content-Disposition"] = _disposition("attachment", stored.filename)
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"

    async def size_of() -> int | None:
        return await stored.store.size(stored.key)

    async def open_source(range_header: str | None) -> LocalFile | ObjectStream | None:
        return await stored.store.open(stored.key, range_header)

    return await send_file(request, open_source, size_of, headers)


@routes.route(
    "GET",
    "/uploads/{upload_id}",
    summary="Download an upload, with range requests (its owner; once attached, whoever can read the message)",
    responses={200: None, 206: None},
)
async def download(request: web.Request) -> web.StreamResponse:
    stored = await service.readable(deps(request), request.match_info["upload_id"], current_user(request).id)
    return await _send(request, stored)


@routes.route(
    "GET",
    "/uploads/{upload_id}/thumbnail",
    summary="An image upload's preview (WebP, at most 320 px), for the same readers as the file",
    responses={200: None},
)
async def thumbnail(request: web.Request) -> web.StreamResponse:
    stored = await service.readable(
        deps(request), request.match_info["upload_id"], current_user(request).id, thumbnail=True
    )
    return await _send(request, stored)
