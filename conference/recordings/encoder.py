"""Writes the recording with PyAV: H.264 (libx264) + AAC in fragmented MP4. Each keyframe starts a
new fragment that is complete on disk, so a worker killed mid-recording leaves a file that plays
up to its last fragment (at most KEYFRAME_S seconds lost)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from conference.recordings.mixer import SAMPLE_RATE, Samples

KEYFRAME_S = 2
# flush_packets: each finished fragment reaches the disk at once, not when FFmpeg's 32 KB buffer fills.
FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"}


def _video_codec() -> str:
    """libx264 when this FFmpeg build has it; MPEG-4 part 2 otherwise (every build has that)."""
    for name in ("libx264", "h264", "mpeg4"):
        try:
            av.codec.Codec(name, "w")
            return name
        except (av.codec.codec.UnknownCodecError, ValueError):
            continue
    return "mpeg4"


class RecordingWriter:
    """Not thread-safe: one thread feeds it (the worker's encoder thread)."""

    def __init__(self, path: Path, *, width: int, height: int, fps: int, audio_only: bool) -> None:
        self.fps = fps
        self.container = av.open(str(path), mode="w", format="mp4", options=FRAGMENTED)
        self.video: av.video.stream.VideoStream | None = None
        if not audio_only:
            codec = _video_codec()
            video = self.container.add_stream(codec, rate=fps)
            assert isinstance(video, av.video.stream.VideoStream)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            video.codec_context.gop_size = fps * KEYFRAME_S
            if codec == "libx264":
                # veryfast + zerolatency: modest CPU, no lookahead, so little is in flight at a crash.
                video.options = {"preset": "veryfast", "tune": "zerolatency", "crf": "26"}
            self.video = video
        audio = self.container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        assert isinstance(audio, av.audio.stream.AudioStream)
        self.audio = audio
        self.audio.bit_rate = 64_000
        self.frames = 0
        self.samples = 0

    def add_video(self, frame: av.VideoFrame, pts: int) -> None:
        """`pts` counts frames from the start (1/fps units); a skipped number is a held frame."""
        if self.video is None:
            return
        frame.pts, frame.time_base = pts, Fraction(1, self.fps)
        self.container.mux(self.video.encode(frame))
        self.frames += 1

    def add_audio(self, samples: Samples) -> None:
        if not len(samples):
            return
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples.reshape(1, -1)), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, self.samples, Fraction(1, SAMPLE_RATE)
        self.container.mux(self.audio.encode(frame))
        self.samples += len(samples)

    def close(self) -> None:
        """Flushes the encoders and writes the last fragment."""
        try:
            if self.video is not None:
                self.container.mux(self.video.encode(None))
            self.container.mux(self.audio.encode(None))
        finally:
            self.container.close()


def playable_duration(path: Path) -> float | None:
    """How many seconds of the file play: from its packets, since a fragmented MP4 cut short
    by a crash has no duration in its header. None when nothing in it plays."""
    try:
        with av.open(str(path)) as container:
            end = 0.0
            for packet in container.demux():
                if packet.pts is None or packet.time_base is None:
                    continue
                end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            return round(end, 3) if end > 0 else None
    except (av.error.FFmpegError, OSError):
        return None
