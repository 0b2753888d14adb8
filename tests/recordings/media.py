"""Test media: bots that publish a flat colour and a pure tone, and what a recording file holds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from livekit import rtc

from tests.bots import Bot

WIDTH, HEIGHT, RATE = 320, 240, 48_000


async def publish_pattern(bot: Bot, rgb: tuple[int, int, int], tone_hz: float, *, simulcast: bool = True) -> None:
    """Camera: one colour with a moving frame counter bar; microphone: a sine at `tone_hz`.
    Without simulcast the bot encodes one layer instead of three (the benchmark's nine publishers)."""
    video, audio = rtc.VideoSource(WIDTH, HEIGHT), rtc.AudioSource(RATE, 1)
    participant = bot.room.local_participant
    await participant.publish_track(
        rtc.LocalVideoTrack.create_video_track("camera", video),
        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=simulcast),
    )
    await participant.publish_track(
        rtc.LocalAudioTrack.create_audio_track("microphone", audio),
        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
    )
    bot._pumps += [asyncio.create_task(_colour(video, rgb)), asyncio.create_task(_tone(audio, tone_hz))]


async def publish_screen(bot: Bot, rgb: tuple[int, int, int], width: int = 640, height: int = 360) -> None:
    """A screen share of one colour."""
    screen = rtc.VideoSource(width, height)
    await bot.room.local_participant.publish_track(
        rtc.LocalVideoTrack.create_video_track("screen", screen),
        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_SCREENSHARE),
    )
    bot._pumps.append(asyncio.create_task(_colour(screen, rgb, width, height)))


async def _colour(source: rtc.VideoSource, rgb: tuple[int, int, int], width: int = WIDTH, height: int = HEIGHT) -> None:
    pixels = np.zeros((height, width, 4), dtype=np.uint8)
    pixels[:, :] = (*rgb, 255)
    n = 0
    while True:
        frame = pixels.copy()
        frame[-12:, : (n % 30) * width // 30] = (255, 255, 255, 255)  # the frame counter, as a growing bar
        source.capture_frame(rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, frame.tobytes()))
        n += 1
        await asyncio.sleep(1 / 15)


async def _tone(source: rtc.AudioSource, hz: float) -> None:
    chunk, t = RATE // 100, 0
    while True:
        samples = (6000 * np.sin(2 * np.pi * hz * (t + np.arange(chunk)) / RATE)).astype(np.int16)
        t += chunk
        frame = rtc.AudioFrame(samples.tobytes(), RATE, 1, chunk)
        await source.capture_frame(frame)


@dataclass
class Probed:
    video_streams: int
    audio_streams: int
    duration: float
    frame_rate: float
    audio: np.ndarray  # mono float samples at 48 kHz
    middle_frame: np.ndarray | None  # RGB


def probe(path: Path) -> Probed:
    with av.open(str(path)) as container:
        videos, audios = list(container.streams.video), list(container.streams.audio)
        rate = float(videos[0].guessed_rate or videos[0].average_rate or 0) if videos else 0.0
    with av.open(str(path)) as container:
        chunks = [frame.to_ndarray().astype(np.float32).reshape(-1) for frame in container.decode(audio=0)]
    sound = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    frames: list[np.ndarray] = []
    end = 0.0
    if videos:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                end = max(end, float(frame.time or 0))
                frames.append(frame)
        middle = frames[len(frames) // 2].to_ndarray(format="rgb24") if frames else None
        end += 1 / rate if rate else 0
    else:
        middle = None
    duration = max(end, len(sound) / RATE)
    return Probed(len(videos), len(audios), duration, rate, sound, middle)


def energy_at(sound: np.ndarray, hz: float) -> float:
    """Share of the spectrum's energy within 20 Hz of `hz`."""
    spectrum = np.abs(np.fft.rfft(sound)) ** 2
    freqs = np.fft.rfftfreq(len(sound), 1 / RATE)
    near = spectrum[(freqs > hz - 20) & (freqs < hz + 20)].sum()
    return float(near / max(spectrum.sum(), 1e-9))
