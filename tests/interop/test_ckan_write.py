"""CKAN's write actions through ckanapi's RemoteCKAN: every change lands in a draft release, never in a
published one; tokens are read as CKAN clients send them."""

from pathlib import Path

import httpx
import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError
from sqlmodel import Session, col, select

from catalog.models import Dataset, Release, ReleaseState
from tests.interop.conftest import Published

# Links point at a name under .invalid: never resolved, never fetched (links are only published).
NEW_CSV = b"kode_kecamatan,kecamatan,jumlah\n61.71.01,Pontianak Selatan,7\n"


def releases_of(session: Session, slug: str) -> list[Release]:
    session.expire_all()
    dataset = session.exec(select(Dataset).where(Dataset.slug == slug)).one()
    return list(
        session.exec(select(Release).where(Release.dataset_id == dataset.id).order_by(col(Release.number))).all()
    )


def test_package_create_makes_an_unpublished_dataset_with_a_draft(
    published: Published, live_server: str, session: Session
) -> None:
    producer = RemoteCKAN(live_server, apikey=published.catalogue.dinkes.token)
    created = producer.action.package_create(
        name="dinkes-imunisasi",
        title="Cakupan Imunisasi Dasar",
        owner_org="dinkes",
        notes="Cakupan imunisasi dasar lengkap per kelurahan.",
        license_id="cc-by",
        tags=[{"name": "Imunisasi"}, {"name": "kesehatan"}],
        groups=[{"name": "kesehatan"}],
        maintainer_email="data@dinkes.pontianak.go.id",
        extras=[
            {"key": "Kode Wilayah", "value": "61.71.01; 61.71.02"},
            {"key": "Periode Update Data", "value": "Per Semester"},
            {"key": "Cara Pengumpulan Data", "value": "Laporan puskesmas"},
        ],
        resources=[{"url": "https://opd.example.invalid/imunisasi.csv", "name": "imunisasi"}],
    )
    assert created["state"] == "draft" and created["name"] == "dinkes-imunisasi"
    assert created["license_id"] == "cc-by-4.0"
    extras = {e["key"]: e["value"] for e in created["extras"]}
    assert extras["Kode Wilayah"] == "61.71.01, 61.71.02" and extras["Periode Update Data"] == "semesteran"
    assert extras["Cara Pengumpulan Data"] == "Laporan puskesmas"
    assert [r["url"] for r in created["resources"]] == ["https://opd.example.invalid/imunisasi.csv"]
    [draft] = releases_of(session, "dinkes-imunisasi")
    assert draft.state == ReleaseState.draft
    with pytest.raises(NotFound):  # not published: not shown to anyone through the read actions
        RemoteCKAN(live_server).action.package_show(id="dinkes-imunisasi")
    with pytest.raises(ValidationError):
        producer.action.package_create(name="dinkes-imunisasi", owner_org="dinkes")


def test_resource_writes_go_into_a_new_draft_and_the_published_release_stays(
    published: Published, live_server: str, session: Session, tmp_path: Path
) -> None:
    producer = RemoteCKAN(live_server, apikey=published.catalogue.dinkes.token)
    before = RemoteCKAN(live_server).action.package_show(id="dinkes-puskesmas")
    upload = tmp_path / "puskesmas-2025.csv"
    upload.write_bytes(NEW_CSV)
    with upload.open("rb") as stream:
        added = producer.call_action(
            "resource_create",
            {"package_id": "dinkes-puskesmas", "name": "puskesmas-2025.csv"},
            files={"upload": stream},
        )
    assert added["size"] == len(NEW_CSV) and added["format"] == "CSV"
    published_release, draft = releases_of(session, "dinkes-puskesmas")
    assert published_release.state == ReleaseState.published and len(published_release.resources) == 1
    assert draft.state == ReleaseState.draft
    assert sorted(r.name for r in draft.resources) == ["data.csv", "puskesmas-2025.csv"]
    old_id = before["resources"][0]["id"]
    replaced = producer.action.resource_update(id=old_id, url="https://opd.example.invalid/baru.csv")
    assert replaced["url"] == "https://opd.example.invalid/baru.csv"
    _, draft = releases_of(session, "dinkes-puskesmas")
    assert sorted(r.name for r in draft.resources) == ["baru.csv", "puskesmas-2025.csv"]
    assert len(releases_of(session, "dinkes-puskesmas")) == 2  # the same draft, not one per call
    after = RemoteCKAN(live_server).action.package_show(id="dinkes-puskesmas")
    assert after["resources"] == before["resources"]  # the public view is the published release


def test_package_patch_and_update_change_metadata_through_the_services(
    published: Published, live_server: str, session: Session
) -> None:
    producer = RemoteCKAN(live_server, apikey=published.catalogue.dinkes.token)
    patched = producer.action.package_patch(id="dinkes-puskesmas", notes="Daftar puskesmas dan pustu.")
    assert patched["notes"] == "Daftar puskesmas dan pustu."
    assert [t["name"] for t in patched["tags"]] == ["kesehatan", "puskesmas"]  # untouched by a patch
    updated = producer.action.package_update(id="dinkes-puskesmas", title="Puskesmas Kota Pontianak")
    assert updated["title"] == "Puskesmas Kota Pontianak" and updated["tags"] == [] and updated["notes"] == ""
    listed = producer.action.package_patch(
        id="dinkes-puskesmas",
        resources=[{"id": patched["resources"][0]["id"]}, {"url": "https://opd.example.invalid/x.csv"}],
    )
    assert listed["state"] == "draft"
    assert sorted(r["name"] for r in listed["resources"]) == ["data.csv", "x.csv"]
    assert releases_of(session, "dinkes-puskesmas")[0].state == ReleaseState.published


def test_tokens_as_ckan_clients_send_them_and_refusals(published: Published, live_server: str) -> None:
    token = published.catalogue.dinkes.token
    body = {"id": "dinkes-puskesmas", "notes": "lewat header"}
    for headers in ({"Authorization": token}, {"X-CKAN-API-Key": token}, {"Authorization": f"Bearer {token}"}):
        response = httpx.post(f"{live_server}/api/3/action/package_patch", json=body, headers=headers)
        assert response.status_code == 200, (headers, response.text)
    refused = httpx.post(f"{live_server}/api/3/action/package_patch", json=body)
    assert refused.status_code == 403 and refused.json()["error"]["__type"] == "Authorization Error"
    over_get = httpx.get(f"{live_server}/api/3/action/package_patch", params=body, headers={"Authorization": token})
    assert over_get.status_code == 400
    with pytest.raises(NotAuthorized):
        RemoteCKAN(live_server, apikey=published.catalogue.disdukcapil.token).action.package_patch(**body)
    with pytest.raises(NotAuthorized):
        RemoteCKAN(live_server, apikey=token).action.organization_create(name="dinas-baru", title="Dinas Baru")
    admin = RemoteCKAN(live_server, apikey=published.catalogue.admin.token)
    created = admin.action.organization_create(
        name="dishub", title="Dinas Perhubungan", extras=[{"key": "abbreviation", "value": "Dishub"}]
    )
    assert created["name"] == "dishub" and created["package_count"] == 0
    assert "dishub" in RemoteCKAN(live_server).action.organization_list()
