"""Previews of uploaded images, made with Pillow off the event loop: at most 320 px on the long
side, WebP (keeps transparency, small). An image Pillow cannot read, or one too large to decode
safely, simply gets no preview; the file itself is still kept and downloadable."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

log = logging.getLogger("conference.uploads")
THUMBNAIL_SIDE = 320
MAX_PIXELS = 60_000_000  # decoding more is a decompression bomb, not a photo someone shares in chat
_ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class Preview:
    width: int  # of the original, as it is shown (EXIF rotation applied)
    height: int
    made: bool  # whether the thumbnail file was written


def _make(source: Path, target: Path) -> Preview | None:
    try:
        with Image.open(source) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in _ROTATED:
                width, height = height, width
            if width * height > MAX_PIXELS:
                return Preview(width, height, made=False)
            image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))  # JPEG decodes at a fraction of the size
            shown = ImageOps.exif_transpose(image)
            shown.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            if shown.mode not in ("RGB", "RGBA"):
                shown = shown.convert("RGBA" if "A" in shown.getbands() or "transparency" in shown.info else "RGB")
            shown.save(target, "WEBP", quality=80)
            return Preview(width, height, made=True)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as error:
        log.info("no preview of %s: %s", source.name, error)
        return None


async def make_thumbnail(source: Path, target: Path) -> Preview | None:
    """The image's shown size, and a preview written to `target`; None when Pillow cannot read it."""
    return await asyncio.to_thread(_make, source, target)
