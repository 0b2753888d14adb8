"""The server fixtures start real processes that answer like the real thing."""

import asyncio

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from livekit import api, rtc

from tests.servers import free_port, start_livekit


async def test_postgres_answers_queries(postgres):
    connection = await asyncpg.connect(postgres.dsn)
    try:
        assert await connection.fetchval("select 1") == 1
    finally:
        await connection.close()


async def test_postgres_creates_fresh_databases(postgres):
    url = postgres.create_database("fresh_one")
    assert url.startswith("postgresql+asyncpg://") and url.endswith("/fresh_one")
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        assert await connection.fetchval("select current_database()") == "fresh_one"
        tables = await connection.fetchval(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        )
        assert tables == 0
    finally:
        await connection.close()
        postgres.drop_database("fresh_one")


async def test_redis_answers_ping(redis_server):
    client = aioredis.from_url(redis_server.url)
    try:
        assert await client.ping() is True
        await client.set("greeting", "hello")
        assert await client.get("greeting") == b"hello"
    finally:
        await client.aclose()


@pytest.mark.livekit
async def test_livekit_lists_rooms(livekit):
    assert livekit.webhook_port
    async with api.LiveKitAPI(livekit.http_url, livekit.api_key, livekit.api_secret) as lk:
        await lk.room.create_room(api.CreateRoomRequest(name="fixture-check"))
        rooms = await lk.room.list_rooms(api.ListRoomsRequest())
        assert "fixture-check" in [room.name for room in rooms.rooms]
        await lk.room.delete_room(api.DeleteRoomRequest(room="fixture-check"))


@pytest.mark.livekit
async def test_livekit_creates_no_room_for_a_token_alone(livekit):
    """auto_create: false, as in livekit.yaml: a valid token for a room nobody created is refused."""
    peer = rtc.Room()
    with pytest.raises(rtc.ConnectError):
        await peer.connect(livekit.ws_url, media_token(livekit, "mallory", "never-created"))
    await peer.disconnect()
    async with api.LiveKitAPI(livekit.http_url, livekit.api_key, livekit.api_secret) as lk:
        rooms = await lk.room.list_rooms(api.ListRoomsRequest(names=["never-created"]))
    assert list(rooms.rooms) == []


@pytest.mark.livekit
async def test_livekit_signs_webhooks_with_the_configured_key(tmp_path):
    # A LiveKit of its own, so this test never races the app fixture for the
    # session webhook port.
    received: asyncio.Queue = asyncio.Queue()
    receiver = api.WebhookReceiver(api.TokenVerifier("devkey", "secret"))

    async def webhook(request: web.Request) -> web.Response:
        body = await request.text()
        received.put_nowait(receiver.receive(body, request.headers["Authorization"]))
        return web.Response()

    app = web.Application()
    app.router.add_post("/api/v1/livekit/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    server = start_livekit(tmp_path, f"http://127.0.0.1:{port}/api/v1/livekit/webhook")
    try:
        async with api.LiveKitAPI(server.http_url, server.api_key, server.api_secret) as lk:
            await lk.room.create_room(api.CreateRoomRequest(name="hooked"))
        event = await asyncio.wait_for(received.get(), timeout=15)
        assert event.event == "room_started"
        assert event.room.name == "hooked"
    finally:
        server.stop()
        await runner.cleanup()


def media_token(livekit, identity: str, room: str) -> str:
    grants = api.VideoGrants(room_join=True, room=room, can_publish=True, can_subscribe=True)
    return api.AccessToken(livekit.api_key, livekit.api_secret).with_identity(identity).with_grants(grants).to_jwt()


@pytest.mark.livekit
async def test_livekit_carries_media_between_peers_on_loopback(livekit):
    """ICE must succeed over 127.0.0.1, or no browser test could ever see a video."""
    publisher, subscriber = rtc.Room(), rtc.Room()
    subscribed: asyncio.Future = asyncio.get_running_loop().create_future()

    @subscriber.on("track_subscribed")
    def on_track(track, publication, participant):
        if not subscribed.done():
            subscribed.set_result((track.kind, participant.identity))

    async with api.LiveKitAPI(livekit.http_url, livekit.api_key, livekit.api_secret) as lk:
        await lk.room.create_room(api.CreateRoomRequest(name="loopback"))  # the fixture sets auto_create: false
    try:
        await subscriber.connect(livekit.ws_url, media_token(livekit, "bob", "loopback"))
        await publisher.connect(livekit.ws_url, media_token(livekit, "alice", "loopback"))
        source = rtc.AudioSource(48000, 1)
        track = rtc.LocalAudioTrack.create_audio_track("mic", source)
        await publisher.local_participant.publish_track(track)
        silence = rtc.AudioFrame.create(48000, 1, 480)
        for _ in range(100):
            await source.capture_frame(silence)
            if subscribed.done():
                break
        kind, identity = await asyncio.wait_for(subscribed, timeout=15)
        assert identity == "alice"
        assert kind == rtc.TrackKind.KIND_AUDIO
    finally:
        await publisher.disconnect()
        await subscriber.disconnect()
