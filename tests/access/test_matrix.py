"""The authorisation matrix: every route of the app and every CKAN action × every role, against the real app.

The expected answer of each (entry, role) is written in ``matrix.yaml`` beside this module; each entry
names a route of ``create_app()`` ("METHOD /path", with a ``[variant]`` when the route is tried on more
than one object) or a CKAN action ("ckan NAME", tried at both CKAN addresses). A route or an action that
has no entry fails ``test_every_route_and_action_has_an_entry``, naming it.

Answers: ``ok`` (2xx or 3xx), ``401``, ``403``, ``404`` (hidden: answered as an unknown object is), ``409``
(the portal shows the refusal on the release's page). On a portal page, 401 is the redirect to the
sign-in form.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from catalog import permissions
from catalog.api.ckan.actions import ACTIONS
from catalog.app import create_app
from tests.access.calls import FILLERS, Call
from tests.access.world import ROLES, World, build
from tests.conftest import fresh_catalogue, serve

MATRIX_FILE = Path(__file__).with_name("matrix.yaml")
MATRIX: dict[str, list[str]] = {key: str(row).split() for key, row in yaml.safe_load(MATRIX_FILE.read_text()).items()}
CKAN_ADDRESSES = ("/api/3/action/", "/api/action/")
PORTAL_FORMS = ("/masuk", "/keluar", "/kelola/")


def entry_keys_of(app: FastAPI) -> list[str]:
    """What the matrix must hold: "METHOD /path" of every route (a mount: GET), "ckan NAME" of every action."""
    keys = []
    for route in iter_route_contexts(app.routes):
        if "/action/{name}" in route.path:  # its entries are the actions
            continue
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                keys.append(f"{method} {route.path}")
    return keys + [f"ckan {name}" for name in ACTIONS]


def missing_entries(app: FastAPI) -> list[str]:
    covered = {base(key) for key in MATRIX}
    return [key for key in entry_keys_of(app) if key not in covered]


def base(key: str) -> str:
    return key.split(" [")[0]


def answer(response: httpx.Response) -> str:
    if response.status_code == 303 and response.headers.get("location", "").startswith("/masuk"):
        return "401"  # the portal's answer to a missing or invalid sign-in (also to a bad token on its pages)
    return "ok" if response.status_code < 400 else str(response.status_code)


def send(world: World, role: str, call: Call) -> httpx.Response:
    caller = world.callers[role]
    data = dict(call.data)
    if call.method == "POST" and call.path.startswith(PORTAL_FORMS):  # with the CSRF token of the form's cookie
        data["csrf"] = caller.cookies.get("terbuka_csrf", "")
    with caller.client(world.url) as client:
        return client.request(
            call.method,
            call.path,
            params=call.params or None,
            json=call.json,
            data=data or None,
            files=call.files,
            follow_redirects=False,
        )


def observe(world: World, key: str, expected: list[str]) -> list[tuple[str, str, str, str]]:
    """Each role's answer to the entry: (role, address, answer, what the response said)."""
    seen = []
    for role, wanted in zip(ROLES, expected, strict=True):
        addresses = CKAN_ADDRESSES if key.startswith("ckan ") else ("",)
        for address in addresses:
            call = FILLERS[key](world, wanted == "ok")
            if address:
                call.path = call.path.replace(CKAN_ADDRESSES[0], address)
            response = send(world, role, call)
            seen.append((role, call.path, answer(response), response.text[:200]))
    return seen


@pytest.fixture(scope="module")
def world(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("access")
    with (
        pytest.MonkeyPatch.context() as patch,
        fresh_catalogue(migrated_template, root, patch, rate_limit_per_minute="0", rate_limit_writes_per_minute="0"),
        serve(create_app()) as server,
    ):
        yield build(server, root / "var")


def test_every_route_and_action_has_an_entry(database_url: str) -> None:
    app = create_app()
    missing = missing_entries(app)
    assert not missing, f"routes or CKAN actions with no entry in {MATRIX_FILE.name}: {missing}"
    stale = sorted({base(key) for key in MATRIX} - set(entry_keys_of(app)))
    assert not stale, f"entries of {MATRIX_FILE.name} for routes or actions the app no longer has: {stale}"


def test_a_new_route_or_action_without_an_entry_is_named(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app()

    @app.get("/api/v1/rahasia", dependencies=[permissions.route_rule(permissions.ADMIN)])
    def secret() -> str:
        """A route added without its entry in the matrix."""
        return "rahasia"

    monkeypatch.setitem(ACTIONS, "dataset_purge", ACTIONS["package_create"])
    assert {"GET /api/v1/rahasia", "ckan dataset_purge"} <= set(missing_entries(app))


def test_every_entry_has_a_request_and_an_answer_per_role() -> None:
    assert sorted(MATRIX) == sorted(FILLERS)
    wrong = {key: row for key, row in MATRIX.items() if len(row) != len(ROLES)}
    assert not wrong, f"rows without one answer per role ({', '.join(ROLES)}): {wrong}"


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(world: World, key: str) -> None:
    expected = dict(zip(ROLES, MATRIX[key], strict=True))
    wrong = []
    for role, path, got, said in observe(world, key, MATRIX[key]):
        wanted = expected[role]
        if got != wanted:
            wrong.append(f"{role}: expected {wanted}, got {got} from {path}: {said}")
    assert not wrong, f"{key}:\n" + "\n".join(wrong)
