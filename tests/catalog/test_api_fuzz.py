"""Property-based calls generated from the OpenAPI document, as the walidata and anonymously: no request,
however odd, gets a 500, and every error is the documented JSON shape. Seeded and bounded, so it runs in
the normal suite and fails the same way twice."""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, seed, settings

from tests.catalog.conftest import Catalogue

SEED = 20260701


def _check(response: Any, where: str) -> None:
    assert response.status_code < 500, (where, response.text)
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        assert set(response.json()["error"]) >= {"code", "message"}, (where, response.text)


def test_the_api_never_fails_for_the_walidata_or_anyone(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    loaded = schemathesis.openapi.from_asgi("/openapi.json", catalogue.client.app)
    checked = []
    for result in loaded.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @seed(SEED)
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: Any) -> None:
            where = f"{case.method} {case.formatted_path}"
            _check(case.call(), where)
            _check(case.call(headers=catalogue.walidata.headers), where)

        call()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert "GET /api/v1/datasets" in checked and "PATCH /api/v1/datasets/{slug}" in checked
    assert len(checked) > 40


def test_stateful_calls_never_fail(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    loaded = schemathesis.openapi.from_asgi("/openapi.json", catalogue.client.app)
    machine = loaded.as_state_machine()
    calls: list[str] = []

    class Walidata(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": catalogue.walidata.headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            calls.append(f"{case.method} {case.operation.path}")
            _check(response, calls[-1])

    Walidata.run(
        settings=settings(
            max_examples=10,
            stateful_step_count=6,
            derandomize=True,  # a fixed seed: the same sequences every run
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    # Sequences followed the links between operations (a release's id from its creation, say).
    assert len(calls) > 20 and len(set(calls)) > 5, sorted(set(calls))
