"""Harvesting file drops: a local folder and an HTTP index on 127.0.0.1, with and without terbuka.yaml."""

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlmodel import Session, select

from catalog.errors import Invalid
from catalog.models import Dataset, HarvestItem, HarvestJob, Organization, ReleaseState
from catalog.services.files import file_store
from catalog.settings import get_settings
from harvesters.files import INFERRED, title_from
from harvesters.sources import add_source, run_source
from tests.harvesters.helpers import harvest, releases_of, serve_folder

FIXTURE = Path(__file__).parent / "fixtures" / "files"
SLUGS = ["jumlah-pasar-2024", "penduduk-kecamatan-2024", "sekolah-sd-negeri"]


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    """The fixture folder as an OPD shares it, under www/disdukcapil/."""
    target = tmp_path / "www" / "disdukcapil"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def web(drop: Path, database_url: str) -> Iterator[str]:
    with serve_folder(drop.parent) as url:
        yield url


@pytest.fixture
def organization(session: Session) -> str:
    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    return "disdukcapil"


def _harvest(session: Session, url: str, **options: Any) -> tuple[int, HarvestJob]:
    return harvest(session, organization="disdukcapil", type="files", url=url, **options)


def _counts(job: HarvestJob) -> tuple[int, int, int, int, int]:
    c = job.counts
    return c["created"], c["updated"], c["unchanged"], c["removed"], c["errors"]


def _dataset(session: Session, slug: str) -> Dataset:
    session.expire_all()
    return session.exec(select(Dataset).where(Dataset.slug == slug)).one()


def _item(session: Session, remote_id: str) -> HarvestItem:
    return session.exec(select(HarvestItem).where(HarvestItem.remote_id == remote_id)).one()


def _check_fixture_import(session: Session) -> None:
    """What the fixture folder becomes, read from disk or over HTTP."""
    assert sorted(d.slug for d in session.exec(select(Dataset)).all()) == SLUGS
    penduduk = _dataset(session, "penduduk-kecamatan-2024")
    assert penduduk.title == "Jumlah Penduduk per Kecamatan Semester II 2024"
    assert penduduk.description.endswith("per 31 Desember 2024 (rekapitulasi SIAK).")
    assert (penduduk.update_frequency, penduduk.license_id) == ("semesteran", "cc-by-4.0")
    assert sorted(t.name for t in penduduk.tags) == ["kependudukan", "pontianak"]
    assert [t.slug for t in penduduk.themes] == ["kependudukan"] and penduduk.extras == {}
    [release] = releases_of(session, "penduduk-kecamatan-2024")
    [resource] = release.resources
    assert (resource.name, resource.schema_ref, resource.validation_valid) == (
        "penduduk_kecamatan_2024.csv",
        "penduduk-kecamatan",
        True,
    )
    assert release.state == ReleaseState.submitted
    assert _item(session, "penduduk_kecamatan_2024.csv").errors == []

    sekolah = _dataset(session, "sekolah-sd-negeri")
    assert (sekolah.title, sekolah.license_id, sekolah.update_frequency) == (
        "Daftar Sekolah Kota Pontianak",
        "cc0-1.0",
        "tahunan",
    )
    assert [t.name for t in sekolah.tags] == ["pontianak"] and [t.slug for t in sekolah.themes] == ["pendidikan"]
    [resource] = releases_of(session, "sekolah-sd-negeri")[0].resources
    assert (resource.name, resource.schema_ref, resource.validation_valid) == ("sd_negeri.csv", "sekolah", True)

    pasar = _dataset(session, "jumlah-pasar-2024")
    assert (pasar.title, pasar.license_id, pasar.update_frequency) == ("Jumlah Pasar 2024", "cc-by-4.0", "tidak tentu")
    assert pasar.extras == {"metadata_inferred": "true"}
    [resource] = releases_of(session, "jumlah-pasar-2024")[0].resources
    assert (resource.name, resource.schema_ref, resource.validation_valid) == ("jumlah_pasar_2024.csv", None, True)
    assert [e["message"] for e in _item(session, "jumlah_pasar_2024.csv").errors] == [INFERRED]


