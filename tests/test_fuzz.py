"""Property-based fuzz of the whole OpenAPI surface with Schemathesis, against the real app
(`conference serve` in a process of its own) on SQLite and on PostgreSQL, signed in.

For every operation, Hypothesis generates valid requests (path ids of a real room and user, so the
handlers go past their lookups) and invalid ones (everything random). Every answer must be: no 5xx,
JSON in the one error shape or the declared answer (response_schema_conformance, where a schema is
declared), and an invalid request refused with a 4xx (negative_data_rejection).

The budget is fixed: FUZZ_EXAMPLES cases per operation and mode (default 10, about 30 s per database
on two cores), from a seed printed at the start (FUZZ_SEED replays a run)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from tests.servers import REPO, free_port, log_tail

SEED = int(os.environ.get("FUZZ_SEED") or 20261123)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 10)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, negative_data_rejection]
# Deleting the fuzzing user would leave every later case at 401; the delete has its own tests.
SKIPPED = {("DELETE", "/api/v1/users/me")}
UPLOAD_MAX_BYTES = 64 * 1024


@dataclass
class Target:
    base_url: str
    log_path: object
    user_token: str = ""
    api_key: str = ""
    known: dict[str, str] = field(default_factory=dict)  # path parameter -> a real id


def start_app(database_url: str, livekit, log_path, uploads_dir) -> subprocess.Popen:
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "LIVEKIT_URL": livekit.ws_url,
        "LIVEKIT_API_URL": livekit.http_url,
        "LIVEKIT_API_KEY": livekit.api_key,
        "LIVEKIT_API_SECRET": livekit.api_secret,
        "JWT_SECRET": "fuzz-" + uuid.uuid4().hex * 2,
        "BCRYPT_ROUNDS": "4",
        "LOGIN_RATE_PER_MINUTE": "100000",
        "REGISTRATIONS_PER_HOUR": "100000",
        "LOG_LEVEL": "WARNING",
        # POST /uploads keeps what it is sent: in the test's own directory, each file bounded (a generated
        # body past this gets 413, itself a declared answer), so the fuzz cannot fill a disk.
        "UPLOADS_DIR": str(uploads_dir),
        "UPLOAD_MAX_BYTES": str(UPLOAD_MAX_BYTES),
    }
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "conference", "serve"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    process.port = port
    process.env = env
    return process


def wait_healthy(process: subprocess.Popen, url: str, log_path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the app exited:\n{log_tail(log_path)}"
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the app did not come up:\n{log_tail(log_path)}")


def arrange(target: Target, env: dict[str, str]) -> None:
    """A signed-in user with a room, a contact and a group with them, and an integrator's API key."""

    def register() -> dict:
        body = {"login": f"fuzz-{uuid.uuid4().hex[:8]}", "password": "password123"}
        response = requests.post(target.base_url + "/api/v1/auth/register", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    me, other = register(), register()
    target.user_token = me["access_token"]
    headers = {"Authorization": f"Bearer {target.user_token}"}
    room = requests.post(target.base_url + "/api/v1/rooms", json={"name": "Fuzz"}, headers=headers, timeout=10)
    assert room.status_code == 201, room.text
    group = requests.post(
        target.base_url + "/api/v1/groups",
        json={"title": "Fuzz", "member_ids": [other["user"]["id"]]},
        headers=headers,
        timeout=10,
    )
    assert group.status_code == 201, group.text
    target.known = {"room_id": room.json()["id"], "user_id": other["user"]["id"], "group_id": group.json()["id"]}
    created = subprocess.run(
        [sys.executable, "-m", "conference", "apikey", "create", "fuzz"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    target.api_key = created.stdout.strip().splitlines()[-1]


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, livekit, tmp_path) -> Target:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").create_database("t_fuzz_" + uuid.uuid4().hex[:8])
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}"
    log_path = tmp_path / "app.log"
    process = start_app(url, livekit, log_path, tmp_path / "uploads")
    base_url = f"http://127.0.0.1:{process.port}"
    try:
        wait_healthy(process, base_url, log_path)
        found = Target(base_url, log_path)
        arrange(found, process.env)
        yield found
    finally:
        process.terminate()
        process.wait(10)


def credentials(operation, target: Target) -> dict[str, str]:
    schemes = {name for requirement in operation.definition.raw.get("security", [{}]) for name in requirement}
    if schemes == {"apiKey"}:
        return {"Authorization": f"Bearer {target.api_key}"}
    return {"Authorization": f"Bearer {target.user_token}"} if schemes else {}


def fuzz_operation(operation, mode, target: Target, session: requests.Session, failures: list[str]) -> int:
    """Runs the cases of one operation in one mode; returns how many requests were made."""
    known = {name: target.known[name] for name in target.known if name in operation.path_parameters}
    strategy = operation.as_strategy(
        generation_mode=mode,
        path_parameters=known if mode == schemathesis.GenerationMode.POSITIVE and known else None,
    )
    headers = credentials(operation, target)
    count = 0

    @hypothesis.seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure list says what broke
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(case=strategy)
    def run(case) -> None:
        nonlocal count
        count += 1
        response = case.call(base_url=target.base_url, session=session, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as failure:  # collected, so one run reports every operation
            found = failure.exceptions if isinstance(failure, FailureGroup) else [failure]
            summary = "; ".join(getattr(each, "title", None) or type(each).__name__ for each in found)
            failures.append(
                f"{operation.method.upper()} {operation.path} [{mode.value}] -> {response.status_code}: {summary}\n"
                f"    {case.as_curl_command(headers=headers)}"
            )

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        assert mode == schemathesis.GenerationMode.NEGATIVE, f"no valid request for {operation.label}"
        # nothing about this operation can be made invalid (no body, no parameters with a type)
    return count


def test_no_request_gets_a_server_error_or_an_undeclared_answer(target: Target):
    print(f"\nfuzz seed {SEED} (FUZZ_SEED={SEED} replays this run), {EXAMPLES} examples per operation and mode")
    schema = schemathesis.openapi.from_url(target.base_url + "/api/v1/openapi.json")
    # Unknown query parameters and headers are ignored by design (as caches and proxies add them);
    # invalid values of declared ones are still generated.
    schema.config.generation.update(allow_extra_parameters=False)
    failures: list[str] = []
    cases = operations = 0
    started = time.monotonic()
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) in SKIPPED:
                continue
            operations += 1
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                began = time.monotonic()
                cases += fuzz_operation(operation, mode, target, session, failures)
                if os.environ.get("FUZZ_TIMINGS"):
                    print(f"  {operation.label} [{mode.value}] {time.monotonic() - began:.1f}s")
    elapsed = time.monotonic() - started
    print(f"fuzz: {cases} cases over {operations} operations in {elapsed:.0f}s, {len(failures)} failures")
    assert cases >= operations * EXAMPLES, "some operations generated no cases"
    assert not failures, "\n".join(failures[:30]) + f"\n\napp log:\n{log_tail(target.log_path, 60)}"
