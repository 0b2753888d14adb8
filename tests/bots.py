"""Python LiveKit clients (the `livekit` rtc SDK) that join rooms like a real participant would."""

from __future__ import annotations

import asyncio
import contextlib
import math

from livekit import rtc

WIDTH, HEIGHT, SAMPLE_RATE = 320, 240, 48000


class Bot:
    def __init__(self, name: str = "bot"):
        self.name = name
        self.room = rtc.Room()
        self.disconnected = asyncio.Event()
        self.disconnect_reason = None
        self.subscribed: dict[str, list[rtc.RemoteTrack]] = {}
        self.track_arrived = asyncio.Event()
        self.muted: list[tuple[str, str]] = []  # (participant identity, track sid)
        self._pumps: list[asyncio.Task] = []
        self.room.on("disconnected", self._on_disconnected)
        self.room.on("track_subscribed", self._on_track)
        self.room.on("track_muted", lambda participant, pub: self.muted.append((participant.identity, pub.sid)))

    def _on_disconnected(self, reason) -> None:
        self.disconnect_reason = reason
        self.disconnected.set()

    def _on_track(self, track, publication, participant) -> None:
        self.subscribed.setdefault(participant.identity, []).append(track)
        self.track_arrived.set()

    async def connect(self, url: str, token: str) -> Bot:
        await asyncio.wait_for(self.room.connect(url, token), 20)
        return self

    async def publish_camera_and_microphone(self) -> tuple[rtc.LocalTrackPublication, rtc.LocalTrackPublication]:
        video = rtc.VideoSource(WIDTH, HEIGHT)
        audio = rtc.AudioSource(SAMPLE_RATE, 1)
        video_pub = await self.room.local_participant.publish_track(
            rtc.LocalVideoTrack.create_video_track("camera", video),
            rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA),
        )
        audio_pub = await self.room.local_participant.publish_track(
            rtc.LocalAudioTrack.create_audio_track("microphone", audio),
            rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
        )
        self._pumps += [asyncio.create_task(_pump_video(video)), asyncio.create_task(_pump_audio(audio))]
        return video_pub, audio_pub

    async def publish_video(self) -> rtc.LocalTrackPublication:
        video = rtc.VideoSource(WIDTH, HEIGHT)
        publication = await asyncio.wait_for(
            self.room.local_participant.publish_track(
                rtc.LocalVideoTrack.create_video_track("camera", video),
                rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA),
            ),
            15,
        )
        self._pumps.append(asyncio.create_task(_pump_video(video)))
        return publication

    async def video_frames_from(self, identity: str, count: int, timeout: float = 20) -> list[rtc.VideoFrame]:
        """Waits for `identity`'s video track and returns `count` decoded frames of it."""

        async def collect():
            while True:
                videos = [t for t in self.subscribed.get(identity, []) if isinstance(t, rtc.RemoteVideoTrack)]
                if videos:
                    break
                self.track_arrived.clear()
                await self.track_arrived.wait()
            frames = []
            stream = rtc.VideoStream(videos[0])
            try:
                async for event in stream:
                    frames.append(event.frame)
                    if len(frames) >= count:
                        return frames
            finally:
                await stream.aclose()

        return await asyncio.wait_for(collect(), timeout)

    async def wait_disconnected(self, timeout: float = 15):
        await asyncio.wait_for(self.disconnected.wait(), timeout)
        return self.disconnect_reason

    async def close(self) -> None:
        for pump in self._pumps:
            pump.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.room.disconnect(), 5)


async def _pump_video(source: rtc.VideoSource) -> None:
    n = 0
    while True:
        shade = (n * 7) % 256
        data = bytes([shade, 255 - shade, 128, 255]) * (WIDTH * HEIGHT)
        source.capture_frame(rtc.VideoFrame(WIDTH, HEIGHT, rtc.VideoBufferType.RGBA, data))
        n += 1
        await asyncio.sleep(1 / 15)


async def _pump_audio(source: rtc.AudioSource) -> None:
    samples = SAMPLE_RATE // 100  # 10 ms frames
    t = 0
    while True:
        frame = rtc.AudioFrame.create(SAMPLE_RATE, 1, samples)
        data = frame.data
        for i in range(samples):
            data[i] = int(8000 * math.sin(2 * math.pi * 440 * (t + i) / SAMPLE_RATE))
        t += samples
        await source.capture_frame(frame)


@contextlib.asynccontextmanager
async def bots(*names: str):
    made = [Bot(name) for name in names]
    try:
        yield made
    finally:
        await asyncio.gather(*(bot.close() for bot in made))
