"""The recording's picture: the latest frame of every video track, scaled with PyAV (libswscale)
and pasted into one I420 canvas with numpy. A source frame is scaled once per new frame, not per
output frame, so a still camera costs nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import av
import numpy as np
from numpy.typing import NDArray

from conference.recordings.layout import Rect, fit, grid, stage

Plane = NDArray[np.uint8]
BACKGROUND_Y, NEUTRAL_CHROMA = 20, 128  # near-black, no colour


class Picture(Protocol):
    """A source frame; turned into an av.VideoFrame only when it has to be scaled."""

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...

    def to_av(self) -> av.VideoFrame: ...


@dataclass(frozen=True)
class Tile:
    """One video source at compose time; `seq` grows with each new picture of that source."""

    key: str  # the track sid
    picture: Picture
    seq: int
    screen: bool = False
    speaking: bool = False


class Compositor:
    def __init__(self, width: int, height: int, layout: str) -> None:
        self.width, self.height, self.layout = width - width % 2, height - height % 2, layout
        self._scaled: dict[str, tuple[int, Rect, Rect, Plane]] = {}  # key -> (seq, box, placed, I420 pixels)

    def compose(self, tiles: list[Tile]) -> av.VideoFrame:
        canvas = np.empty((self.height * 3 // 2, self.width), dtype=np.uint8)
        y, u, v = self._planes(canvas)
        y.fill(BACKGROUND_Y)
        u.fill(NEUTRAL_CHROMA)
        v.fill(NEUTRAL_CHROMA)
        ordered = self._ordered(tiles)
        rects = self._rects(ordered)
        for tile, box in zip(ordered, rects, strict=False):
            self._paste(tile, box, y, u, v)
        live = {tile.key for tile in tiles}
        for key in [key for key in self._scaled if key not in live]:
            del self._scaled[key]
        return av.VideoFrame.from_ndarray(canvas, format="yuv420p")

    def _ordered(self, tiles: list[Tile]) -> list[Tile]:
        """Screen shares first (they take the stage), then the speaker in speaker layout; stable otherwise."""
        return sorted(tiles, key=lambda tile: (not tile.screen, not (self.layout == "speaker" and tile.speaking)))

    def _rects(self, ordered: list[Tile]) -> list[Rect]:
        if ordered and (ordered[0].screen or self.layout == "speaker"):
            return stage(len(ordered), self.width, self.height)
        return grid(len(ordered), self.width, self.height)

    def _planes(self, canvas: Plane) -> tuple[Plane, Plane, Plane]:
        h, w = self.height, self.width
        chroma = canvas[h:].reshape(2, h // 2, w // 2)
        return canvas[:h], chroma[0], chroma[1]

    def _paste(self, tile: Tile, box: Rect, y: Plane, u: Plane, v: Plane) -> None:
        cached = self._scaled.get(tile.key)
        if cached is None or cached[0] != tile.seq or cached[1] != box:
            placed = fit(tile.picture.width, tile.picture.height, box)
            frame = tile.picture.to_av()
            scaled = frame.reformat(width=placed.width, height=placed.height, format="yuv420p")
            pixels: Plane = scaled.to_ndarray().astype(np.uint8, copy=False)
            self._scaled[tile.key] = (tile.seq, box, placed, pixels)
        else:
            _, _, placed, pixels = cached
        h, w = placed.height, placed.width
        ty, (tu, tv) = pixels[:h], pixels[h:].reshape(2, h // 2, w // 2)
        y[placed.y : placed.y + h, placed.x : placed.x + w] = ty
        cy, cx = placed.y // 2, placed.x // 2
        u[cy : cy + h // 2, cx : cx + w // 2] = tu
        v[cy : cy + h // 2, cx : cx + w // 2] = tv
