"""The recorder in the call: a hidden LiveKit participant (the `livekit` rtc SDK) that subscribes to
every track, keeps the latest picture of each video track and feeds every audio track to the mixer."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from dataclasses import dataclass

import av
import numpy as np
from livekit import rtc

from conference.recordings.compose import Tile
from conference.recordings.mixer import SAMPLE_RATE, Mixer

log = logging.getLogger("conference.recorder")
SCREEN_SOURCES = (rtc.TrackSource.SOURCE_SCREENSHARE,)


class RtcPicture:
    """An rtc I420 frame, converted to an av.VideoFrame only when the compositor needs its pixels."""

    def __init__(self, frame: rtc.VideoFrame) -> None:
        self.frame = frame
        self.width, self.height = frame.width, frame.height

    def to_av(self) -> av.VideoFrame:
        w, h = self.width, self.height
        if w % 2 or h % 2 or self.frame.type != rtc.VideoBufferType.I420:
            rgba = self.frame.convert(rtc.VideoBufferType.RGBA)
            pixels = np.frombuffer(rgba.data, dtype=np.uint8).reshape(h, w, 4)
            return av.VideoFrame.from_ndarray(pixels, format="rgba")
        planes = np.frombuffer(self.frame.data, dtype=np.uint8)[: w * h * 3 // 2].reshape(h * 3 // 2, w)
        return av.VideoFrame.from_ndarray(planes, format="yuv420p")


@dataclass
class _Video:
    owner: str
    screen: bool
    picture: RtcPicture | None = None
    seq: int = 0


class RoomCapture:
    def __init__(self, mixer: Mixer, *, video: bool = True) -> None:
        self.room = rtc.Room()
        self.mixer = mixer
        self.want_video = video
        self.videos: dict[str, _Video] = {}
        self.disconnected = asyncio.Event()
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._seq = itertools.count(1)
        self.room.on("track_subscribed", self._subscribed)
        self.room.on("track_unsubscribed", self._unsubscribed)
        self.room.on("disconnected", lambda *_: self.disconnected.set())

    async def connect(self, url: str, token: str) -> None:
        await asyncio.wait_for(self.room.connect(url, token, rtc.RoomOptions(auto_subscribe=True)), 20)
        # Tracks published before we joined arrive as track_subscribed too (auto_subscribe).

    def people(self) -> int:
        return len(self.room.remote_participants)

    def tiles(self) -> list[Tile]:
        speaker = self.mixer.loudest()
        return [
            Tile(sid, video.picture, video.seq, screen=video.screen, speaking=video.owner == speaker)
            for sid, video in self.videos.items()
            if video.picture is not None
        ]

    def _subscribed(
        self, track: rtc.Track, publication: rtc.RemoteTrackPublication, participant: rtc.Participant
    ) -> None:
        if isinstance(track, rtc.RemoteAudioTrack):
            self.mixer.add(track.sid, participant.identity)
            self._readers[track.sid] = asyncio.create_task(self._read_audio(track))
        elif isinstance(track, rtc.RemoteVideoTrack) and self.want_video:
            self.videos[track.sid] = _Video(participant.identity, publication.source in SCREEN_SOURCES)
            self._readers[track.sid] = asyncio.create_task(self._read_video(track))

    def _unsubscribed(self, track: rtc.Track, *_: object) -> None:
        reader = self._readers.pop(track.sid, None)
        if reader is not None:
            reader.cancel()
        self.videos.pop(track.sid, None)
        self.mixer.remove(track.sid)

    async def _read_video(self, track: rtc.RemoteVideoTrack) -> None:
        stream = rtc.VideoStream(track, capacity=1, format=rtc.VideoBufferType.I420)
        try:
            async for event in stream:
                video = self.videos.get(track.sid)
                if video is None:
                    return
                video.picture, video.seq = RtcPicture(event.frame), next(self._seq)
        finally:
            await stream.aclose()

    async def _read_audio(self, track: rtc.RemoteAudioTrack) -> None:
        # 40 ms chunks: a quarter of the Python callbacks of the SDK's 10 ms default, well within the mix's buffer.
        stream = rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=1, frame_size_ms=40)
        try:
            async for event in stream:
                samples = np.frombuffer(event.frame.data, dtype=np.int16).copy()
                self.mixer.push(track.sid, samples)
        finally:
            await stream.aclose()

    async def close(self) -> None:
        for reader in self._readers.values():
            reader.cancel()
        await asyncio.gather(*self._readers.values(), return_exceptions=True)
        self._readers.clear()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.room.disconnect(), 5)
