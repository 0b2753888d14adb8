"""Short verbs for group tests."""

from __future__ import annotations

from tests.helpers import Account


async def create_group(api, creator: Account, *members: Account, title: str = "Team") -> dict:
    response = await api.post(
        "/api/v1/groups", json={"title": title, "member_ids": [m.id for m in members]}, headers=creator.headers
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def post(api, account: Account, group_id: str, content: str, **extra) -> dict:
    response = await api.post(
        f"/api/v1/groups/{group_id}/messages", json={"content": content, **extra}, headers=account.headers
    )
    assert response.status == 201, await response.text()
    return await response.json()