def test_titles_are_inferred_from_file_names() -> None:
    assert title_from("jumlah_penduduk_2024.csv") == "Jumlah Penduduk 2024"
    assert title_from("PDRB-kota pontianak.2023.xlsx") == "PDRB Kota Pontianak 2023"
    assert title_from("a.csv") == "a.csv"


def test_a_folder_with_a_manifest_then_nothing_then_an_edit_then_a_removed_file(
    drop: Path, organization: str, session: Session
) -> None:
    (drop / ".draf.csv").write_text("a,b\n1,2\n")
    source_id, job = _harvest(session, str(drop))
    assert job.status == "finished", job.error
    assert _counts(job) == (3, 0, 0, 0, 0)
    _check_fixture_import(session)
    assert (drop / "jumlah_pasar_2024.csv").is_file()  # read, never moved

    assert _counts(run_source(session, source_id=source_id)) == (0, 0, 3, 0, 0)

    manifest = drop / "terbuka.yaml"
    manifest.write_text(manifest.read_text().replace("Semester II 2024", "per 31 Desember 2024"))
    assert _counts(run_source(session, source_id=source_id)) == (0, 1, 2, 0, 0)
    assert _dataset(session, "penduduk-kecamatan-2024").title == "Jumlah Penduduk per Kecamatan per 31 Desember 2024"
    assert [r.number for r in releases_of(session, "penduduk-kecamatan-2024")] == [1, 2]

    (drop / "jumlah_pasar_2024.csv").unlink()
    gone = run_source(session, source_id=source_id)
    assert _counts(gone) == (0, 0, 2, 1, 0)
    pasar = _dataset(session, "jumlah-pasar-2024")
    assert pasar.removed_at_source is True
    assert [r.state for r in releases_of(session, "jumlah-pasar-2024")] == [ReleaseState.submitted]
    assert _item(session, "jumlah_pasar_2024.csv").status == "removed"
    assert _counts(run_source(session, source_id=source_id)) == (0, 0, 2, 0, 0)


