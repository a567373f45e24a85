"""The Pontianak demo: loaded through the services, valid, complete, and idempotent."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, SQLModel, col, func, select

from catalog.db import commit
from catalog.demo import load_demo
from catalog.demo.catalogue import DATASETS
from catalog.demo.loader import release_files
from catalog.demo.organizations import DEMO_PASSWORD
from catalog.models import Activity, Dataset, Organization, Release, ReleaseState, Resource, User
from catalog.services.users import verify_password

REQUIRED_OPDS = {
    "diskominfo": "Diskominfo",
    "disdukcapil": "Disdukcapil",
    "dinkes": "Dinkes",
    "disdikbud": "Disdikbud",
    "bappeda": "Bappeda",
    "dishub": "Dishub",
    "bpkad": "BPKAD",
    "pupr": "PUPR",
}


def count(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def counts(session: Session) -> dict[str, int]:
    return {m.__name__: count(session, m) for m in (Organization, User, Dataset, Release, Resource, Activity)}


@pytest.fixture
def demo(session: Session) -> str:
    summary = load_demo(session)
    commit(session)  # as `terbuka demo` does: one unit of work
    return summary


def download(client: TestClient, release: dict[str, Any], fmt: str) -> bytes:
    resource = next(r for r in release["resources"] if r["format"] == fmt)
    response = client.get(resource["download_url"].removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    return response.content


def test_demo_is_a_catalogue_of_the_real_opds(demo: str, session: Session, client: TestClient) -> None:
    organizations = {o["slug"]: o for o in client.get("/api/v1/organizations").json()}
    assert len(organizations) >= 8
    for slug, abbreviation in REQUIRED_OPDS.items():
        assert organizations[slug]["abbreviation"] == abbreviation
    assert organizations["bpkad"]["name"] == "Badan Pengelolaan Keuangan dan Aset Daerah"
    assert organizations["bpkad"]["kind"] == "badan"
    assert all(o["dataset_count"] >= 1 for o in organizations.values())

    listing = client.get("/api/v1/datasets", params={"per_page": 100}).json()
    assert listing["total"] >= 25
    assert listing["total"] == len(DATASETS)
    licenses = {d["license_id"] for d in listing["items"]}
    assert "cc-by-4.0" in licenses and len(licenses) >= 3
    for dataset in session.exec(select(Dataset)).all():
        assert len(dataset.releases) >= 2, dataset.slug
        assert "Data sintetis untuk demonstrasi" in dataset.description
        assert dataset.spatial_coverage[0] == "61.71"
        assert dataset.extras["Periode Update Data"]


def test_one_release_waits_one_was_returned_and_the_rest_are_published(demo: str, session: Session) -> None:
    states = dict(session.exec(select(Release.state, func.count()).group_by(col(Release.state))).all())
    assert states.pop(ReleaseState.submitted) == 1
    assert states.pop(ReleaseState.returned) == 1
    assert set(states) == {ReleaseState.published}
    returned = session.exec(select(Release).where(Release.state == ReleaseState.returned)).one()
    assert returned.review_note and returned.reviewed_by_id is not None

    # Every release went through the services: stored, validated without errors and logged.
    resources = session.exec(select(Resource)).all()
    assert {r.format for r in resources} == {"CSV", "XLSX"}
    assert all(r.validation_valid is True and r.report_sha256 for r in resources)
    logged = session.exec(select(func.count()).where(Activity.action == "release.create")).one()
    assert logged == count(session, Release)
    bps = session.exec(select(User).where(User.username == "bps")).one()
    priority = [r for r in session.exec(select(Release)).all() if r.dataset.is_priority]
    assert priority and all(r.endorsed_by_id == bps.id for r in priority)


def test_population_file_carries_both_code_systems(demo: str, client: TestClient) -> None:
    dataset = client.get("/api/v1/datasets/jumlah-penduduk-kecamatan").json()
    assert dataset["update_frequency"] == "semesteran" and dataset["is_priority"] is True
    release = next(
        r
        for r in client.get("/api/v1/datasets/jumlah-penduduk-kecamatan/releases").json()
        if r["number"] == dataset["current_release"]
    )
    rows = list(csv.DictReader(io.StringIO(download(client, release, "CSV").decode())))
    codes = {(r["kode_kecamatan_kemendagri"], r["kode_kecamatan_bps"]) for r in rows}
    assert ("61.71.05", "6171031") in codes  # Pontianak Kota: the two numberings differ
    assert ("61.71.06", "6171011") in codes
    assert {r["tanggal_data"] for r in rows} >= {"2024-06-30", "2024-12-31"}
    sheet = load_workbook(io.BytesIO(download(client, release, "XLSX")), read_only=True).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:6] == (
        "tanggal_data",
        "tahun",
        "semester",
        "kode_kecamatan_kemendagri",
        "kode_kecamatan_bps",
        "kecamatan",
    )
    assert len(table) == len(rows) + 1


def test_loading_again_changes_nothing(demo: str, session: Session) -> None:
    before = counts(session)
    assert load_demo(session) == demo
    assert counts(session) == before
    # The accounts the summary announces sign in with the documented password.
    assert "terbuka token create walidata" in demo
    for username in ("admin", "walidata", "bps", "dinkes-data"):
        assert verify_password(session, username=username, password=DEMO_PASSWORD).username == username


def test_generated_files_are_identical_from_run_to_run() -> None:
    dataset = next(d for d in DATASETS if "xlsx" in d.formats)
    first = [f.stream.read() for f in release_files(dataset, 2)]
    second = [f.stream.read() for f in release_files(dataset, 2)]
    assert first == second
