"""Every route of the application declares who may call it (catalog/permissions.py), whoever added it."""

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from catalog import permissions
from catalog.api.errors import install_error_handlers
from catalog.app import create_app
from catalog.models import Organization, Role


def test_every_route_of_the_app_declares_its_access_rule(database_url: str) -> None:
    app = create_app()
    routes = list(iter_route_contexts(app.routes))
    assert len(routes) > 40 and any(route.path == "/api/v1/releases/{release_id}/approve" for route in routes)
    assert permissions.undeclared_routes(app) == []


def test_a_route_without_a_rule_is_found() -> None:
    app = FastAPI()
    router = APIRouter()

    @router.get("/declared", dependencies=[permissions.route_rule(permissions.PUBLIC)])
    def declared() -> str:
        """Declared."""
        return "ok"

    @router.get("/forgotten")
    def forgotten() -> str:
        """Forgotten."""
        return "oops"

    app.include_router(router)
    undeclared = permissions.undeclared_routes(app)
    assert "GET /forgotten" in undeclared and "GET /declared" not in undeclared


def test_a_router_wide_rule_covers_its_routes() -> None:
    router = APIRouter(dependencies=[permissions.route_rule(permissions.ADMIN)])

    @router.get("/x")
    def x() -> str:
        """X."""
        return "x"

    app = FastAPI()
    app.include_router(router)
    route = next(r for r in iter_route_contexts(app.routes) if r.path == "/x")
    assert permissions.rules_of(route) == [permissions.ADMIN]


@pytest.mark.parametrize(
    ("rule", "role", "status"),
    [
        (permissions.PUBLIC, None, 200),
        (permissions.SIGNED_IN, None, 401),
        (permissions.SIGNED_IN, Role.produsen, 200),
        (permissions.ADMIN, None, 401),
        (permissions.ADMIN, Role.walidata, 403),
        (permissions.ADMIN, Role.admin, 200),
        (permissions.HARVEST_MANAGER, Role.produsen, 403),
        (permissions.HARVEST_MANAGER, Role.walidata, 200),
        (permissions.REVIEWER, Role.pembina, 200),
        (permissions.REVIEWER, Role.produsen, 403),
    ],
)
def test_route_rules_are_enforced_before_the_handler(
    make_account: Any, session: Session, rule: permissions.RouteRule, role: Role | None, status: int
) -> None:
    session.add(Organization(slug="dinkes", name="Dinas Kesehatan"))
    session.commit()
    headers = make_account("someone", role, "dinkes").headers if role else {}
    app = FastAPI()
    install_error_handlers(app)
    called = []

    @app.get("/guarded", dependencies=[permissions.route_rule(rule)])
    def guarded() -> str:
        """Guarded."""
        called.append(True)
        return "ok"

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/guarded", headers=headers).status_code == status
    assert bool(called) == (status == 200)
