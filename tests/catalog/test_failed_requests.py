"""A request the catalogue refuses changes nothing and leaves the public catalogue and the connection working."""

from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from catalog.models import Dataset
from tests.catalog.conftest import Catalogue
from tests.conftest import serve


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"spatial_coverage": None}, "spatial_coverage"),
        ({"description": None}, "description"),
        ({"license_id": ""}, "license_id"),
        ({"license_id": None}, "license_id"),
        ({"title": None}, "title"),
        ({"update_frequency": None}, "update_frequency"),
        ({"is_priority": None}, "is_priority"),
        ({"extras": None}, "extras"),
    ],
)
def test_an_empty_required_field_is_refused_by_name_and_nothing_is_saved(
    catalogue: Catalogue, session: Session, change: dict[str, Any], field: str
) -> None:
    catalogue.publish("disdukcapil-penduduk")
    before = catalogue.client.get("/api/v1/datasets/disdukcapil-penduduk").json()
    response = catalogue.client.patch(
        "/api/v1/datasets/disdukcapil-penduduk",
        json={"title": "Judul baru", **change},
        headers=catalogue.walidata.headers,
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]
    after = catalogue.client.get("/api/v1/datasets/disdukcapil-penduduk")
    assert after.status_code == 200 and after.json() == before
    stored = session.get(Dataset, before["id"])
    assert stored is not None and stored.title == before["title"]
    assert catalogue.client.get("/api/v1/datasets").status_code == 200


def test_an_unknown_license_is_refused(catalogue: Catalogue) -> None:
    response = catalogue.client.patch(
        "/api/v1/datasets/dinkes-puskesmas", json={"license_id": "tidak-ada"}, headers=catalogue.dinkes.headers
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_license"


def test_an_absurd_source_number_is_a_422(catalogue: Catalogue) -> None:
    response = catalogue.client.get(
        "/api/v1/harvest/jobs", params={"source": "2027070775120481497382912"}, headers=catalogue.walidata.headers
    )
    assert response.status_code == 422 and "source" in response.json()["error"]["message"]


def test_an_unexpected_error_rolls_back_and_keeps_the_connection(database_url: str, session: Session) -> None:
    from catalog import permissions
    from catalog.api.deps import SessionDep
    from catalog.app import create_app
    from catalog.models import Organization

    app = create_app()

    @app.post("/boom", dependencies=[permissions.route_rule(permissions.PUBLIC)])
    def boom(request_session: SessionDep) -> None:
        """Write, then fail as a bug would."""
        request_session.add(Organization(slug="hantu", name="Dinas Hantu"))
        request_session.flush()
        raise RuntimeError("a bug")

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with serve(app) as url, httpx.Client(base_url=url, limits=limits) as client:
        failed = client.post("/boom")
        assert failed.status_code == 500 and failed.json()["error"]["code"] == "internal_error"
        first_port = failed.extensions["network_stream"].get_extra_info("client_addr")[1]
        after = client.get("/healthz")
        assert after.status_code == 200
        # The same kept-alive connection answered: the server did not close it after the error.
        assert after.extensions["network_stream"].get_extra_info("client_addr")[1] == first_port
    assert session.exec(select(Organization).where(Organization.slug == "hantu")).first() is None
