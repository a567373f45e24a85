"""A hostile harvest source on 127.0.0.1: its files refused by the input budget, its XML bombs never expanded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from catalog.models import Dataset, HarvestItem, Organization
from tests.harvesters.helpers import harvest, serve_folder
from tests.schemas import hostile

SECONDS = 120
DCAT_XML = """<?xml version="1.0"?>
{doctype}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"
    xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Catalog rdf:about="http://127.0.0.1/katalog">
    <dcat:dataset><dcat:Dataset rdf:about="http://127.0.0.1/dataset/pasar">
      <dct:title>{title}</dct:title><dct:identifier>pasar</dct:identifier>
    </dcat:Dataset></dcat:dataset>
  </dcat:Catalog>
</rdf:RDF>
"""
LAUGHS = (
    '<!DOCTYPE rdf:RDF [<!ENTITY a "hahahahahahahahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>\n"
)
EXTERNAL = '<!DOCTYPE rdf:RDF [<!ENTITY rahasia SYSTEM "file:///etc/passwd">]>\n'


@pytest.fixture
def organization(session: Session) -> str:
    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    return "disdukcapil"


def _stored(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "files").rglob("*") if p.is_file()] if (data_dir / "files").exists() else []


def test_hostile_files_in_a_drop_are_item_errors_and_nothing_is_stored(
    tmp_path: Path, session: Session, organization: str, data_dir: Path
) -> None:
    drop = tmp_path / "www" / "opd"
    drop.mkdir(parents=True)
    hostile.rows_bomb(drop / "bom.xlsx", 2 << 30)
    hostile.cell_bomb(drop / "sel.xlsx", 1100 << 20)
    hostile.wide_csv(drop / "lebar.csv", 10_000)
    hostile.one_line_csv(drop / "koma.csv", 5 << 20, b",")
    (drop / "nama-palsu.xlsx").write_text("a,b\n1,2\n")
    started = time.monotonic()
    with serve_folder(drop.parent) as url:
        _, job = harvest(session, organization=organization, type="files", url=f"{url}/opd/")
    assert time.monotonic() - started < SECONDS
    assert job.status == "finished", job.error
    assert job.counts["created"] == 0 and job.counts["errors"] == 5
    messages = {i.remote_id: i.errors[0]["message"] for i in session.exec(select(HarvestItem)).all()}
    assert "TERBUKA_INPUT_MAX_INFLATED_BYTES" in messages["bom.xlsx"]
    assert "TERBUKA_INPUT_MAX_INFLATED_BYTES" in messages["sel.xlsx"]
    assert "TERBUKA_INPUT_MAX_COLUMNS" in messages["lebar.csv"]
    assert "TERBUKA_INPUT_MAX_LINE_BYTES" in messages["koma.csv"]
    assert "not a zip archive" in messages["nama-palsu.xlsx"]
    assert _stored(data_dir) == []
    assert session.exec(select(Dataset)).all() == []


@pytest.mark.parametrize("doctype", [LAUGHS, EXTERNAL], ids=["billion laughs", "external entity"])
def test_rdfxml_with_entities_fails_the_harvest_unexpanded(
    doctype: str, tmp_path: Path, session: Session, organization: str
) -> None:
    title = "&j;" if doctype is LAUGHS else "&rahasia;"
    (tmp_path / "katalog.rdf").write_text(DCAT_XML.format(doctype=doctype, title=title))
    started = time.monotonic()
    with serve_folder(tmp_path) as url:
        _, job = harvest(session, organization=organization, type="dcat", url=f"{url}/katalog.rdf")
    assert time.monotonic() - started < SECONDS
    assert job.status == "failed" and "document type definition" in (job.error or "")
    assert session.exec(select(Dataset)).all() == []


def test_plain_rdfxml_is_still_harvested(tmp_path: Path, session: Session, organization: str) -> None:
    (tmp_path / "katalog.rdf").write_text(DCAT_XML.format(doctype="", title="Jumlah Pasar"))
    with serve_folder(tmp_path) as url:
        _, job = harvest(session, organization=organization, type="dcat", url=f"{url}/katalog.rdf")
    assert job.status == "finished", job.error
    assert [d.title for d in session.exec(select(Dataset)).all()] == ["Jumlah Pasar"]