def _workbook(path: Path, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Data Kemiskinan Kota Pontianak (BPS), angka dalam format Indonesia"])
    sheet.append(["tahun", "kode_wilayah", "jumlah_penduduk_miskin", "persentase_penduduk_miskin", "garis_kemiskinan"])
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_xlsx_with_a_title_row_and_indonesian_numbers_validates_against_its_schema(
    tmp_path: Path, organization: str, session: Session
) -> None:
    (tmp_path / "terbuka.yaml").write_text(
        "files:\n  kemiskinan_*.xlsx:\n    schema: kemiskinan\n    frequency: tahunan\n    themes: [sosial]\n"
    )
    _workbook(
        tmp_path / "kemiskinan_2023.xlsx",
        [
            [2022, "61.71", "25.540,0", "4,20", "605.413,5"],
            [2023, "61.71", "24.110,0", "3,95", "648.101,0"],
        ],
    )
    _workbook(tmp_path / "kemiskinan_2022.xlsx", [[2022, "61.71", "25.540,0", "4,2 persen", "605.413,5"]])
    _, job = _harvest(session, str(tmp_path))
    assert job.status == "finished", job.error
    assert _counts(job) == (2, 0, 0, 0, 0)

    good = _dataset(session, "kemiskinan-2023")
    assert (good.title, good.update_frequency, good.extras) == ("Kemiskinan 2023", "tahunan", {})
    [release] = releases_of(session, "kemiskinan-2023")
    [resource] = release.resources
    assert (resource.format, resource.schema_ref, resource.validation_valid) == ("XLSX", "kemiskinan", True)
    report = json.loads(file_store().open(resource.report_sha256 or "").read_text())
    task = report["tasks"][0]
    assert task["labels"] == [
        "tahun",
        "kode_wilayah",
        "jumlah_penduduk_miskin",
        "persentase_penduduk_miskin",
        "garis_kemiskinan",
    ]
    assert (task["stats"]["rows"], task["stats"]["errors"]) == (2, 0)
    assert release.state == ReleaseState.submitted

    [bad] = releases_of(session, "kemiskinan-2022")[0].resources
    assert bad.validation_valid is False and bad.validation_summary is not None
    [error] = bad.validation_summary["first"]["type-error"]
    assert (error["fieldName"], error["cell"]) == ("persentase_penduduk_miskin", "4,2 persen")
    assert releases_of(session, "kemiskinan-2022")[0].state == ReleaseState.draft


APACHE_INDEX = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html><head><title>Index of /disdukcapil</title></head><body><h1>Index of /disdukcapil</h1>
<table><tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th></tr>
<tr><td><a href="/">Parent Directory</a></td></tr>
<tr><td><a href="BACA.txt">BACA.txt</a></td><td>2025-01-06 08:00</td></tr>
<tr><td><a href="jumlah_pasar_2024.csv">jumlah_pasar_2024.csv</a></td><td>2025-01-06 08:00</td></tr>
<tr><td><a href="/disdukcapil/penduduk_kecamatan_2024.csv">penduduk_kecamatan_2024.csv</a></td></tr>
<tr><td><a href="sekolah/">sekolah/</a></td><td>2025-01-06 08:00</td></tr>
<tr><td><a href="terbuka.yaml">terbuka.yaml</a></td><td>2025-01-06 08:00</td></tr>
<tr><td><a href="http://example.org/disdukcapil/lain.csv">lain.csv</a></td></tr>
<tr><td><a href="../rahasia.csv">rahasia.csv</a></td></tr>
</table><address>Apache/2.4.62 (Debian) Server at data.pontianak.go.id Port 80</address></body></html>
"""


def test_an_http_index_is_crawled_on_its_host_below_its_path(
    web: str, drop: Path, organization: str, session: Session
) -> None:
    (drop / "index.html").write_text(APACHE_INDEX)  # python's server then shows it instead of its own listing
    (drop.parent / "rahasia.csv").write_text("kata_sandi\nrahasia\n")
    source_id, job = _harvest(session, f"{web}/disdukcapil")
    assert job.status == "finished", job.error
    assert _counts(job) == (3, 0, 0, 0, 0)
    assert sorted(i.remote_id for i in session.exec(select(HarvestItem)).all()) == [
        "jumlah_pasar_2024.csv",
        "penduduk_kecamatan_2024.csv",
        "sekolah/sd_negeri.csv",
    ]
    _check_fixture_import(session)

    assert _counts(run_source(session, source_id=source_id)) == (0, 0, 3, 0, 0)
    with (drop / "jumlah_pasar_2024.csv").open("a") as handle:
        handle.write("Pontianak Barat,5\n")
    assert _counts(run_source(session, source_id=source_id)) == (0, 1, 2, 0, 0)
    assert [r.number for r in releases_of(session, "jumlah-pasar-2024")] == [1, 2]


def test_a_missing_file_in_the_index_is_an_item_error(
    web: str, drop: Path, organization: str, session: Session
) -> None:
    (drop / "index.html").write_text('<a href="jumlah_pasar_2024.csv">ada</a> <a href="hilang.csv">hilang</a>')
    _, job = _harvest(session, f"{web}/disdukcapil/")
    assert _counts(job) == (1, 0, 0, 0, 1)
    item = _item(session, "hilang.csv")
    assert item.status == "error" and item.errors[0]["message"].endswith("/disdukcapil/hilang.csv: HTTP 404")


MALFORMED = {
    "not yaml": ("files:\n  a.csv: {title: [Data\n", "terbuka.yaml is not valid YAML"),
    "a list": ("- penduduk.csv\n", "terbuka.yaml: the top level is a mapping with 'files' and optionally 'defaults'"),
    "unknown key": (
        "files:\n  jumlah_pasar_2024.csv:\n    judul: Pasar\n",
        "terbuka.yaml: files.jumlah_pasar_2024.csv: unknown keys judul (allowed: title, description, "
        "schema, frequency, tags, themes, license, slug)",
    ),
    "frequency": (
        "files:\n  '*.csv':\n    frequency: weekly\n",
        "terbuka.yaml: files.*.csv.frequency: 'weekly' is not one of harian, mingguan, bulanan, "
        "triwulanan, semesteran, tahunan, tidak tentu",
    ),
    "schema": (
        "files:\n  '*.csv':\n    schema: penduduk-desa\n",
        "terbuka.yaml: files.*.csv.schema: unknown schema 'penduduk-desa'",
    ),
    "license": ("defaults:\n  license: bebas\n", "terbuka.yaml: defaults.license: unknown license 'bebas'"),
    "tags": ("files:\n  a.csv:\n    tags: kependudukan\n", "terbuka.yaml: files.a.csv.tags: expected a list of words"),
    "slug on a pattern": (
        "files:\n  '*.csv':\n    slug: semua-data\n",
        "terbuka.yaml: files.*.csv.slug: a slug names one dataset",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_manifest_fails_the_job_and_imports_nothing(
    drop: Path, organization: str, session: Session, case: str
) -> None:
    source_id, first = _harvest(session, str(drop))
    assert _counts(first) == (3, 0, 0, 0, 0)
    text, message = MALFORMED[case]
    (drop / "terbuka.yaml").write_text(text)
    (drop / "jumlah_pasar_2024.csv").unlink()
    (drop / "baru.csv").write_text("a,b\n1,2\n")
    job = run_source(session, source_id=source_id)
    assert job.status == "failed"
    assert (job.error or "").startswith(message), job.error
    assert _counts(job) == (0, 0, 0, 0, 0)
    session.expire_all()
    assert sorted(d.slug for d in session.exec(select(Dataset)).all()) == SLUGS
    assert not any(d.removed_at_source for d in session.exec(select(Dataset)).all())


def test_files_linked_outside_the_folder_are_not_harvested(tmp_path: Path, organization: str, session: Session) -> None:
    (tmp_path / "rahasia.csv").write_text("kata_sandi\nrahasia\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "penduduk.csv").write_text("kecamatan,jumlah\nPontianak Kota,125655\n")
    os.symlink(tmp_path / "rahasia.csv", folder / "rahasia.csv")
    _, job = _harvest(session, folder.as_uri())
    assert _counts(job) == (1, 0, 0, 0, 0)
    assert [i.remote_id for i in session.exec(select(HarvestItem)).all()] == ["penduduk.csv"]


def test_local_folders_outside_the_allowed_roots_are_refused(
    drop: Path, organization: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(Invalid, match="only under TERBUKA_HARVEST_LOCAL_ROOTS"):
        _harvest(session, "/etc")
    source = add_source(session, organization="disdukcapil", type="files", url=str(drop))
    monkeypatch.setenv("TERBUKA_HARVEST_LOCAL_ROOTS", "/srv/opd")  # the roots changed after the source was added
    get_settings.cache_clear()
    job = run_source(session, source_id=source.id or 0)
    assert job.status == "failed"
    assert "only under TERBUKA_HARVEST_LOCAL_ROOTS" in (job.error or "")
    assert session.exec(select(Dataset)).all() == []


def test_a_trusted_source_publishes_only_what_has_real_metadata(
    drop: Path, organization: str, session: Session
) -> None:
    _, job = _harvest(session, str(drop), publish="auto")
    assert job.status == "finished", job.error
    assert releases_of(session, "penduduk-kecamatan-2024")[0].state == ReleaseState.published
    assert releases_of(session, "jumlah-pasar-2024")[0].state == ReleaseState.submitted  # inferred: walidata reviews
