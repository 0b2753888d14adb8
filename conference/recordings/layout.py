"""Where each tile goes on the recording's canvas: a grid of equal tiles, or one tile on the stage
with the others in a strip below it (active speaker, and any screen share, which takes the stage)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int


def _even(value: float) -> int:
    """Positions and sizes in I420 must be even (chroma is subsampled 2x2)."""
    return max(0, int(value) // 2 * 2)


def _size(value: float) -> int:
    return max(2, _even(value))


def grid(count: int, width: int, height: int) -> list[Rect]:
    """`count` equal tiles, rows centred; a 16:9 canvas fills best with columns >= rows."""
    if count <= 0:
        return []
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    tile_w, tile_h = _size(width / columns), _size(height / rows)
    rects = []
    for index in range(count):
        row, column = divmod(index, columns)
        in_row = min(columns, count - row * columns)
        left = (width - in_row * tile_w) // 2
        top = (height - rows * tile_h) // 2
        rects.append(Rect(_even(left + column * tile_w), _even(top + row * tile_h), tile_w, tile_h))
    return rects


def stage(count: int, width: int, height: int) -> list[Rect]:
    """The first tile on the stage, the rest in a strip along the bottom (at most six shown)."""
    if count <= 1:
        return grid(count, width, height)
    strip_h = _size(height / 5)
    others = min(count - 1, 6)
    tile_w = _size(min(width / others, strip_h * 16 / 9))
    left = (width - others * tile_w) // 2
    rects = [Rect(0, 0, width, _size(height - strip_h))]
    rects += [Rect(_even(left + index * tile_w), height - strip_h, tile_w, strip_h) for index in range(others)]
    return rects


def fit(source_w: int, source_h: int, box: Rect) -> Rect:
    """The largest rectangle of the source's shape inside `box`, centred (letterboxed)."""
    scale = min(box.width / max(source_w, 1), box.height / max(source_h, 1))
    width, height = min(_size(source_w * scale), box.width), min(_size(source_h * scale), box.height)
    return Rect(_even(box.x + (box.width - width) / 2), _even(box.y + (box.height - height) / 2), width, height)
