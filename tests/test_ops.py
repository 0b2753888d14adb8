"""Operations: health, readiness against real LiveKit and database, metrics, openapi."""

from tests.helpers import create_room, join, register
from tests.servers import free_port


async def test_healthz_and_readyz_when_everything_is_up(api):
    assert (await api.get("/healthz")).status == 200
    ready = await api.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "livekit": "ok", "redis": "not_configured"},
    }


async def test_readyz_reports_redis(make_api, redis_server):
    async with make_api("sqlite", redis_url=redis_server.url) as client:
        ready = await client.get("/readyz")
        assert ready.status == 200
        assert (await ready.json())["checks"]["redis"] == "ok"


async def test_readyz_is_503_when_livekit_is_unreachable(make_api):
    dead = f"http://127.0.0.1:{free_port()}"
    async with make_api("sqlite", livekit_api_url=dead) as client:
        response = await client.get("/readyz")
        assert response.status == 503
        body = await response.json()
        assert body["error"]["code"] == "livekit_unavailable"
        # Joining needs LiveKit too, and says so instead of failing with a 500.
        host = await register(client)
        room = await create_room(client, host)
        join_response = await client.post(f"/api/v1/rooms/{room['id']}/join", headers=host.headers)
        assert join_response.status == 503
        assert (await join_response.json())["error"]["code"] == "livekit_unavailable"


async def test_readyz_is_503_when_the_database_is_unreachable(make_api, postgres):
    url = postgres.create_database("t_gone_" + str(free_port()))
    async with make_api(database=url) as client:
        postgres.psql(
            f"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{url.rsplit('/', 1)[1]}'"
        )
        postgres.psql(f"alter database {url.rsplit('/', 1)[1]} allow_connections false")
        try:
            response = await client.get("/readyz")
            assert response.status == 503
            assert (await response.json())["error"]["code"] == "database_unavailable"
        finally:
            postgres.psql(f"alter database {url.rsplit('/', 1)[1]} allow_connections true")


async def test_metrics_count_requests_tokens(api):
    host = await register(api)
    room = await create_room(api, host)
    await join(api, host, room["id"])
    await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=host.headers)
    text = await (await api.get("/metrics")).text()
    assert 'conference_http_requests_total{method="POST",route="/api/v1/rooms/{room_id}/join",status="200"} 1.0' in text
    assert "conference_media_tokens_minted_total 2.0" in text
    assert 'conference_http_request_duration_seconds_bucket{le="0.5",method="POST",route="/api/v1/rooms"}' in text


async def test_openapi_describes_every_api_route(api):
    spec = await (await api.get("/api/v1/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    described = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    for resource in api.server.app.router.resources():
        path = resource.canonical
        if not path.startswith("/api/v1/") or path == "/api/v1/openapi.json":
            continue
        for route in resource:
            if route.method != "HEAD":
                assert (route.method, path) in described, (route.method, path)
    register_op = spec["paths"]["/api/v1/auth/register"]["post"]
    schema_name = register_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][schema_name]["required"]) == {"login", "password"}


async def test_unknown_api_paths_and_methods_use_the_error_shape(api):
    missing = await api.get("/api/v1/nothing-here")
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"
    wrong_method = await api.put("/api/v1/auth/login")
    assert wrong_method.status == 405 and (await wrong_method.json())["error"]["code"] == "method_not_allowed"
