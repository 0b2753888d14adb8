"""`conference backup` copies the SQLite database while the app serves; `conference restore` brings it back
(and refuses while an app has it open)."""

from __future__ import annotations

import os
import sqlite3
import subprocess

from conference.migrations import BASELINE, migrate
from tests.helpers import create_room, register
from tests.migrations.legacy import conference_cli


async def room_names(api, account) -> list[str]:
    response = await api.get("/api/v1/rooms", headers=account.headers)
    assert response.status == 200
    return sorted(room["name"] for room in (await response.json())["items"])


async def test_a_backup_restored_brings_back_the_data_it_had(make_api, tmp_path):
    database = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    backup_file = tmp_path / "backups" / "nightly.db"
    backup_file.parent.mkdir()
    async with make_api(database=database) as api:
        alice = await register(api, display_name="Alice Before")
        await create_room(api, alice, name="kept")

        copied = conference_cli("backup", str(backup_file), database_url=database)  # while the app serves
        assert copied.returncode == 0, copied.stderr
        assert f"backed up to {backup_file}" in copied.stdout

        await create_room(api, alice, name="made after the backup")
        renamed = await api.patch("/api/v1/users/me", json={"display_name": "Alice After"}, headers=alice.headers)
        assert renamed.status == 200
        assert await room_names(api, alice) == ["kept", "made after the backup"]

        refused = conference_cli("restore", str(backup_file), database_url=database)
        assert refused.returncode == 1
        assert "in use" in refused.stderr and "stop every conference process" in refused.stderr
        assert await room_names(api, alice) == ["kept", "made after the backup"]  # untouched

    restored = conference_cli("restore", str(backup_file), database_url=database)
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout and "conference migrate" not in restored.stdout

    async with make_api(database=database) as api:
        signed_in = await api.post("/api/v1/auth/login", json={"login": alice.user["login"], "password": "password123"})
        assert signed_in.status == 200
        alice.access_token = (await signed_in.json())["access_token"]
        assert await room_names(api, alice) == ["kept"]
        me = await (await api.get("/api/v1/users/me", headers=alice.headers)).json()
        assert me["display_name"] == "Alice Before"


def test_restore_refuses_a_file_that_is_not_a_conference_backup(tmp_path):
    database = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    with sqlite3.connect(tmp_path / "other.db") as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    (tmp_path / "garbage.db").write_bytes(b"this is not sqlite" * 100)

    other = conference_cli("restore", str(tmp_path / "other.db"), database_url=database)
    assert other.returncode == 1 and "not a conference database" in other.stderr
    garbage = conference_cli("restore", str(tmp_path / "garbage.db"), database_url=database)
    assert garbage.returncode == 1 and "not a SQLite database" in garbage.stderr
    missing = conference_cli("restore", str(tmp_path / "missing.db"), database_url=database)
    assert missing.returncode == 1 and "no backup at" in missing.stderr


def test_postgres_is_backed_up_with_its_own_tools(tmp_path):
    result = conference_cli(
        "backup", str(tmp_path / "x.db"), database_url="postgresql+asyncpg://u:p@127.0.0.1:1/conference"
    )
    assert result.returncode == 1 and "pg_dump" in result.stderr


async def test_a_backup_from_an_older_version_is_restored_and_asks_for_migrate(tmp_path):
    old = tmp_path / "old.db"
    await migrate(f"sqlite+aiosqlite:///{old}", BASELINE)
    database = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    restored = conference_cli("restore", str(old), database_url=database)
    assert restored.returncode == 0, restored.stderr
    assert f"revision {BASELINE}" in restored.stdout and "run: conference migrate" in restored.stdout
    assert conference_cli("migrate", database_url=database).returncode == 0


async def test_postgres_dump_and_restore_as_documented(make_api, postgres, tmp_path):
    """The pg_dump / pg_restore commands of docs/operations.md, against a real PostgreSQL."""
    source = postgres.create_database("t_dumped")
    async with make_api(database=source) as api:
        alice = await register(api)
        await create_room(api, alice, name="in the dump")
    dump = tmp_path / "conference.dump"
    env = {**os.environ, "PGPASSWORD": postgres.password}
    where = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", postgres.user]
    subprocess.run(
        [str(postgres.bin_dir / "pg_dump"), *where, "--format=custom", f"--file={dump}", "t_dumped"],
        env=env,
        check=True,
        timeout=60,
    )
    target = postgres.create_database("t_restored")
    subprocess.run(
        [
            str(postgres.bin_dir / "pg_restore"),
            *where,
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            "t_restored",
            str(dump),
        ],
        env=env,
        check=True,
        timeout=60,
    )
    assert conference_cli("migrate", database_url=target).stdout.startswith("database already at")
    async with make_api(database=target) as api:
        assert await room_names(api, alice) == ["in the dump"]
