"""/openapi.json describes every answer a route gives: its response model, its errors, its content types."""

from typing import Any

from fastapi.testclient import TestClient

from catalog import permissions
from catalog.app import create_app

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_api_route_has_a_response_model_and_its_errors(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operations = [op for op in _operations(document) if op[0].startswith("/api/v1")]
    assert len(operations) > 40
    untyped = []
    for path, method, operation in operations:
        answers = operation["responses"]
        success = next(code for code in answers if code.startswith("2"))
        content = answers[success].get("content", {})
        if success != "204" and not any(media.get("schema") for media in content.values()):
            untyped.append(f"{method.upper()} {path}")
        for code, answer in answers.items():
            if code in ("401", "403", "404", "409", "413", "422"):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, code)
        if "{" in path:
            assert "404" in answers, (method, path)
    assert untyped == []
    for path in ("/api/v1/datasets/{slug}/data", "/api/v1/datastore/{resource_id}"):  # JSON or the rows as a file
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/TableAnswer"}
        assert {"text/csv", "application/vnd.apache.parquet"} <= set(content)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_signed_in_routes_document_401_and_403(database_url: str) -> None:
    from fastapi.routing import iter_route_contexts

    app = create_app()
    document = app.openapi()
    for route in iter_route_contexts(app.routes):
        if not any(rule.signed_in for rule in permissions.rules_of(route)):
            continue
        for method in route.methods or ():
            answers = document["paths"][route.path][method.lower()]["responses"]
            assert {"401", "403"} <= set(answers), (method, route.path)


def test_the_workflow_and_downloads_document_their_answers(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    approve = paths["/api/v1/releases/{release_id}/approve"]["post"]["responses"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(approve)
    download = paths["/api/v1/releases/{release_id}/resources/{resource_id}/download"]["get"]["responses"]
    assert {"text/csv", "application/octet-stream"} <= set(download["200"]["content"])
    assert {"206", "304", "307", "404"} <= set(download)
    listing = paths["/api/v1/datasets"]["get"]["responses"]
    assert "401" in listing  # include_unpublished without a token


def test_operation_ids_are_unique(client: TestClient) -> None:
    """Code generators name methods by operationId: one each (CKAN's GET and POST actions included)."""
    ids = [operation["operationId"] for _path, _method, operation in _operations(client.get("/openapi.json").json())]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
