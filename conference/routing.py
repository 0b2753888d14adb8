"""Route declarations that carry their body schema and auth, so handlers, validation and
openapi.json are fed by the same lines."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from conference.errors import ApiError, ValidationFailed

API_PREFIX = "/api/v1"


class Body(BaseModel):
    """Base of every request body: unknown fields and type coercion are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


@dataclass
class RouteSpec:
    method: str
    path: str
    handler: Callable[..., Awaitable[web.StreamResponse]]
    summary: str
    auth: str  # "none" | "user" | "user_or_key" | "key"
    body: type[BaseModel] | None = None
    query: dict[str, str] = field(default_factory=dict)
    status: int = 200
    tag: str = ""


class ApiRoutes:
    """A domain's routes; `register` mounts them under /api/v1 with auth and body parsing."""

    def __init__(self, tag: str):
        self.tag = tag
        self.specs: list[RouteSpec] = []

    def route(self, method: str, path: str, *, summary: str, auth: str = "user",
              body: type[BaseModel] | None = None, query: dict[str, str] | None = None,
              status: int = 200):
        def declare(handler):
            self.specs.append(RouteSpec(method, path, handler, summary, auth, body, query or {},
                                        status, self.tag))
            return handler
        return declare

    def register(self, app: web.Application) -> None:
        for spec in self.specs:
            app.router.add_route(spec.method, API_PREFIX + spec.path, _wrap(spec))


def _wrap(spec: RouteSpec):
    from conference.accounts.auth import authenticate  # accounts owns who a bearer is

    async def handler(request: web.Request) -> web.StreamResponse:
        if spec.auth != "none":
            await authenticate(request, spec.auth)
        if spec.body is None:
            return await spec.handler(request)
        return await spec.handler(request, await parse_body(request, spec.body))

    handler.__name__ = spec.handler.__name__
    return handler


async def parse_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.read()
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError("request body is not valid JSON", code="invalid_json")
    if not isinstance(data, dict):
        raise ApiError("request body must be a JSON object", code="invalid_json")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed("request body is not valid", fields=_field_errors(error))


def _field_errors(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, item["msg"])
    return fields


def query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed("query is not valid", fields={name: "must be an integer"})
    if not low <= value <= high:
        raise ValidationFailed("query is not valid", fields={name: f"must be between {low} and {high}"})
    return value


def json_created(payload: dict) -> web.Response:
    return web.json_response(payload, status=201)
