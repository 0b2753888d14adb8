"""A co-host who is demoted or removed is no host anywhere at once: not on the replica that made the
change, and not on another replica that had their standing cached a moment before."""

from __future__ import annotations

import uuid

from livekit import api as lkapi

from tests.helpers import create_room, error_of, join, register


async def media_claims(client, account, room_id: str):
    response = await client.post(f"/api/v1/rooms/{room_id}/media/token", headers=account.headers)
    if response.status != 200:
        return response
    verifier = lkapi.TokenVerifier(client.settings.livekit_api_key, client.settings.livekit_api_secret)
    return verifier.verify((await response.json())["token"])


async def test_a_demoted_or_removed_cohost_loses_host_powers_on_every_replica_at_once(make_api, postgres, redis_server):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url) as one,
        make_api(database=database, redis_url=redis_server.url) as two,
    ):
        owner, cohost = await register(one), await register(one)
        room = await create_room(one, owner)
        rid = room["id"]
        await join(one, cohost, rid)

        async def promote():
            response = await one.patch(
                f"/api/v1/rooms/{rid}/participants/{cohost.id}", headers=owner.headers, json={"role": "host"}
            )
            assert response.status == 200
            # Replica two now remembers the co-host as a host (the token path's standing cache).
            assert (await media_claims(two, cohost, rid)).video.room_admin

        await promote()
        demoted = await one.patch(
            f"/api/v1/rooms/{rid}/participants/{cohost.id}", headers=owner.headers, json={"role": "participant"}
        )
        assert demoted.status == 200
        claims = await media_claims(two, cohost, rid)
        assert not claims.video.room_admin and claims.video.can_publish
        lock = await two.patch(f"/api/v1/rooms/{rid}", headers=cohost.headers, json={"locked": True})
        assert await error_of(lock) == (403, "forbidden")

        await promote()
        removed = await one.post(f"/api/v1/rooms/{rid}/participants/{cohost.id}/remove", headers=owner.headers)
        assert removed.status == 200
        assert await error_of(await media_claims(two, cohost, rid)) == (403, "forbidden")
        lobby = await two.get(f"/api/v1/rooms/{rid}/lobby", headers=cohost.headers)
        assert await error_of(lobby) == (403, "forbidden")


async def test_an_ended_room_mints_no_token_on_any_replica(make_api, postgres, redis_server):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url) as one,
        make_api(database=database, redis_url=redis_server.url) as two,
    ):
        owner, guest = await register(one), await register(one)
        room = await create_room(one, owner)
        await join(one, guest, room["id"])
        assert (await media_claims(two, guest, room["id"])).video.room_join  # cached on two
        assert (await one.post(f"/api/v1/rooms/{room['id']}/end", headers=owner.headers)).status == 200
        assert await error_of(await media_claims(two, guest, room["id"])) == (409, "room_ended")
