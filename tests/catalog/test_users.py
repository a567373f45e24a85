"""Admins manage accounts; a deactivated account's tokens stop working at once."""

from tests.catalog.conftest import Catalogue


def test_admin_manages_accounts(catalogue: Catalogue) -> None:
    client, admin = catalogue.client, catalogue.admin.headers
    assert client.get("/api/v1/users", headers=catalogue.walidata.headers).status_code == 403
    names = {u["username"] for u in client.get("/api/v1/users", headers=admin).json()}
    assert {"walidata", "dinkes-data", "bps"} <= names
    created = client.post(
        "/api/v1/users", headers=admin, json={"username": "ani", "role": "produsen", "organization": "dinkes"}
    )
    assert created.status_code == 201 and created.json()["organization"] == "dinkes"
    no_org = client.post("/api/v1/users", headers=admin, json={"username": "budi", "role": "produsen"})
    assert no_org.status_code == 422 and no_org.json()["error"]["code"] == "organization_required"
    moved = client.patch("/api/v1/users/ani", headers=admin, json={"organization": "disdukcapil"})
    assert moved.json()["organization"] == "disdukcapil"
    assert client.patch("/api/v1/users/nobody", headers=admin, json={"is_active": False}).status_code == 404


def test_deactivated_account_loses_access(catalogue: Catalogue) -> None:
    client = catalogue.client
    assert client.get("/api/v1/me", headers=catalogue.dinkes.headers).status_code == 200
    off = client.patch("/api/v1/users/dinkes-data", headers=catalogue.admin.headers, json={"is_active": False})
    assert off.status_code == 200
    refused = client.get("/api/v1/me", headers=catalogue.dinkes.headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"


def test_a_token_use_is_recorded_once_a_minute_by_one_request_of_the_process(catalogue: Catalogue) -> None:
    """Requests in flight together with one token must not each update its row (each waited for the row
    lock of the one before): one records the use, the others see that it is being recorded."""
    from datetime import timedelta

    from sqlmodel import Session, select

    from catalog.db import get_engine
    from catalog.models import ApiToken, utcnow
    from catalog.services import users

    assert (
        catalogue.client.get(
            "/api/v1/datasets", params={"include_unpublished": True}, headers=catalogue.dinkes.headers
        ).status_code
        == 200
    )
    with Session(get_engine()) as session:
        record = session.exec(
            select(ApiToken).where(ApiToken.token_hash == users.hash_token(catalogue.dinkes.token))
        ).one()
        assert record.last_used is not None  # the first use is recorded
        later = record.last_used + timedelta(seconds=users.USE_RECORDED_EVERY + 1)
        assert users._use_to_record(record, later)  # a minute on: this request records it…
        assert not users._use_to_record(record, later + timedelta(milliseconds=5))  # …not the ones beside it
        assert not users._use_to_record(record, utcnow())
