"""What an upload really is, from its first bytes (the `filetype` library's magic numbers, then a
look for text and markup): the client's Content-Type and file name are never believed.

A file whose name promises a picture, a sound, a video or a PDF but whose bytes are something else
(an HTML page named cat.png) is refused: shown inline it would run, and people click what looks like
an image. Everything not on the SAFE_INLINE list is served as a download only."""

from __future__ import annotations

import mimetypes
import re

import filetype

from conference.errors import DisguisedFile

HEAD_BYTES = 8192  # filetype reads no further than this
# Types a browser shows without running anything the file brings (no HTML, SVG, XML or script).
SAFE_INLINE = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/x-wav",
        "audio/x-flac",
        "audio/aac",
        "application/pdf",
    }
)
# Pillow makes previews of these.
THUMBNAILED = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|head|body|script|iframe|object|embed|svg|\?xml|meta|link|style)\b")
_SVG = re.compile(rb"<\s*svg\b")


def sniff(head: bytes) -> str:
    """The content type the bytes show; `application/octet-stream` when they show none."""
    kind = filetype.guess(head[:HEAD_BYTES])
    if kind is not None:
        return str(kind.mime)
    if not _is_text(head):
        return "application/octet-stream"
    lowered = head[:HEAD_BYTES].lower()
    if _SVG.search(lowered):
        return "image/svg+xml"
    if _MARKUP.search(lowered):
        return "text/html"
    return "text/plain"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:  # a character cut at the end of the head is still text
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def _family(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    return "media" if major in ("audio", "video") else major if major == "image" else content_type


def check_name(filename: str, sniffed: str) -> None:
    """Refuses a name that promises an image, audio, video or PDF the bytes are not."""
    claimed, _ = mimetypes.guess_type(filename, strict=False)
    if claimed is None:
        return
    promised = _family(claimed)
    if promised not in ("image", "media", "application/pdf"):
        return
    if promised == "image" and sniffed == "image/svg+xml" and claimed == "image/svg+xml":
        return  # an SVG named .svg is what it says; it is served as a download
    if _family(sniffed) != promised or (promised == "image" and sniffed == "image/svg+xml"):
        raise DisguisedFile(
            f"{filename!r} is named like {claimed} but its content is {sniffed}; rename it to what it is",
            fields={"file": f"content is {sniffed}, not {claimed}"},
        )


def inline_safe(content_type: str) -> bool:
    return content_type in SAFE_INLINE


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\"\\/]")


def clean_filename(raw: str | None) -> str:
    """The last path part of what the client called the file, without control characters or quotes."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().strip(".") or "file"
    if len(name) > 200:  # keep the extension, which says what the file claims to be
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 190 - len(extension)] + dot + extension) if dot and len(extension) < 10 else name[:200]
    return name
