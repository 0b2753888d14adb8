"""Short verbs for tests: register a user, create and join rooms, read error codes."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

_counter = itertools.count()


@dataclass
class Account:
    user: dict
    access_token: str
    refresh_token: str
    password: str

    @property
    def id(self) -> str:
        return self.user["id"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}


def unique_login(prefix: str = "user") -> str:
    return f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:6]}"


async def register(client, login: str | None = None, password: str = "password123", **extra) -> Account:
    body = {"login": login or unique_login(), "password": password, **extra}
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status == 201, await response.text()
    data = await response.json()
    return Account(data["user"], data["access_token"], data["refresh_token"], password)


async def create_room(client, account: Account, **body) -> dict:
    response = await client.post("/api/v1/rooms", json={"name": "Standup", **body}, headers=account.headers)
    assert response.status == 201, await response.text()
    return await response.json()


async def join(client, account: Account, room_id: str) -> dict:
    response = await client.post(f"/api/v1/rooms/{room_id}/join", headers=account.headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def error_of(response) -> tuple[int, str]:
    body = await response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"].get("message"), str) and body["error"]["message"]
    return response.status, body["error"]["code"]
