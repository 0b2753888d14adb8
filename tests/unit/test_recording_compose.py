"""The recording's picture and sound without LiveKit: tiles where the layout puts them, a screen share
on the stage, the mix of two tones, and a fragmented file that plays before it is closed."""

from __future__ import annotations

import av
import numpy as np

from conference.recordings.compose import Compositor, Tile
from conference.recordings.encoder import RecordingWriter, playable_duration
from conference.recordings.mixer import SAMPLE_RATE, Mixer

RED, GREEN, BLUE = (230, 20, 20), (20, 200, 20), (20, 20, 230)


class Flat:
    """A camera picture of one colour."""

    def __init__(self, rgb: tuple[int, int, int], width: int = 320, height: int = 240) -> None:
        self.rgb, self.width, self.height = rgb, width, height

    def to_av(self) -> av.VideoFrame:
        pixels = np.zeros((self.height, self.width, 3), dtype=np.uint8)
        pixels[:] = self.rgb
        return av.VideoFrame.from_ndarray(pixels, format="rgb24")


def colour_at(frame: av.VideoFrame, x: int, y: int) -> str:
    r, g, b = (int(v) for v in frame.to_ndarray(format="rgb24")[y, x])
    return max((("red", r), ("green", g), ("blue", b)), key=lambda pair: pair[1])[0] if max(r, g, b) > 120 else "dark"


def test_a_grid_puts_each_camera_in_its_own_tile():
    frame = Compositor(1280, 720, "grid").compose([Tile("a", Flat(RED), 1), Tile("b", Flat(BLUE), 1)])
    assert (frame.width, frame.height) == (1280, 720)
    assert colour_at(frame, 320, 360) == "red" and colour_at(frame, 960, 360) == "blue"


def test_a_screen_share_takes_the_stage_and_cameras_go_to_the_strip():
    compositor = Compositor(1280, 720, "grid")
    tiles = [Tile("a", Flat(RED), 1), Tile("s", Flat(GREEN, 1280, 720), 1, screen=True), Tile("b", Flat(BLUE), 1)]
    frame = compositor.compose(tiles)
    assert colour_at(frame, 640, 280) == "green"  # the middle of the stage
    strip = {colour_at(frame, x, 680) for x in range(0, 1280, 16)}
    assert {"red", "blue"} <= strip


def test_the_speaker_layout_puts_whoever_speaks_on_the_stage():
    compositor = Compositor(1280, 720, "speaker")
    frame = compositor.compose([Tile("a", Flat(RED), 1), Tile("b", Flat(BLUE), 1, speaking=True)])
    assert colour_at(frame, 640, 280) == "blue"


def test_the_mixer_sums_tracks_and_knows_who_is_loudest():
    mixer = Mixer()
    t = np.arange(SAMPLE_RATE // 10)
    mixer.add("quiet", "ann")
    mixer.add("loud", "bob")
    mixer.push("quiet", (500 * np.sin(2 * np.pi * 440 * t / SAMPLE_RATE)).astype(np.int16))
    mixer.push("loud", (8000 * np.sin(2 * np.pi * 1000 * t / SAMPLE_RATE)).astype(np.int16))
    mixed = mixer.take(len(t) + 480)  # more than was buffered: the rest is silence
    assert len(mixed) == len(t) + 480 and not mixed[-480:].any()
    spectrum = np.abs(np.fft.rfft(mixed[: len(t)].astype(float)))
    freqs = np.fft.rfftfreq(len(t), 1 / SAMPLE_RATE)
    assert spectrum[np.argmin(abs(freqs - 440))] > 0 and spectrum[np.argmin(abs(freqs - 1000))] > 0
    assert mixer.loudest() == "bob"


def test_a_file_that_was_never_closed_plays_up_to_its_last_fragment(tmp_path):
    path = tmp_path / "open.mp4"
    writer = RecordingWriter(path, width=320, height=180, fps=15, audio_only=False)
    compositor = Compositor(320, 180, "grid")
    for index in range(15 * 5):  # five seconds: fragments every two
        writer.add_video(compositor.compose([Tile("a", Flat(RED), index)]), index)
        writer.add_audio(np.zeros(SAMPLE_RATE // 15, dtype=np.int16))
    # As a killed worker leaves it: no close(), no trailer.
    assert 3.5 <= (playable_duration(path) or 0) <= 5
    writer.close()
    assert 4.9 <= (playable_duration(path) or 0) <= 5.2


def test_an_audio_only_recording_has_one_audio_stream(tmp_path):
    path = tmp_path / "voice.mp4"
    writer = RecordingWriter(path, width=1280, height=720, fps=15, audio_only=True)
    tone = (3000 * np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)).astype(np.int16)
    writer.add_audio(tone)
    writer.close()
    with av.open(str(path)) as container:
        assert [stream.type for stream in container.streams] == ["audio"]
    assert 0.9 <= (playable_duration(path) or 0) <= 1.1
