"""The recording's sound: every audio track's 48 kHz mono samples, summed on the recording's clock.
Each track keeps a short buffer; a track that falls behind is padded with silence, one that runs
ahead loses its oldest samples, so network jitter never shifts the mix by more than MAX_BUFFER."""

from __future__ import annotations

from collections import deque

import numpy as np
from numpy.typing import NDArray

SAMPLE_RATE = 48_000
MAX_BUFFER = SAMPLE_RATE * 3 // 10  # 300 ms
Samples = NDArray[np.int16]


class _Track:
    def __init__(self, owner: str) -> None:
        self.owner = owner  # the participant identity, for the active-speaker guess
        self.chunks: deque[Samples] = deque()
        self.buffered = 0
        self.level = 0.0  # smoothed loudness (RMS) over roughly the last second

    def push(self, samples: Samples) -> None:
        self.chunks.append(samples)
        self.buffered += len(samples)
        while self.buffered > MAX_BUFFER and self.chunks:
            self.buffered -= len(self.chunks.popleft())

    def take(self, count: int) -> NDArray[np.int32]:
        out = np.zeros(count, dtype=np.int32)
        filled = 0
        while filled < count and self.chunks:
            chunk = self.chunks[0]
            used = min(len(chunk), count - filled)
            out[filled : filled + used] = chunk[:used]
            filled += used
            if used == len(chunk):
                self.chunks.popleft()
            else:
                self.chunks[0] = chunk[used:]
        self.buffered -= filled
        if count:
            rms = float(np.sqrt(np.mean(out.astype(np.float64) ** 2)))
            weight = min(1.0, count / SAMPLE_RATE)
            self.level += (rms - self.level) * weight
        return out


class Mixer:
    def __init__(self) -> None:
        self.tracks: dict[str, _Track] = {}

    def add(self, key: str, owner: str) -> None:
        self.tracks.setdefault(key, _Track(owner))

    def remove(self, key: str) -> None:
        self.tracks.pop(key, None)

    def push(self, key: str, samples: Samples) -> None:
        track = self.tracks.get(key)
        if track is not None:
            track.push(samples)

    def take(self, count: int) -> Samples:
        """The next `count` samples of the mix."""
        total = np.zeros(count, dtype=np.int32)
        for track in list(self.tracks.values()):
            total += track.take(count)
        return np.clip(total, -32768, 32767).astype(np.int16)

    def loudest(self, threshold: float = 300.0) -> str | None:
        """The identity heard most over the last second, if anyone is above a murmur."""
        best = max(self.tracks.values(), key=lambda track: track.level, default=None)
        return best.owner if best is not None and best.level >= threshold else None
