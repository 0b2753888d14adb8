"""Mute everyone and ask everyone to unmute, against real rtc clients in a real livekit-server:
every microphone but the hosts' goes quiet, each muted person is told who did it, and the ask is
only a request (nothing is unmuted)."""

import asyncio

import pytest

from tests.bots import bots
from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect

pytestmark = pytest.mark.livekit


async def test_mute_all_spares_the_hosts_and_tells_each_person(live_api):
    host, cohost, ann, bob = [await register(live_api) for _ in range(4)]
    room = await create_room(live_api, host)
    grants = {a.id: await join(live_api, a, room["id"]) for a in (host, cohost, ann, bob)}
    await live_api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{cohost.id}", headers=host.headers, json={"role": "host"}
    )
    sockets = {a.id: await connect(live_api, a) for a in (host, cohost, ann, bob)}
    async with bots("host", "cohost", "ann", "bob") as everyone:
        microphones = {}
        for bot, account in zip(everyone, (host, cohost, ann, bob), strict=True):
            await bot.connect(grants[account.id]["livekit_url"], grants[account.id]["token"])
            _, microphones[account.id] = await bot.publish_camera_and_microphone()
        await everyone[0].video_frames_from(bob.id, count=1)

        response = await live_api.post(
            f"/api/v1/rooms/{room['id']}/mute-all", headers=host.headers, json={"kind": "audio"}
        )
        assert response.status == 200, await response.text()
        assert (await response.json())["muted"] == sorted([ann.id, bob.id])
        for account in (ann, bob):
            told = await sockets[account.id].expect("participant.muted", user_id=account.id)
            assert told["data"]["by"] == host.id and told["data"]["kind"] == "audio"
            assert told["data"]["muted"] == [microphones[account.id].sid]
        watcher = everyone[0]
        for _ in range(50):
            if {(ann.id, microphones[ann.id].sid), (bob.id, microphones[bob.id].sid)} <= set(watcher.muted):
                break
            await asyncio.sleep(0.1)
        spared = {identity for identity, _ in watcher.muted}
        assert {ann.id, bob.id} <= spared and cohost.id not in spared
        for account in (host, cohost):
            frames = await sockets[account.id].quiet(0.5)
            assert not [f for f in frames if f["type"] == "participant.muted"]

        asked = await live_api.post(f"/api/v1/rooms/{room['id']}/ask-unmute", headers=host.headers, json={})
        assert (await asked.json())["asked"] == sorted([ann.id, bob.id])
        request = await sockets[ann.id].expect("unmute.requested", kind="audio")
        assert request["data"]["by"]["id"] == host.id
        await asyncio.sleep(0.5)
        remote = watcher.room.remote_participants[ann.id].track_publications[microphones[ann.id].sid]
        assert remote.muted  # asked, not unmuted
        assert not [f for f in await sockets[cohost.id].quiet(0.3) if f["type"] == "unmute.requested"]
