"""A webhook receiver per test: `receiver` is a Receiver listening on loopback (receiver.url)."""

from __future__ import annotations

import pytest

from tests.integrations.receiver import Receiver, start_receiver


@pytest.fixture
async def receiver():
    hook = Receiver()
    runner = await start_receiver(hook)
    yield hook
    await runner.cleanup()
