"""The OpenAPI document lists every answer a route gives, so clients and fuzzers can rely on it.

Most are derived from what the route declares: 401 and 403 from its access rule (catalog/permissions.py),
404 when it looks something up by a path parameter, 422 when it takes parameters or a body (in the
catalogue's own error shape, not FastAPI's). The rest a route says itself: ``responses=answers(409)``.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel

from catalog import permissions


class ErrorDetail(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorBody(BaseModel):
    """Every error: a stable code and a human message."""

    error: ErrorDetail


MEANINGS = {
    401: "No API token, or one that is not valid",
    403: "The token's account may not do this",
    404: "Not found, or not visible to the caller",
    409: "Refused by the current state (a workflow step, a duplicate, a concurrent change)",
    413: "The request or a file is larger than the limit",
    422: "The request is not valid: the message names the field",
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers a route documents in its decorator: ``responses=answers(409)``."""
    return {status: {"model": ErrorBody, "description": MEANINGS[status]} for status in statuses}


def _error(status: int) -> dict[str, Any]:
    return {"description": MEANINGS[status], "content": {"application/json": {"schema": ERROR_REF}}}


def install_openapi(app: FastAPI) -> None:
    """Build the document once, adding the answers each route's declarations imply."""

    def document() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorBody"] = error_schema
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for route in iter_route_contexts(app.routes):
            path = schema["paths"].get(route.path or "")
            if path is None:
                continue
            statuses = _implied(route)
            for method in route.methods or ():
                operation = path.get(method.lower())
                if operation is None:
                    continue
                for status in sorted(statuses):
                    operation["responses"][str(status)] = _error(status)
        app.openapi_schema = schema
        return schema

    app.openapi = document  # type: ignore[method-assign]


def _implied(route: Any) -> set[int]:
    statuses: set[int] = set()
    for rule in permissions.rules_of(route):
        if rule.signed_in:
            statuses.update((401, 403))
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return statuses
    params = [*dependant.path_params, *dependant.query_params, *dependant.header_params]
    stack = list(dependant.dependencies)
    while stack:
        sub = stack.pop()
        params.extend([*sub.path_params, *sub.query_params])
        stack.extend(sub.dependencies)
    if dependant.path_params:
        statuses.add(404)
    if params or dependant.body_params:
        statuses.add(422)
    return statuses
