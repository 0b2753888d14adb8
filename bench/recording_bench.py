"""Recording cost: CPU seconds per recorded minute and the real-time factor of the builtin recorder,
for 2, 4 and 9 publishers at 720p15 and 360p15.

    .venv/bin/python bench/recording_bench.py [--seconds 20] [--publishers 2,4,9] [--sizes 1280x720,640x360]

It starts a livekit-server (tests/servers.py); per case, a publisher process joins N rtc bots that each
send a 320x240 camera at 15 fps and a tone, and a recorder process runs the recorder's own pipeline
(RoomCapture -> clock -> Compositor -> libx264/AAC fragmented MP4, conference/recordings) for
`--seconds`. The two are separate processes so the recorder's CPU (its getrusage, every thread: rtc
decoding of the incoming video, compositing, x264) is measured alone.

Figures: CPU s per recorded minute; real-time factor = recorder CPU seconds / recorded seconds (the cores
one recording keeps busy; below 1.0 one core keeps up); encode thread busy = the share of wall time the
compose+encode thread worked (near 1.0 it can no longer keep up); skipped frames (clock ran ahead)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _quiet_dev_key_warning() -> None:
    import warnings

    warnings.filterwarnings("ignore", message="The HMAC key is")


def token(key: str, secret: str, room: str, identity: str, recorder: bool = False) -> str:
    from livekit import api

    _quiet_dev_key_warning()
    grants = api.VideoGrants(room_join=True, room=room, can_subscribe=True, can_publish=not recorder)
    if recorder:
        grants.hidden, grants.recorder = True, True
    return api.AccessToken(key, secret).with_identity(identity).with_grants(grants).to_jwt()


async def publishers(url: str, key: str, secret: str, room: str, count: int, first: int) -> None:
    from livekit import rtc

    from tests.bots import Bot
    from tests.recordings.media import publish_pattern

    bots = [Bot(f"pub{i}") for i in range(first, first + count)]
    for index, bot in enumerate(bots, start=first):
        # A minute, not the bots' 20 s: a loaded machine joins nine of them slowly.
        await asyncio.wait_for(bot.room.connect(url, token(key, secret, room, f"pub{index}")), 60)
        colour = ((index * 70) % 256, 120, 255 - (index * 50) % 256)
        for attempt in range(3):  # LiveKit may time a publication out on a loaded machine: try again
            try:
                await publish_pattern(bot, colour, 300 + 100 * index, simulcast=False)
                break
            except rtc.participant.PublishTrackError:
                if attempt == 2:
                    raise
    print("ready", flush=True)
    await asyncio.Event().wait()  # until the driver ends the process


async def recorder(
    url: str, key: str, secret: str, room: str, width: int, height: int, seconds: float, expected: int
) -> dict:
    from conference.recordings.capture import RoomCapture
    from conference.recordings.clock import run_clock
    from conference.recordings.compose import Compositor
    from conference.recordings.encoder import RecordingWriter, playable_duration
    from conference.recordings.mixer import Mixer

    mixer = Mixer()
    capture = RoomCapture(mixer)
    await capture.connect(url, token(key, secret, room, "bench-recorder", recorder=True))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(capture.tiles()) < expected:  # every camera decoding first
        await asyncio.sleep(0.2)
    path = Path(tempfile.mkdtemp(prefix="recording-bench-")) / "bench.mp4"
    encoder = ThreadPoolExecutor(max_workers=1)
    writer = RecordingWriter(path, width=width, height=height, fps=15, audio_only=False)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    stats = await run_clock(stop, capture, mixer, writer, Compositor(width, height, "grid"), fps=15, encoder=encoder)
    await asyncio.get_running_loop().run_in_executor(encoder, writer.close)
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - started
    await capture.close()
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "tiles": len(capture.videos),
        "load": os.getloadavg()[0],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "encode_s": round(stats.encode_s, 2),
        "frames": stats.frames,
        "skipped": stats.skipped,
        "file_s": playable_duration(path),
        "bytes": path.stat().st_size,
    }


PER_PROCESS = 3  # publishers per process: nine in one event loop time out publishing on a busy machine


def run_case(server, count: int, width: int, height: int, seconds: float) -> dict:
    room = f"bench-{count}-{height}-{int(time.time())}"
    common = [server.ws_url, server.api_key, server.api_secret, room]
    groups = [(first, min(PER_PROCESS, count - first)) for first in range(0, count, PER_PROCESS)]
    pubs = [
        subprocess.Popen(
            [sys.executable, __file__, "--role", "publishers", *common, str(size), str(first)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for first, size in groups
    ]
    try:
        for process in pubs:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready", "publishers failed"
        args = [*common, str(width), str(height), str(seconds), str(count)]
        done = subprocess.run(
            [sys.executable, __file__, "--role", "recorder", *args], capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        for process in pubs:
            process.terminate()
            process.wait(15)


def drive(seconds: float, counts: list[int], sizes: list[tuple[int, int]]) -> None:
    from tests.servers import start_livekit

    with tempfile.TemporaryDirectory() as scratch:
        server = start_livekit(Path(scratch) / "livekit")
        try:
            print(
                "| publishers | size | CPU s per recorded minute | real-time factor | encode thread busy | skipped |"
                " recordings per core | load average |"
            )
            print("| --- | --- | --- | --- | --- | --- | --- | --- |")
            for width, height in sizes:
                for count in counts:
                    try:
                        result = run_case(server, count, width, height, seconds)
                    except (AssertionError, subprocess.CalledProcessError, ValueError) as error:
                        print(f"| {count} | {width}x{height}@15 | failed: {error} |", flush=True)
                        continue
                    factor = result["cpu_s"] / result["wall_s"]
                    print(
                        f"| {count} ({result['tiles']} tiles) | {width}x{height}@15 | {factor * 60:.1f} | {factor:.2f} "
                        f"| {result['encode_s'] / result['wall_s']:.0%} | {result['skipped']} of {result['frames']} "
                        f"| {1 / factor:.1f} | {result['load']:.1f} |",
                        flush=True,
                    )
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["driver", "publishers", "recorder"], default="driver")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--publishers", default="2,4,9")
    parser.add_argument("--sizes", default="1280x720,640x360")
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    if args.role == "publishers":
        url, key, secret, room, count, first = args.rest
        asyncio.run(publishers(url, key, secret, room, int(count), int(first)))
    elif args.role == "recorder":
        url, key, secret, room, width, height, seconds, expected = args.rest
        sizes = int(width), int(height), float(seconds), int(expected)
        print(json.dumps(asyncio.run(recorder(url, key, secret, room, *sizes))))
    else:
        counts = [int(n) for n in args.publishers.split(",")]
        sizes = [(int(w), int(h)) for w, h in (size.split("x") for size in args.sizes.split(","))]
        drive(args.seconds, counts, sizes)


if __name__ == "__main__":
    main()
