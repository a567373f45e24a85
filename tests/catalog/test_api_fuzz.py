"""Property-based calls generated from the OpenAPI document: no request, however odd, gets a 500,
and every error is the documented JSON shape."""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.catalog.conftest import Catalogue


def test_read_api_never_fails(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    loaded = schemathesis.openapi.from_asgi("/openapi.json", catalogue.client.app).include(method="GET")
    checked = []
    for result in loaded.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: Any) -> None:
            response = case.call()
            assert response.status_code < 500, (case.path, response.text)
            if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                assert set(response.json()["error"]) >= {"code", "message"}

        call()
        checked.append(operation.path)
    assert "/api/v1/datasets" in checked and len(checked) >= 10
