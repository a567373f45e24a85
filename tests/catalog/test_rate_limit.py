"""One client cannot flood the API: past its budget it gets 429 with Retry-After; others are not affected."""

import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient

from catalog import settings
from catalog.api.ratelimit import Limiter, RateLimit


@pytest.fixture
def limited_client(database_url: str, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("TERBUKA_RATE_LIMIT_PER_MINUTE", "5")
    monkeypatch.setenv("TERBUKA_RATE_LIMIT_WRITES_PER_MINUTE", "2")
    settings.get_settings.cache_clear()
    from catalog.app import create_app

    return TestClient(create_app(), raise_server_exceptions=False)


def test_a_client_over_its_budget_is_told_when_to_come_back(limited_client: TestClient) -> None:
    statuses = [limited_client.get("/api/v1/datasets").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = limited_client.get("/api/v1/datasets")
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 12
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert limited_client.get("/healthz").status_code == 200  # health checks are never limited


def test_writes_have_a_smaller_budget(limited_client: TestClient) -> None:
    statuses = [limited_client.post("/api/v1/datasets", json={}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert limited_client.get("/api/v1/datasets").status_code == 200


def test_each_client_address_has_its_own_budget() -> None:
    async def ok(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    app = RateLimit(ok, per_minute=2, writes_per_minute=0)

    async def statuses(address: str, count: int) -> list[int]:
        transport = httpx.ASGITransport(app=app, client=(address, 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return [(await http.get("/x")).status_code for _ in range(count)]

    assert asyncio.run(statuses("203.0.113.1", 3)) == [200, 200, 429]
    assert asyncio.run(statuses("203.0.113.2", 2)) == [200, 200]


def test_the_bucket_refills_with_time_and_forgets_idle_clients() -> None:
    limiter = Limiter(per_minute=60)
    assert all(limiter.take("a", 0.0) == 0 for _ in range(60))
    assert limiter.take("a", 0.0) == pytest.approx(1.0)
    assert limiter.take("a", 1.0) == 0  # one token back after a second
    limiter._forget_idle(1000.0)
    assert limiter.buckets == {}
