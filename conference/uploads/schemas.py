"""Answers of the uploads domain: an attachment, as an upload answers it and as messages carry it."""

from __future__ import annotations

from pydantic import Field

from conference.routing import API_PREFIX, Answer

MAX_ATTACHMENTS = 10  # uploads one message may take


class Attachment(Answer):
    """An uploaded file; `url` downloads it and `thumbnail_url` (images) a small WebP preview, both
    with the bearer token of someone who may read it (the uploader, then whoever can read its message)."""

    id: str
    filename: str
    content_type: str = Field(description="sniffed from the bytes, not taken from the client")
    size: int = Field(description="bytes")
    url: str
    thumbnail_url: str | None
    width: int | None = Field(description="pixels, for images")
    height: int | None


def url_of(upload_id: str) -> str:
    return f"{API_PREFIX}/uploads/{upload_id}"


def thumbnail_url_of(upload_id: str) -> str:
    return f"{API_PREFIX}/uploads/{upload_id}/thumbnail"
