"""web/types.js is generated from openapi.json by scripts/web_types.py and must not drift from it."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REPO = Path(__file__).resolve().parents[1]


def load_generator():
    spec = importlib.util.spec_from_file_location("web_types", REPO / "scripts" / "web_types.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


web_types = load_generator()


def test_web_types_js_matches_a_fresh_generation():
    fresh = web_types.render(web_types.current_openapi())
    assert (REPO / "web" / "types.js").read_text() == fresh, (
        "web/types.js is stale: run .venv/bin/python scripts/web_types.py"
    )


# The generator is written for the final openapi.json; these models stand in for what pydantic emits.
class Role(StrEnum):
    host = "host"
    viewer = "viewer"


class Person(BaseModel):
    """Anyone another user sees."""

    id: str
    login: str
    display_name: str | None = None


class Joined(BaseModel):
    room_id: str
    role: Role
    people: list[Person]
    expires_at: datetime
    labels: dict[str, int]


class Waiting(BaseModel):
    status: Literal["waiting"] = "waiting"
    extra: Person | None


def document() -> dict:
    refs, top = models_json_schema(
        [(Person, "serialization"), (Joined, "serialization"), (Waiting, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    joined, waiting, person = (refs[(model, "serialization")] for model in (Joined, Waiting, Person))
    return {
        "components": {"schemas": top["$defs"]},
        "paths": {
            "/api/v1/rooms/{room_id}/join": {
                "post": {
                    "parameters": [{"name": "room_id", "in": "path", "required": True}],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": joined}}},
                        "202": {"content": {"application/json": {"schema": waiting}}},
                        "4XX": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    },
                },
                "delete": {"responses": {"204": {"description": "gone"}}},
            },
            "/api/v1/users": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": person}}},
                    "responses": {"200": {"description": "no model yet"}},
                }
            },
        },
        "x-realtime-events": {"room.joined": joined, "call.ring": {"anyOf": [person, {"type": "null"}]}},
    }


def test_models_become_typedefs_with_their_fields():
    text = web_types.render(document())
    assert "/**\n * Anyone another user sees.\n * @typedef {object} Person\n" in text
    assert " * @property {string} id\n" in text
    assert " * @property {string | null} [display_name]\n" in text
    assert ' * @typedef {"host" | "viewer"} Role\n' in text
    assert " * @property {Role} role\n" in text
    assert " * @property {Array<Person>} people\n" in text
    assert " * @property {string} expires_at\n" in text
    assert " * @property {Record<string, number>} labels\n" in text
    assert ' * @property {"waiting"} [status]\n' in text
    assert " * @property {Person | null} extra\n" in text


def test_operations_and_events_map_to_their_types():
    text = web_types.render(document())
    assert ' *   "POST /api/v1/rooms/{room_id}/join": Joined | Waiting,\n' in text
    assert ' *   "DELETE /api/v1/rooms/{room_id}/join": null,\n' in text
    assert ' *   "GET /api/v1/users": any,\n' in text  # an answer without a model stays untyped
    assert ' *   "GET /api/v1/users": Person,\n' in text.split("} Answers")[1]  # its body
    assert ' *   "GET /api/v1/users": { q?: string },\n' in text
    assert ' *   "call.ring": Person | null,\n * }} RealtimeEvents' in text.replace(' *   "room.joined": Joined,\n', "")
    assert ' *   "room.joined": Joined,\n' in text


def test_without_an_event_catalog_any_event_name_is_allowed():
    text = web_types.render({"paths": {}})
    assert "@typedef {Record<string, any>} RealtimeEvents" in text
