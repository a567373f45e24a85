"""Harvesting Frictionless Data Packages over HTTP on 127.0.0.1 and from local directories."""

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from catalog.models import Dataset, HarvestItem, HarvestJob, Organization, ReleaseState
from catalog.services.files import file_store
from harvesters.sources import run_source
from tests.harvesters.helpers import harvest, releases_of, serve_folder

FIXTURE = Path(__file__).parent / "fixtures" / "datapackage" / "penduduk-sekolah"
WARNING_DRAFT = "validation errors: the release stays a draft for the walidata"


@pytest.fixture
def package_dir(tmp_path: Path) -> Path:
    target = tmp_path / "www" / "penduduk-sekolah"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def web(package_dir: Path, database_url: str) -> Iterator[str]:
    with serve_folder(package_dir.parent) as url:
        yield url


@pytest.fixture
def organization(session: Session) -> str:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    return "diskominfo"


def _harvest(session: Session, url: str, **options: Any) -> tuple[int, HarvestJob]:
    return harvest(session, organization="diskominfo", type="datapackage", url=url, **options)


def _counts(job: HarvestJob) -> tuple[int, int, int, int]:
    return job.counts["created"], job.counts["updated"], job.counts["unchanged"], job.counts["errors"]


def _write_package(directory: Path, descriptor: dict[str, Any], files: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for name, text in (files or {}).items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_a_package_over_http_is_one_dataset_validated_by_its_own_schemas(
    web: str, package_dir: Path, organization: str, session: Session
) -> None:
    source_id, job = _harvest(session, f"{web}/penduduk-sekolah/datapackage.json", publish="auto")
    assert job.status == "finished", job.error
    assert _counts(job) == (1, 0, 0, 0)

    dataset = session.exec(select(Dataset).where(Dataset.slug == "penduduk-sekolah-pontianak")).one()
    assert dataset.title == "Penduduk dan Sekolah Dasar Kota Pontianak 2024"
    assert dataset.description.startswith("Jumlah penduduk per kecamatan (Disdukcapil)")
    assert dataset.license_id == "cc-by-4.0"
    assert (dataset.temporal_start, dataset.temporal_end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert dataset.spatial_coverage == ["61.71"]
    assert sorted(t.name for t in dataset.tags) == ["kependudukan", "pendidikan", "sekolah dasar"]
    assert sorted(t.slug for t in dataset.themes) == ["kependudukan", "pendidikan"]
    assert dataset.extras["version"] == "2024.1"
    assert dataset.extras["homepage"] == "https://data.pontianak.go.id"
    assert json.loads(dataset.extras["contributors"]) == [{"title": "Diskominfo Kota Pontianak", "role": "publisher"}]
    assert "resources" not in dataset.extras and "licenses" not in dataset.extras

    [release] = releases_of(session, "penduduk-sekolah-pontianak")
    assert release.state == ReleaseState.draft  # one resource breaks its schema: the walidata decides
    penduduk, sekolah = release.resources
    assert (penduduk.name, penduduk.validation_valid) == ("penduduk_kecamatan.csv", True)
    assert penduduk.table_schema is not None and penduduk.table_schema["primaryKey"] == ["kode_kecamatan"]
    assert (sekolah.name, sekolah.validation_valid) == ("sekolah_dasar.csv", False)
    assert sekolah.table_schema == json.loads((package_dir / "schemas" / "sekolah_dasar.json").read_text())
    assert sekolah.validation_summary is not None
    assert sekolah.validation_summary["counts"] == {"constraint-error": 1}
    [error] = sekolah.validation_summary["first"]["constraint-error"]
    assert (error["rowNumber"], error["fieldName"], error["cell"]) == (3, "npsn", "3010549")
    assert sekolah.report_sha256 is not None
    report = json.loads(file_store().open(sekolah.report_sha256).read_text())
    assert report["valid"] is False and report["tasks"][0]["errors"][0]["type"] == "constraint-error"
    item = session.exec(select(HarvestItem).where(HarvestItem.remote_id == "penduduk-sekolah-pontianak")).one()
    assert item.marker == "version:2024.1"
    assert [e["message"] for e in item.errors] == [WARNING_DRAFT]

    again = run_source(session, source_id=source_id)
    assert _counts(again) == (0, 0, 1, 0)
    assert len(releases_of(session, "penduduk-sekolah-pontianak")) == 1

    csv_path = package_dir / "data" / "sekolah_dasar.csv"
    csv_path.write_text(csv_path.read_text().replace("3010549,", "30105490,"))
    descriptor = json.loads((package_dir / "datapackage.json").read_text())
    descriptor["version"] = "2024.2"
    (package_dir / "datapackage.json").write_text(json.dumps(descriptor))
    changed = run_source(session, source_id=source_id)
    assert _counts(changed) == (0, 1, 0, 0)
    first, second = releases_of(session, "penduduk-sekolah-pontianak")
    assert first.state == ReleaseState.draft and second.state == ReleaseState.published
    assert [r.validation_valid for r in second.resources] == [True, True]
    assert run_source(session, source_id=source_id).counts["unchanged"] == 1
    assert len(releases_of(session, "penduduk-sekolah-pontianak")) == 2


@pytest.mark.parametrize("form", ["directory", "descriptor", "file-url"])
def test_a_local_package_is_read_from_the_filesystem(
    package_dir: Path, organization: str, session: Session, form: str
) -> None:
    url = {
        "directory": str(package_dir),
        "descriptor": str(package_dir / "datapackage.json"),
        "file-url": (package_dir / "datapackage.json").as_uri(),
    }[form]
    source_id, job = _harvest(session, url)
    assert job.status == "finished", job.error
    assert _counts(job) == (1, 0, 0, 0)
    [release] = releases_of(session, "penduduk-sekolah-pontianak")
    assert [(r.name, r.validation_valid) for r in release.resources] == [
        ("penduduk_kecamatan.csv", True),
        ("sekolah_dasar.csv", False),
    ]
    assert release.resources[1].validation_summary is not None
    assert release.resources[1].validation_summary["counts"] == {"constraint-error": 1}
    stored = file_store().open(release.resources[0].sha256 or "").read_bytes()
    assert stored == (package_dir / "data" / "penduduk_kecamatan.csv").read_bytes()
    assert (package_dir / "data" / "penduduk_kecamatan.csv").is_file()  # the source is copied, never moved

    assert _counts(run_source(session, source_id=source_id)) == (0, 0, 1, 0)
    with (package_dir / "data" / "penduduk_kecamatan.csv").open("a") as handle:
        handle.write("61.71.04,Pontianak Utara,139875\n")
    descriptor = json.loads((package_dir / "datapackage.json").read_text())
    descriptor["version"] = "2024.2"
    (package_dir / "datapackage.json").write_text(json.dumps(descriptor))
    assert _counts(run_source(session, source_id=source_id)) == (0, 1, 0, 0)
    assert [r.number for r in releases_of(session, "penduduk-sekolah-pontianak")] == [1, 2]


@pytest.mark.parametrize("path", ["../rahasia.csv", "data/../../rahasia.csv", "/etc/passwd"])
def test_a_resource_path_leaving_the_package_fails_the_item(
    tmp_path: Path, organization: str, session: Session, path: str
) -> None:
    (tmp_path / "rahasia.csv").write_text("kata_sandi\nrahasia\n")
    package = _write_package(
        tmp_path / "paket",
        {
            "name": "paket-nakal",
            "title": "Paket Nakal",
            "resources": [{"name": "ringkas", "path": "ringkas.csv"}, {"name": "bocor", "path": path}],
        },
        {"ringkas.csv": "a,b\n1,2\n"},
    )
    _, job = _harvest(session, str(package))
    assert job.status == "finished"
    assert _counts(job) == (0, 0, 0, 1)
    item = session.exec(select(HarvestItem).where(HarvestItem.remote_id == "paket-nakal")).one()
    assert item.status == "error"
    assert item.errors == [
        {
            "stage": "fetch",
            "remote_id": "paket-nakal",
            "message": f"resource 'bocor': path {path!r} leaves the package directory",
        }
    ]
    assert session.exec(select(Dataset)).all() == []


def test_a_symbolic_link_out_of_the_package_is_refused(tmp_path: Path, organization: str, session: Session) -> None:
    (tmp_path / "rahasia.csv").write_text("kata_sandi\nrahasia\n")
    package = _write_package(
        tmp_path / "paket", {"name": "paket-tautan", "resources": [{"name": "tautan", "path": "tautan.csv"}]}
    )
    (package / "tautan.csv").symlink_to(tmp_path / "rahasia.csv")
    _, job = _harvest(session, str(package))
    assert _counts(job) == (0, 0, 0, 1)
    item = session.exec(select(HarvestItem)).one()
    assert item.errors[0]["message"] == "resource 'tautan': path 'tautan.csv' leaves the package directory"


def test_inline_data_becomes_csv_and_remote_resources_are_downloaded_or_linked(
    web: str, tmp_path: Path, organization: str, session: Session
) -> None:
    package = _write_package(
        tmp_path / "pasar",
        {
            "name": "pasar-rakyat",
            "title": "Pasar Rakyat Kota Pontianak",
            "licenses": [{"name": "lisensi-daerah", "title": "Lisensi Pemerintah Kota"}],
            "spatial": "Kota Pontianak",
            "resources": [
                {
                    "name": "pasar",
                    "data": [
                        {"nama_pasar": "Pasar Flamboyan", "jumlah_kios": 420},
                        {"nama_pasar": "Pasar Kemuning", "jumlah_kios": 118},
                    ],
                    "schema": {
                        "fields": [{"name": "nama_pasar", "type": "string"}, {"name": "jumlah_kios", "type": "integer"}]
                    },
                },
                {"name": "penduduk", "path": f"{web}/penduduk-sekolah/data/penduduk_kecamatan.csv"},
                {"name": "peta", "path": f"{web}/penduduk-sekolah/data/peta.geojson"},
                {"name": "catatan", "data": {"sumber": "Disperindag Kota Pontianak"}},
            ],
        },
    )
    _, job = _harvest(session, str(package))
    assert job.status == "finished", job.error
    assert _counts(job) == (1, 0, 0, 0)
    dataset = session.exec(select(Dataset).where(Dataset.slug == "pasar-rakyat")).one()
    assert dataset.license_id == "notspecified"
    assert json.loads(dataset.extras["licenses"]) == [{"name": "lisensi-daerah", "title": "Lisensi Pemerintah Kota"}]
    assert dataset.extras["spatial"] == "Kota Pontianak" and dataset.spatial_coverage == []
    [release] = releases_of(session, "pasar-rakyat")
    inline, downloaded, note = release.resources
    assert (inline.name, inline.validation_valid) == ("pasar.csv", True)
    assert file_store().open(inline.sha256 or "").read_bytes() == (
        b"nama_pasar,jumlah_kios\nPasar Flamboyan,420\nPasar Kemuning,118\n"
    )
    assert downloaded.name == "penduduk_kecamatan.csv"
    original = (FIXTURE / "data" / "penduduk_kecamatan.csv").read_bytes()
    assert file_store().open(downloaded.sha256 or "").read_bytes() == original
    assert (note.name, note.format) == ("catatan.json", "JSON")
    assert json.loads(file_store().open(note.sha256 or "").read_bytes()) == {"sumber": "Disperindag Kota Pontianak"}
    item = session.exec(select(HarvestItem)).one()
    assert (item.marker or "").startswith("sha256:")
    messages = [e["message"] for e in item.errors]
    assert messages[0] == "license 'lisensi-daerah' unknown: set to notspecified, kept in extras as licenses"
    assert messages[1].startswith("resource 'peta' kept as a link:") and "HTTP 404" in messages[1]
    # but a link is only kept to a public host, and this one is on loopback
    assert "peta.geojson" in messages[2] and "not a public address; not kept as a link" in messages[2]


def test_a_package_that_cannot_be_read_fails_the_job(
    web: str, organization: str, session: Session, tmp_path: Path
) -> None:
    _, missing = _harvest(session, f"{web}/tidak-ada/")
    assert missing.status == "failed" and "tidak-ada/datapackage.json: HTTP 404" in (missing.error or "")
    _write_package(tmp_path / "rusak", {"name": "rusak"})
    _, broken = _harvest(session, str(tmp_path / "rusak"))
    assert broken.status == "failed"
    assert (
        broken.error == f"{tmp_path / 'rusak' / 'datapackage.json'}: a Data Package is a JSON object with a "
        "'resources' list"
    )
    assert session.exec(select(Dataset)).all() == []
