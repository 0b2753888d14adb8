"""Issue 10, fault test 7: a database created and filled by main before migrations existed is upgraded
in place by `conference migrate`; every row is still there and the app serves it."""

from __future__ import annotations

import pytest

from conference.db import create_engine
from conference.migrations import BASELINE, SchemaState, head_revision, schema_state
from tests.migrations.legacy import (
    PASSWORD,
    REFRESH_TOKEN,
    ROOM_ID,
    conference_cli,
    create_main_schema,
    fill_like_main,
    fresh_database,
    table_counts,
)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_a_database_filled_by_main_is_upgraded_and_served(kind, tmp_path, request, make_api):
    url = fresh_database(kind, tmp_path, request.getfixturevalue("postgres") if kind == "postgres" else None)
    await create_main_schema(url)
    filled = await fill_like_main(url)

    migrated = conference_cli("migrate", database_url=url)
    assert migrated.returncode == 0, migrated.stderr
    assert f"adopted a database created before migrations as {BASELINE}" in migrated.stdout
    assert f"to {head_revision()}" in migrated.stdout
    again = conference_cli("migrate", database_url=url)
    assert again.returncode == 0 and f"already at {head_revision()}" in again.stdout, again.stderr

    assert await table_counts(url) == filled.counts
    engine = create_engine(url)
    try:
        assert await schema_state(engine) == (SchemaState.CURRENT, head_revision())
    finally:
        await engine.dispose()

    async with make_api(database=url) as api:
        signed_in = await api.post("/api/v1/auth/login", json={"login": "alice", "password": PASSWORD})
        assert signed_in.status == 200, await signed_in.text()
        alice = {"Authorization": f"Bearer {(await signed_in.json())['access_token']}"}

        me = await (await api.get("/api/v1/users/me", headers=alice)).json()
        assert (me["id"], me["display_name"], me["email"]) == (filled.alice_id, "Alice Old", "alice@example.com")
        rooms = await (await api.get("/api/v1/rooms", headers=alice)).json()
        assert ROOM_ID in [room["id"] for room in rooms["items"]]
        chat = await (await api.get(f"/api/v1/rooms/{ROOM_ID}/chat/messages", headers=alice)).json()
        assert [message["content"] for message in chat["items"]] == ["hello from before", "still here?"]
        direct = await (await api.get(f"/api/v1/dm/{filled.bob_id}/messages", headers=alice)).json()
        assert [message["content"] for message in direct["items"]] == ["a direct word"]
        # Messages written before search existed are found (migration 0010 indexes what is there).
        found = await (await api.get("/api/v1/search", params={"q": "word"}, headers=alice)).json()
        assert [(hit["kind"], hit["conversation_id"]) for hit in found["items"]] == [("dm", filled.bob_id)]
        contacts = await (await api.get("/api/v1/contacts", headers=alice)).json()
        assert [(c["user"]["id"], c["status"]) for c in contacts["items"]] == [(filled.bob_id, "accepted")]
        history = await api.get(f"/api/v1/rooms/{ROOM_ID}/sessions", headers=alice)
        assert history.status == 200 and len((await history.json())["items"]) == 1

        # A sign-in made before the upgrade keeps working: its refresh token is still accepted.
        refreshed = await api.post("/api/v1/auth/refresh", json={"refresh_token": REFRESH_TOKEN})
        assert refreshed.status == 200, await refreshed.text()

        # New rows get fresh ids after the old ones.
        posted = await api.post(f"/api/v1/rooms/{ROOM_ID}/chat/messages", json={"content": "after"}, headers=alice)
        assert posted.status == 201, await posted.text()
        assert (await posted.json())["id"] == 3
