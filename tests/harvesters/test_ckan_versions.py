"""CKAN 2.9, 2.10 and 2.11 portals through ckanapi: the same import, incremental re-harvests, broken search."""

import io
from collections.abc import Iterator

import openpyxl
import pytest
from sqlmodel import Session, col, select

from catalog import settings
from catalog.models import Dataset, HarvestItem, Organization, Release, Resource
from harvesters.sources import add_source, run_source
from tests.harvesters.ckan_portal import CkanPortal


def xlsx_with_indonesian_numbers() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Realisasi APBD Kota Pontianak 2024"])
    sheet.append(["uraian", "anggaran", "realisasi"])
    sheet.append(["Pendapatan Asli Daerah", "1.234.567,89", "1.100.000,50"])
    sheet.append(["Belanja Pegawai", "987.654,10", "950.000,00"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(params=["2.9", "2.10", "2.11"])
def portal(request: pytest.FixtureRequest, database_url: str) -> Iterator[CkanPortal]:
    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    portal = CkanPortal(version=request.param, rows_max=2).start()
    portal.files = {
        "/files/penduduk.csv": b"kecamatan,jumlah\nPontianak Timur,100195\nPontianak Barat,135351\n",
        "/files/apbd.xlsx": xlsx_with_indonesian_numbers(),
    }
    portal.add(
        "jumlah-penduduk",
        "2025-01-01T00:00:00.000000",
        title="Jumlah Penduduk per Kecamatan",
        resources=[{"name": "Penduduk Semester I", "format": "CSV", "url": f"{portal.url}/files/penduduk.csv"}],
    )
    portal.add(
        "realisasi-apbd",
        "2025-01-01T00:00:00.000000",
        title="Realisasi APBD 2024",
        license_id="",
        organization="bkad",
        resources=[{"name": "Realisasi", "format": "XLSX", "url": f"{portal.url}/files/apbd.xlsx"}],
    )
    portal.add(
        "peta-banjir",
        "2025-01-01T00:00:00.000000",
        title="Titik Rawan Banjir",
        satu_data={},
        resources=[{"name": "Peta", "format": "GeoJSON", "url": f"{portal.url}/files/tidak-ada.geojson"}],
    )
    yield portal
    portal.stop()


def _datasets(session: Session) -> dict[str, Dataset]:
    session.expire_all()
    return {d.slug: d for d in session.exec(select(Dataset)).all()}


def _release_count(session: Session) -> int:
    return len(session.exec(select(Release)).all())


def test_each_ckan_version_imports_the_same_then_harvests_incrementally(portal: CkanPortal, session: Session) -> None:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    source = add_source(session, organization="diskominfo", type="ckan", url=portal.url, publish="auto")
    job = run_source(session, source_id=source.id or 0)
    assert job.status == "finished", job.error
    assert job.counts["created"] == 3 and job.counts["errors"] == 0
    found = _datasets(session)
    penduduk = found["jumlah-penduduk"]
    assert penduduk.title == "Jumlah Penduduk per Kecamatan" and penduduk.license_id == "cc-by-4.0"
    assert penduduk.update_frequency == "semesteran" and penduduk.spatial_coverage == ["61.71.02", "61.71.03"]
    assert penduduk.contact_email == "statistik@pontianak.go.id"
    assert found["realisasi-apbd"].license_id == "notspecified"
    apbd = session.exec(select(Resource).where(Resource.name == "Realisasi.xlsx")).one()
    assert apbd.format == "XLSX" and apbd.byte_size and apbd.sha256
    assert apbd.validation_summary is not None and apbd.report_sha256  # validated, report kept
    flood = session.exec(select(HarvestItem).where(HarvestItem.remote_id == "id-peta-banjir")).one()
    assert "HTTP 404" in flood.errors[0]["message"]
    # its one resource is not kept as a link to the portal's loopback address: metadata only, no release
    assert "not a public address" in flood.errors[1]["message"] and flood.errors[1]["message"].endswith("link")

    portal.requests.clear()
    again = run_source(session, source_id=source.id or 0)
    assert again.counts["unchanged"] == 3 and _release_count(session) == 2
    assert all("fl=" in r for r in portal.requests), portal.requests  # only the id/modified listing
    assert not any("package_show" in r for r in portal.requests)

    portal.files["/files/penduduk.csv"] += b"Pontianak Kota,120000\n"
    portal.packages["jumlah-penduduk"]["metadata_modified"] = "2099-01-01T00:00:00.000000"
    portal.requests.clear()
    changed = run_source(session, source_id=source.id or 0)
    assert changed.counts["updated"] == 1 and changed.counts["unchanged"] == 2
    assert any("metadata_modified%3A%5B" in r for r in portal.requests), portal.requests
    assert _release_count(session) == 3
    releases = session.exec(
        select(Release).where(Release.dataset_id == penduduk.id).order_by(col(Release.number))
    ).all()
    assert [r.number for r in releases] == [1, 2] and releases[0].state == "published"


def test_a_portal_with_broken_search_is_read_with_package_list(portal: CkanPortal, session: Session) -> None:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    portal.search_broken = True
    source = add_source(
        session, organization="diskominfo", type="ckan", url=portal.url, filters={"organization": "diskominfo"}
    )
    job = run_source(session, source_id=source.id or 0)
    assert job.status == "finished", job.error
    assert set(_datasets(session)) == {"jumlah-penduduk", "peta-banjir"}  # bkad's package filtered out
    assert any("package_list" in r for r in portal.requests)


def test_an_html_page_instead_of_the_api_fails_the_job_clearly(portal: CkanPortal, session: Session) -> None:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    portal.html_everywhere = True
    source = add_source(session, organization="diskominfo", type="ckan", url=portal.url)
    job = run_source(session, source_id=source.id or 0)
    assert job.status == "failed"
    assert "expected a CKAN JSON answer, got text/html" in (job.error or "")
    assert _datasets(session) == {}


def test_an_item_that_cannot_be_imported_is_recorded_and_listed(portal: CkanPortal, session: Session) -> None:
    from typer.testing import CliRunner

    from catalog.cli import app

    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    portal.add("Data_Tanpa_Slug!", "2025-01-01T00:00:00.000000", title="Data dengan nama CKAN yang rusak")
    source = add_source(session, organization="diskominfo", type="ckan", url=portal.url)
    job = run_source(session, source_id=source.id or 0)
    assert job.status == "finished" and job.counts["errors"] == 1 and job.counts["created"] == 3
    status = CliRunner().invoke(app, ["harvest", "status", str(job.id)], env={"COLUMNS": "200"})
    assert status.exit_code == 0
    assert "items in error" in status.stdout and "id-Data_Tanpa_Slug!" in status.stdout and "import" in status.stdout
