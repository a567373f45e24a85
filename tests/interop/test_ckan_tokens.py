"""Who a CKAN action answers: a read-only token reads but never writes; a dataset never published is shown
to those who may see its drafts, as a draft, and to nobody else."""

import httpx
import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN
from sqlmodel import Session

from catalog.services.users import create_token
from tests.interop.conftest import Published

WRITES = {
    "package_create": {"name": "dinkes-baru", "owner_org": "dinkes", "title": "Baru"},
    "package_update": {"id": "dinkes-puskesmas", "title": "Diganti"},
    "package_patch": {"id": "dinkes-puskesmas", "notes": "Diganti"},
    "resource_create": {"package_id": "dinkes-puskesmas", "url": "https://opd.example.invalid/a.csv"},
    "resource_update": {"id": "1", "url": "https://opd.example.invalid/b.csv"},
    "organization_create": {"name": "dinas-baru", "title": "Dinas Baru"},
}


def test_a_read_only_token_is_refused_by_every_write_action(
    published: Published, live_server: str, session: Session
) -> None:
    from catalog.api.ckan.actions import ACTIONS

    assert set(WRITES) == {name for name, found in ACTIONS.items() if found.writes}  # a new write action: add it
    admin = published.catalogue.admin
    read_only = create_token(session, user=admin.user, name="baca", read_only=True)
    session.commit()
    before = httpx.get(f"{live_server}/api/3/action/package_show", params={"id": "dinkes-puskesmas"}).json()
    for name, body in WRITES.items():
        for headers in ({"Authorization": read_only}, {"X-CKAN-API-Key": read_only}):
            refused = httpx.post(f"{live_server}/api/3/action/{name}", json=body, headers=headers)
            assert refused.status_code == 403, (name, refused.text)
            assert refused.json()["success"] is False
            assert refused.json()["error"]["__type"] == "Authorization Error"
            assert "may only read" in refused.json()["error"]["message"]
    with pytest.raises(NotAuthorized):
        RemoteCKAN(live_server, apikey=read_only).action.package_patch(id="dinkes-puskesmas", notes="x")
    # Reading with it works, and nothing changed.
    assert RemoteCKAN(live_server, apikey=read_only).action.package_show(id="dinkes-puskesmas") == before["result"]
    assert "dinas-baru" not in RemoteCKAN(live_server).action.organization_list()
    # The same user's full token writes.
    patched = RemoteCKAN(live_server, apikey=admin.token).action.package_patch(id="dinkes-puskesmas", notes="ok")
    assert patched["notes"] == "ok"


def test_package_show_of_an_unpublished_dataset(published: Published, live_server: str) -> None:
    catalogue = published.catalogue
    for account in (catalogue.dinkes, catalogue.walidata, catalogue.admin):
        shown = RemoteCKAN(live_server, apikey=account.token).action.package_show(id="dinkes-draf-rahasia")
        assert shown["state"] == "draft" and shown["name"] == "dinkes-draf-rahasia"
        assert shown["title"] == "Draf yang belum terbit" and [r["name"] for r in shown["resources"]] == ["data.csv"]
    for apikey in (None, catalogue.disdukcapil.token, catalogue.pembina.token):
        with pytest.raises(NotFound):
            RemoteCKAN(live_server, apikey=apikey).action.package_show(id="dinkes-draf-rahasia")
    anonymous = httpx.get(f"{live_server}/api/3/action/package_show", params={"id": "dinkes-draf-rahasia"})
    assert anonymous.status_code == 404
    assert anonymous.json()["error"]["__type"] == "Not Found Error"
    assert anonymous.json()["error"]["message"].startswith("Not found")
    # A published dataset is shown as published to staff too: the release the public sees.
    staff = RemoteCKAN(live_server, apikey=catalogue.dinkes.token).action.package_show(id="disdukcapil-penduduk")
    assert staff["state"] == "active"
    assert staff == RemoteCKAN(live_server).action.package_show(id="disdukcapil-penduduk")
