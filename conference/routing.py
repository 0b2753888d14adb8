"""Route declarations that carry auth, body and answers, so handlers, validation and
openapi.json are fed by the same lines; the router serializes what a handler returns."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, PlainSerializer, ValidationError, WithJsonSchema

from conference.errors import InvalidJson, ValidationFailed

API_PREFIX = "/api/v1"
Auth = Literal["none", "user", "user_or_key", "key"]
# What a route may answer: status -> model of the body (None for a body-less answer such as 204).
Responses = dict[int, type[BaseModel] | None]


class Body(BaseModel):
    """Base of every request body: unknown fields and type coercion are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Answer(BaseModel):
    """Base of every response model and realtime event payload; built from ORM rows too."""

    model_config = ConfigDict(from_attributes=True)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The contract's times: ISO 8601 UTC to the second, `2026-11-23T10:00:00Z`.
Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

Handler = Callable[..., Awaitable[Any]]


@dataclass
class RouteSpec:
    method: str
    path: str
    handler: Handler
    summary: str
    auth: Auth
    responses: Responses
    body: type[BaseModel] | None = None
    query: dict[str, str] = field(default_factory=dict)
    tag: str = ""

    def status_of(self, answer: BaseModel | None) -> int:
        """The declared status whose model this answer is (the first one, for a shared model)."""
        for status, model in self.responses.items():
            if (answer is None and model is None) or (model is not None and type(answer) is model):
                return status
        raise TypeError(
            f"{self.method} {self.path} answered {type(answer).__name__}, which its responses= does not declare"
        )


class ApiRoutes:
    """A domain's routes; `register` mounts them under /api/v1 with auth, body parsing and answers."""

    def __init__(self, tag: str):
        self.tag = tag
        self.specs: list[RouteSpec] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        responses: Responses,
        auth: Auth = "user",
        body: type[BaseModel] | None = None,
        query: dict[str, str] | None = None,
    ) -> Callable[[Handler], Handler]:
        def declare(handler: Handler) -> Handler:
            self.specs.append(RouteSpec(method, path, handler, summary, auth, responses, body, query or {}, self.tag))
            return handler

        return declare

    def register(self, app: web.Application) -> None:
        for spec in self.specs:
            app.router.add_route(spec.method, API_PREFIX + spec.path, _wrap(spec))


def _wrap(spec: RouteSpec) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    from conference.accounts.auth import authenticate  # accounts owns who a bearer is

    async def handler(request: web.Request) -> web.StreamResponse:
        if spec.auth != "none":
            await authenticate(request, spec.auth)
        if spec.body is None:
            answer = await spec.handler(request)
        else:
            answer = await spec.handler(request, await parse_body(request, spec.body))
        if isinstance(answer, web.StreamResponse):
            return answer
        return render(answer, spec.status_of(answer))

    handler.__name__ = spec.handler.__name__
    return handler


def render(answer: BaseModel | None, status: int) -> web.Response:
    if answer is None:
        return web.Response(status=status)
    return web.Response(body=answer.model_dump_json().encode(), status=status, content_type="application/json")


async def parse_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.read()
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidJson() from None
    if not isinstance(data, dict):
        raise InvalidJson("request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed("request body is not valid", fields=field_errors(error)) from None


def field_errors(error: ValidationError) -> dict[str, str]:
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
        raise ValidationFailed("query is not valid", fields={name: "must be an integer"}) from None
    if not low <= value <= high:
        raise ValidationFailed("query is not valid", fields={name: f"must be between {low} and {high}"})
    return value
