"""Apps whose recordings go to a temporary directory; `recorder_api` also records (an in-process worker)."""

from __future__ import annotations

import pytest

# Small pictures keep the encoding cheap on a shared two-core machine; the rate is what tests check.
RECORDING = {"recording_width": 640, "recording_height": 360, "recording_fps": 15}


@pytest.fixture(params=["sqlite", "postgres"])
async def rec_api(make_api, request, tmp_path):
    async with make_api(request.param, recordings_dir=tmp_path / "recordings") as client:
        yield client


@pytest.fixture
async def recorder_api(make_api, livekit, tmp_path):
    """Listens on the webhook port and runs a recorder worker in its process, as `conference serve` does."""
    async with make_api(
        "sqlite",
        port=livekit.webhook_port,
        recordings_dir=tmp_path / "recordings",
        recorder_in_process=True,
        **RECORDING,
    ) as client:
        yield client
