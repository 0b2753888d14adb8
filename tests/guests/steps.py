"""A guest in tests: join a room without an account, and use the session token it gets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Guest:
    id: str
    display_name: str
    session_token: str
    answer: dict
    status: int

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.session_token}"}


async def join_as_guest(client, room_id: str, name: str = "Gwen Guest", headers: dict | None = None) -> Guest:
    """POST /rooms/{id}/guests answered 200 (in) or 202 (lobby); anything else fails the test."""
    response = await client.post(f"/api/v1/rooms/{room_id}/guests", json={"display_name": name}, headers=headers)
    assert response.status in (200, 202), await response.text()
    body = await response.json()
    guest = body["guest"]
    return Guest(guest["id"], guest["display_name"], guest["session_token"], body, response.status)


def forget_browser(client) -> None:
    """Another browser: the cookies a guest join leaves are gone."""
    client.session.cookie_jar.clear()


async def api_key(client, name: str = "portal") -> str:
    """A fresh integrator API key of the app under test (`conference apikey create` does the same)."""
    from conference.accounts.apikeys import create_api_key
    from conference.deps import DEPS

    _, key = await create_api_key(client.app[DEPS].db, name)
    return key


def key_headers(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}
