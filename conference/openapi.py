"""openapi.json built from the route declarations and their pydantic bodies."""
from __future__ import annotations

import re

from conference.routing import API_PREFIX, RouteSpec

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}},
}
_SECURITY = {"user": [{"bearer": []}], "key": [{"apiKey": []}],
             "user_or_key": [{"bearer": []}, {"apiKey": []}], "none": []}


def build_openapi(specs: list[RouteSpec]) -> dict:
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {"Error": ERROR_SCHEMA}
    for spec in specs:
        operation = {
            "summary": spec.summary,
            "operationId": f"{spec.method.lower()}_{spec.handler.__name__}",
            "tags": [spec.tag],
            "security": _SECURITY[spec.auth],
            "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                           for name in re.findall(r"{(\w+)}", spec.path)]
            + [{"name": name, "in": "query", "required": False, "description": text,
                "schema": {"type": "string"}} for name, text in spec.query.items()],
            "responses": {
                str(spec.status): {"description": "success"},
                "4XX": {"description": "error", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }
        if spec.body is not None:
            schema = spec.body.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in schema.pop("$defs", {}).items():
                schemas[name] = definition
            schemas[spec.body.__name__] = schema
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{spec.body.__name__}"}}}}
        paths.setdefault(API_PREFIX + spec.path, {})[spec.method.lower()] = operation
    paths.update(_OPS_PATHS)
    return {
        "openapi": "3.1.0",
        "info": {"title": "conference API", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "apiKey": {"type": "http", "scheme": "bearer", "description": "API key ck_<id>.<secret>"}}},
    }


_OPS_PATHS = {
    "/healthz": {"get": {"summary": "The process is up", "responses": {"200": {"description": "up"}}}},
    "/readyz": {"get": {"summary": "Database and LiveKit are reachable",
                        "responses": {"200": {"description": "ready"}, "503": {"description": "not ready"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text"}}}},
    API_PREFIX + "/ws": {"get": {"summary": "WebSocket of realtime events (see DESIGN.md)",
                                 "responses": {"101": {"description": "switching protocols"}}}},
}
