"""The recording's clock: every 1/fps seconds it takes the mix and a composed picture and hands them
to the encoder thread, so the file's timeline follows the wall clock whatever the network does."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Executor
from dataclasses import dataclass

from conference.recordings.capture import RoomCapture
from conference.recordings.compose import Compositor, Tile
from conference.recordings.encoder import RecordingWriter
from conference.recordings.mixer import SAMPLE_RATE, Mixer, Samples

MAX_CATCH_UP_FRAMES = 15  # behind by more than this (an overloaded machine), frames are skipped, not queued


@dataclass
class ClockStats:
    frames: int = 0  # frame numbers the clock went through
    skipped: int = 0  # of them, left out because encoding fell behind
    encode_s: float = 0.0  # wall time the encoder thread spent composing and encoding


async def run_clock(
    stop: asyncio.Event,
    capture: RoomCapture,
    mixer: Mixer,
    writer: RecordingWriter,
    compositor: Compositor | None,
    *,
    fps: int,
    encoder: Executor,
) -> ClockStats:
    """Records until `stop` is set."""
    loop = asyncio.get_running_loop()
    stats = ClockStats()
    started = time.monotonic()
    samples = 0
    while not stop.is_set():
        await _sleep_until(started + (stats.frames + 1) / fps, stop)
        elapsed = time.monotonic() - started
        due = max(1, int(elapsed * fps) - stats.frames)
        pcm = mixer.take(int(elapsed * SAMPLE_RATE) - samples)
        samples += len(pcm)
        tiles = capture.tiles()
        began = time.perf_counter()
        stats.skipped += await loop.run_in_executor(
            encoder, encode_step, writer, compositor, tiles, pcm, stats.frames, due
        )
        stats.encode_s += time.perf_counter() - began
        stats.frames += due
    return stats


def encode_step(
    writer: RecordingWriter, compositor: Compositor | None, tiles: list[Tile], pcm: Samples, first: int, count: int
) -> int:
    """One tick on the encoder thread: the picture (repeated when the clock ran ahead) and the sound.
    Answers how many frame numbers were skipped."""
    skip = 0
    if compositor is not None:
        frame = compositor.compose(tiles)
        skip = max(0, count - MAX_CATCH_UP_FRAMES)
        for index in range(first + skip, first + count):
            writer.add_video(frame, index)
    writer.add_audio(pcm)
    return skip


async def _sleep_until(deadline: float, stop: asyncio.Event) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        try:
            async with asyncio.timeout(delay):
                await stop.wait()
        except TimeoutError:
            pass
