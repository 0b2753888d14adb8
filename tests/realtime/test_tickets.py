"""Who may open /api/v1/ws: a single-use ticket from POST /ws/ticket (or a bearer header); a token in
the URL is refused; and a socket renewed in band outlives the access token it was opened with."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from conference.deps import DEPS
from tests.helpers import error_of, register
from tests.realtime.sockets import Socket, connect, ticket_for
from tests.realtime.test_event_models import problems_of


async def open_with(client, **params) -> Socket:
    return Socket(await client.ws_connect("/api/v1/ws", params=params))


async def test_a_ticket_opens_one_socket_once(api):
    alice = await register(api)
    response = await api.post("/api/v1/ws/ticket", headers=alice.headers)
    assert response.status == 200
    body = await response.json()
    assert body["expires_in"] == 30 and body["ticket"].startswith("wst_")
    ws = await open_with(api, ticket=body["ticket"])
    assert (await ws.expect("ready"))["data"]["user_id"] == alice.id
    again = await open_with(api, ticket=body["ticket"])
    code, reason = await again.closed()
    assert code == 4401 and "spent" in reason
    await ws.send(type="ping")
    await ws.expect("pong")  # the first socket is unaffected


@pytest.mark.parametrize(
    "params, reason",
    [
        ({}, "missing"),
        ({"ticket": ""}, "missing"),
        ({"ticket": "wst_not-a-ticket"}, "not valid"),
        ({"ticket": "garbage"}, "not valid"),
        ({"ticket": "wst_" + "x" * 500}, "not valid"),
        ({"access_token": "ACCESS"}, "refused"),  # even a valid token
        ({"access_token": "ACCESS", "ticket": "TICKET"}, "refused"),  # and even next to a valid ticket
    ],
)
async def test_a_missing_or_bad_ticket_and_any_token_in_the_url_close_with_4401(shared_api, params, reason):
    api = shared_api
    alice = await register(api)
    if "TICKET" in params.values():
        params = {**params, "ticket": await ticket_for(api, alice)}
    params = {k: alice.access_token if v == "ACCESS" else v for k, v in params.items()}
    code, message = await (await open_with(api, **params)).closed()
    assert code == 4401
    assert reason in message


async def test_an_expired_ticket_closes_with_4401(make_api):
    async with make_api("sqlite", ws_ticket_ttl_s=1) as api:
        alice = await register(api)
        response = await api.post("/api/v1/ws/ticket", headers=alice.headers)
        assert (await response.json())["expires_in"] == 1
        ticket = (await response.json())["ticket"]
        await asyncio.sleep(1.3)
        code, message = await (await open_with(api, ticket=ticket)).closed()
        assert code == 4401 and "expired" in message


async def test_a_ticket_is_refused_once_its_access_token_expired_or_its_sign_in_ended(make_api):
    async with make_api("sqlite", access_token_ttl_s=1) as api:
        alice = await register(api)
        ticket = await ticket_for(api, alice)
        await asyncio.sleep(2.1)
        code, message = await (await open_with(api, ticket=ticket)).closed()
        assert code == 4401 and "expired" in message

    async with make_api("sqlite") as api:
        bob = await register(api)
        ticket = await ticket_for(api, bob)
        assert (await api.post("/api/v1/auth/logout", json={"refresh_token": bob.refresh_token})).status == 204
        code, message = await (await open_with(api, ticket=ticket)).closed()
        assert code == 4401 and "no longer valid" in message


async def test_only_a_signed_in_user_gets_a_ticket(api):
    from conference.accounts.apikeys import create_api_key

    _, key = await create_api_key(api.server.app[DEPS].db, "crm")
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": f"Bearer {key}"}):
        response = await api.post("/api/v1/ws/ticket", headers=headers)
        assert await error_of(response) == (401, "unauthorized")


async def test_a_ticket_minted_on_one_replica_opens_a_socket_on_another_once(make_api, postgres, redis_server):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url) as one,
        make_api(database=database, redis_url=redis_server.url) as two,
    ):
        alice = await register(one)
        ticket = await ticket_for(one, alice)
        ws = await open_with(two, ticket=ticket)
        assert (await ws.expect("ready"))["data"]["user_id"] == alice.id
        code, message = await (await open_with(one, ticket=ticket)).closed()
        assert code == 4401 and "spent" in message


async def test_a_socket_renewed_in_band_outlives_its_first_access_token(make_api):
    async with make_api("sqlite", access_token_ttl_s=4) as api:
        alice, bob = await register(api), await register(api)
        ws = await connect(api, alice)
        await ws.expect("ready")
        first_expiry = int(time.time()) + 4  # the access token the ticket was minted with (±1 s)

        await ws.send(type="renew", ticket=await ticket_for(api, bob), client_id="b")
        assert (await ws.expect("error", code="forbidden"))["data"]["client_id"] == "b"
        await ws.send(type="renew", ticket="wst_spent-or-made-up")
        await ws.expect("error", code="unauthorized")

        await asyncio.sleep(2.2)
        response = await api.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
        alice.access_token = (await response.json())["access_token"]  # valid ~2 s longer than the first
        await ws.send(type="renew", ticket=await ticket_for(api, alice))
        renewed = await ws.expect("renewed")
        assert 3 <= renewed["data"]["expires_in"] <= 4 and "id" not in renewed

        await asyncio.sleep(max(0.0, first_expiry + 1.2 - time.time()))
        await ws.send(type="ping")
        await ws.expect("pong")  # the first token has expired; the socket lives on the second
        code, message = await ws.closed(timeout=5)
        assert code == 4401 and "expired" in message
        assert [problem for frame in ws.seen for problem in problems_of(frame)] == []
