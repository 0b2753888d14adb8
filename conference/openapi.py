"""openapi.json built from the route declarations: bodies, answers, errors and realtime events."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from conference.errors import ErrorBody
from conference.routing import API_PREFIX, FilePart, RouteSpec

REF = "#/components/schemas/{model}"
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "user": [{"bearer": []}],
    "key": [{"apiKey": []}],
    "user_or_key": [{"bearer": []}, {"apiKey": []}],
    "user_or_guest": [{"bearer": []}, {"guestSession": []}],
    "none": [],
}
# Every operation may fail in the one error shape; the codes are in DESIGN.md and errors.py.
_ERROR_RANGES = {
    "4XX": "the request was refused (see error.code)",
    "5XX": "a part of the service is unavailable (see error.code)",
}


def build_openapi(
    specs: list[RouteSpec],
    events: dict[str, type[BaseModel]] | None = None,
    frames: dict[str, type[BaseModel]] | None = None,
    hooks: dict[str, type[BaseModel]] | None = None,
) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for spec in specs:
        if spec.body is not None:
            models.append((spec.body, "validation"))
        models.extend((model, "serialization") for model in spec.responses.values() if model is not None)
    models.extend((model, "serialization") for model in (events or {}).values())
    models.extend((model, "serialization") for model in (frames or {}).values())
    models.extend((model, "serialization") for model in (hooks or {}).values())
    refs, top = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    schemas = top.get("$defs", {})

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return refs[(model, mode)]

    paths: dict[str, dict[str, Any]] = {}
    for spec in specs:
        responses: dict[str, Any] = {}
        for status, model in spec.responses.items():
            responses[str(status)] = {"description": _describe(status)}
            if model is not None:
                responses[str(status)]["content"] = {"application/json": {"schema": ref(model, "serialization")}}
        for status_range, text in _ERROR_RANGES.items():
            responses[status_range] = {
                "description": text,
                "content": {"application/json": {"schema": ref(ErrorBody, "serialization")}},
            }
        operation: dict[str, Any] = {
            "summary": spec.summary,
            "operationId": f"{spec.method.lower()}_{spec.handler.__name__}",
            "tags": [spec.tag],
            "security": _SECURITY[spec.auth],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"{(\w+)}", spec.path)
            ]
            + [
                {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
                for name, text in spec.query.items()
            ],
            "responses": responses,
        }
        if spec.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(spec.body, "validation")}},
            }
        elif spec.form is not None:
            operation["requestBody"] = _file_form(spec.form)
        paths.setdefault(API_PREFIX + spec.path, {})[spec.method.lower()] = operation
    paths.update(_OPS_PATHS)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "conference API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "http", "scheme": "bearer", "description": "API key ck_<id>.<secret>"},
                "guestSession": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a guest's session_token gs_… (POST /rooms/{room_id}/guests), for that room only",
                },
            },
        },
    }
    if events:
        # Not part of OpenAPI: the payload model of every realtime event type (docs/realtime.md).
        document["x-realtime-events"] = {name: ref(model, "serialization") for name, model in events.items()}
    if hooks:
        document["webhooks"] = {name: _webhook(name, ref(model, "serialization")) for name, model in hooks.items()}
    if frames:
        # The socket's replies to one connection (ack, error, ready, pong): no id, never stored.
        document["x-realtime-frames"] = {name: ref(model, "serialization") for name, model in frames.items()}
    return document


def _file_form(form: FilePart) -> dict[str, Any]:
    """A multipart/form-data body of one file part, as client generators read it: `format: binary` (the
    OpenAPI 3.0 way most generators know) and `contentMediaType` (3.1's), any bytes in the part."""
    part = {
        "type": "string",
        "format": "binary",
        "contentMediaType": "application/octet-stream",
        "description": form.description,
    }
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": [form.name], "properties": {form.name: part}},
            }
        },
    }


def _webhook(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """What an integrator's endpoint receives for one event type (Standard Webhooks: signed with its secret)."""
    body = {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": name},
            "timestamp": {"type": "string", "format": "date-time", "description": "when it happened"},
            "data": data,
        },
    }
    return {
        "post": {
            "summary": f"{name}: sent to the webhook endpoints of the API key that created the room",
            "operationId": "webhook_" + name.replace(".", "_"),
            "parameters": [
                {"name": header, "in": "header", "required": True, "schema": {"type": "string"}}
                for header in ("webhook-id", "webhook-timestamp", "webhook-signature")
            ],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"2XX": {"description": "received; any other answer is retried (5xx, 429) or dropped"}},
        }
    }


def _describe(status: int) -> str:
    return {
        200: "success",
        201: "created",
        202: "accepted, not done yet",
        204: "done, no body",
        206: "partial content (a range)",
    }.get(status, "success")


_OPS_PATHS: dict[str, dict[str, Any]] = {
    "/healthz": {"get": {"summary": "The process is up", "responses": {"200": {"description": "up"}}}},
    "/readyz": {
        "get": {
            "summary": "Database and LiveKit are reachable",
            "responses": {"200": {"description": "ready"}, "503": {"description": "not ready"}},
        }
    },
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text"}}}},
    API_PREFIX + "/rooms/{room_id}/calendar.ics": {
        "get": {
            "summary": "A scheduled room as a calendar event (text/calendar); 404 without starts_at",
            "parameters": [{"name": "room_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "an iCalendar file",
                    "content": {"text/calendar": {"schema": {"type": "string"}}},
                },
                **{
                    status_range: {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}},
                    }
                    for status_range, text in _ERROR_RANGES.items()
                },
            },
        }
    },
    API_PREFIX + "/ws": {
        "get": {
            "summary": "WebSocket of realtime events (see docs/realtime.md)",
            "responses": {"101": {"description": "switching protocols"}},
        }
    },
}
