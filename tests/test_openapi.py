"""openapi.json as a client generator reads it: every API operation declares what it answers
(a 2xx with a schema, or a body-less 204) and the one error shape; every realtime event and
socket reply type names a schema; every reference resolves."""

from __future__ import annotations

from typing import Any

import aiohttp
import jsonschema_rs

from tests.helpers import register

# Not a JSON operation: it upgrades to the WebSocket described by x-realtime-events.
NOT_JSON = {  # an upgrade; files
    ("get", "/api/v1/ws"),
    ("get", "/api/v1/recordings/{recording_id}/file"),
    ("get", "/api/v1/uploads/{upload_id}"),
    ("get", "/api/v1/uploads/{upload_id}/thumbnail"),
}
# A text/calendar answer (its errors are the JSON error shape all the same).
CALENDAR = ("get", "/api/v1/rooms/{room_id}/calendar.ics")


async def openapi_of(make_api) -> dict[str, Any]:
    async with make_api("sqlite") as client:
        response = await client.get("/api/v1/openapi.json")
        assert response.status == 200
        return await response.json()


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    name = ref.rsplit("/", 1)[1]
    assert name in document["components"]["schemas"], f"{ref} does not resolve"
    return document["components"]["schemas"][name]


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        return ([node["$ref"]] if isinstance(node.get("$ref"), str) else []) + [
            ref for value in node.values() for ref in refs_in(value)
        ]
    if isinstance(node, list):
        return [ref for value in node for ref in refs_in(value)]
    return []


def answer_problems(document: dict[str, Any], where: str, responses: dict[str, Any]) -> list[str]:
    problems = []
    successes = {status: answer for status, answer in responses.items() if status.startswith("2")}
    if not successes:
        problems.append(f"{where}: no 2xx answer")
    for status, answer in successes.items():
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if status == "204":
            if schema is not None:
                problems.append(f"{where}: 204 declares a body")
        elif schema is None:
            problems.append(f"{where}: {status} has no schema")
        elif resolve(document, schema).get("type") != "object" and "anyOf" not in resolve(document, schema):
            problems.append(f"{where}: {status} answers {schema}, not an object")
    for status_range in ("4XX", "5XX"):
        schema = responses.get(status_range, {}).get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            problems.append(f"{where}: no {status_range} error schema")
            continue
        error = resolve(document, schema)
        detail = resolve(document, error.get("properties", {}).get("error", {}))
        if error.get("required") != ["error"] or not {"code", "message"} <= set(detail.get("required", [])):
            problems.append(f"{where}: {status_range} is not the error shape {{error: {{code, message, fields?}}}}")
    return problems


async def test_every_operation_declares_its_answer_and_the_error_shape(make_api):
    document = await openapi_of(make_api)
    problems = []
    operations = 0
    for path, methods in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue  # healthz, readyz, metrics: operations probes, not the API
        for method, operation in methods.items():
            if (method, path) in NOT_JSON:
                continue
            if (method, path) == CALENDAR:
                assert "text/calendar" in operation["responses"]["200"]["content"]
                problems += [p for p in answer_problems(document, path, operation["responses"]) if "200" not in p]
                continue
            operations += 1
            problems += answer_problems(document, f"{method.upper()} {path}", operation["responses"])
    assert operations > 30
    assert problems == [], "\n".join(problems)


async def test_every_realtime_type_and_every_reference_resolves(make_api):
    document = await openapi_of(make_api)
    events, replies = document["x-realtime-events"], document["x-realtime-frames"]
    assert {"chat.message", "dm.message", "dm.receipt", "presence", "typing"} <= set(events)
    assert set(replies) == {"ack", "error", "ready", "pong", "renewed", "resync"}
    for kind, schema in {**events, **replies}.items():
        assert "properties" in resolve(document, schema) or "anyOf" in resolve(document, schema), kind
    for ref in refs_in(document):
        resolve(document, {"$ref": ref})


async def test_real_answers_validate_against_their_declared_schemas(make_api):
    """A spot check that the declared schemas are the answers, not just present."""
    async with make_api("sqlite") as client:
        document = await (await client.get("/api/v1/openapi.json")).json()

        def check(method: str, path: str, status: int, body: Any) -> None:
            answer = document["paths"]["/api/v1" + path][method]["responses"][str(status)]
            schema = answer["content"]["application/json"]["schema"]
            validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
            errors = [error.message for error in validator.iter_errors(body)]
            assert errors == [], (method, path, errors)

        alice, bob = await register(client), await register(client)
        response = await client.post(
            "/api/v1/auth/login", json={"login": alice.user["login"], "password": "password123"}
        )
        check("post", "/auth/login", 200, await response.json())
        check("get", "/users/me", 200, await (await client.get("/api/v1/users/me", headers=alice.headers)).json())
        response = await client.post("/api/v1/contacts", json={"user_id": bob.id}, headers=alice.headers)
        check("post", "/contacts", 201, await response.json())
        check("get", "/contacts", 200, await (await client.get("/api/v1/contacts", headers=alice.headers)).json())
        response = await client.post(f"/api/v1/dm/{bob.id}/messages", json={"content": "hi"}, headers=alice.headers)
        check("post", "/dm/{user_id}/messages", 201, await response.json())
        check("get", "/dm", 200, await (await client.get("/api/v1/dm", headers=bob.headers)).json())
        response = await client.get(f"/api/v1/users/{bob.id}", headers=alice.headers)
        check("get", "/users/{user_id}", 200, await response.json())
        response = await client.post("/api/v1/ws/ticket", headers=alice.headers)
        check("post", "/ws/ticket", 200, await response.json())
        response = await client.get("/api/v1/users/nobody", headers=alice.headers)
        check("get", "/users/{user_id}", "4XX", await response.json())


async def test_the_upload_declares_its_multipart_file_body(make_api):
    """POST /uploads is not JSON: a client generator needs its multipart body with the `file` part, and
    a request built from that declaration alone is what the endpoint takes."""
    async with make_api("sqlite") as client:
        document = await (await client.get("/api/v1/openapi.json")).json()
        operation = document["paths"]["/api/v1/uploads"]["post"]
        body = operation["requestBody"]
        assert body["required"] is True and list(body["content"]) == ["multipart/form-data"]
        schema = body["content"]["multipart/form-data"]["schema"]
        assert schema["type"] == "object" and schema["required"] == ["file"]
        part = schema["properties"]["file"]
        assert part["type"] == "string" and part["format"] == "binary"
        assert part["contentMediaType"] == "application/octet-stream"
        answer = operation["responses"]["201"]["content"]["application/json"]["schema"]
        assert resolve(document, answer)["required"]
        alice = await register(client)
        form = aiohttp.FormData()
        for name in schema["required"]:
            form.add_field(name, b"made from the declaration", filename="note.txt")
        response = await client.post("/api/v1/uploads", data=form, headers=alice.headers)
        assert response.status == 201, await response.text()
        validator = jsonschema_rs.validator_for({**answer, "components": document["components"]})
        assert [error.message for error in validator.iter_errors(await response.json())] == []
