"""Loading after publication: typed like the validator, idempotent, current table follows, withdrawn data gone."""

import json
from pathlib import Path

import duckdb
import frictionless
import openpyxl
from sqlmodel import Session, select

from catalog.datastore.engine import parquet_path
from catalog.datastore.ingest import load_resource
from catalog.db import get_engine
from catalog.models import DatastoreTable
from catalog.worker import sync_datastore
from tests.catalog.conftest import Catalogue
from tests.datastore.conftest import DBD_CSV, DBD_SCHEMA, SLUG, Published, publish


def _table_row(resource_id: int) -> DatastoreTable:
    with Session(get_engine()) as session:
        row = session.exec(select(DatastoreTable).where(DatastoreTable.resource_id == resource_id)).one()
        return row


def test_typed_rows_equal_what_frictionless_reads(published: Published, tmp_path: Path) -> None:
    source = tmp_path / "kasus.csv"
    source.write_text(DBD_CSV, encoding="utf-8")
    resource = frictionless.Resource(
        path=str(source),
        schema=frictionless.Schema.from_descriptor(DBD_SCHEMA),
        control=frictionless.formats.CsvControl(delimiter=";"),
    )
    with resource:
        expected = [[row[f["name"]] for f in DBD_SCHEMA["fields"]] for row in resource.row_stream]
    with duckdb.connect() as con:
        stored = con.execute(
            f"SELECT * EXCLUDE (_id) FROM read_parquet('{parquet_path(published.resource_id)}') ORDER BY _id"
        ).fetchall()
    assert [list(row) for row in stored] == [[None if v == "" else v for v in row] for row in expected]
    assert isinstance(stored[0][3], type(expected[0][3])) and stored[0][5] == 1234.5
    row = _table_row(published.resource_id)
    assert row.status == "ready" and row.rows == 12 and row.progress == 1.0


def test_loading_is_idempotent(published: Published) -> None:
    path = parquet_path(published.resource_id)
    written = path.stat().st_mtime_ns
    assert sync_datastore() == 0
    assert load_resource(published.resource_id) is not None
    assert path.stat().st_mtime_ns == written
    again = load_resource(published.resource_id, force=True)
    assert again is not None and again.status == "ready" and again.rows == 12


def test_current_table_follows_the_newest_release_and_each_release_keeps_its_table(published: Published) -> None:
    newer = DBD_CSV.replace(";12;1.234,5;", ";99;1.234,5;")
    release = publish(published.catalogue, newer, name="kasus-dbd-2024.csv")
    assert sync_datastore() == 1
    current = published.get(f"/api/v1/datasets/{SLUG}/data", limit=1).json()
    assert current["records"][0]["kasus"] == 99
    assert current["table"]["release"] == 2
    old = published.get(f"/api/v1/datastore/{published.resource_id}", limit=1).json()
    assert old["records"][0]["kasus"] == 12 and old["table"]["current"] is False
    assert f"{SLUG}@1/kasus-dbd-2024" in old["table"]["names"] and SLUG not in old["table"]["names"]
    assert release["resources"][0]["id"] != published.resource_id


def test_withdrawn_data_is_no_longer_queryable(published: Published) -> None:
    catalogue = published.catalogue
    # Asked once before (kept a moment for anonymous readers): the withdrawal must still end it at once.
    assert published.get(f"/api/v1/datastore/{published.resource_id}").status_code == 200
    assert published.get(f"/api/v1/datasets/{SLUG}/data").status_code == 200
    withdrawn = catalogue.act(catalogue.walidata, published.release["id"], "withdraw", note="data keliru")
    assert withdrawn.status_code == 200
    response = published.get(f"/api/v1/datastore/{published.resource_id}")
    assert response.status_code == 404
    assert published.get(f"/api/v1/datasets/{SLUG}/data").status_code == 404
    sync_datastore()
    assert not parquet_path(published.resource_id).exists()
    assert _table_row(published.resource_id).status == "withdrawn"


def test_unpublished_data_is_invisible(catalogue: Catalogue) -> None:
    release = catalogue.upload(
        catalogue.dinkes, SLUG, DBD_CSV.encode(), name="kasus.csv", schema=json.dumps(DBD_SCHEMA)
    )
    resource_id = release["resources"][0]["id"]
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    assert sync_datastore() == 0
    assert load_resource(resource_id) is not None  # even loaded by hand, a submitted release's data stays hidden
    for headers in ({}, catalogue.walidata.headers, catalogue.dinkes.headers):
        response = catalogue.client.get(f"/api/v1/datastore/{resource_id}", headers=headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "datastore_table_not_found"
    assert catalogue.client.get("/api/v1/datastore").json()["tables"] == []


def test_a_file_that_failed_validation_is_skipped_with_its_reason(catalogue: Catalogue) -> None:
    broken = DBD_CSV.replace(";12;1.234,5;", ";dua belas;1.234,5;")
    release = catalogue.upload(catalogue.dinkes, SLUG, broken.encode(), name="kasus.csv", schema=json.dumps(DBD_SCHEMA))
    approved = catalogue.act(catalogue.walidata, release["id"], "approve", note="diterbitkan dengan catatan")
    assert approved.status_code == 200, approved.text
    assert sync_datastore() == 0
    row = _table_row(release["resources"][0]["id"])
    assert row.status == "skipped" and "validation" in (row.error or "")
    response = catalogue.client.get(f"/api/v1/datastore/{release['resources'][0]['id']}")
    assert response.status_code == 404


def test_a_workbook_is_loaded_typed(catalogue: Catalogue, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["kecamatan", "tanggal", "jumlah", "rasio"])
    sheet.append(["Pontianak Kota", "31/12/2024", 1250, 0.5])
    sheet.append(["Pontianak Utara", "30/06/2024", 980, 1.25])
    path = tmp_path / "penduduk.xlsx"
    book.save(path)
    schema = {
        "fields": [
            {"name": "kecamatan", "type": "string"},
            {"name": "tanggal", "type": "date", "format": "%d/%m/%Y"},
            {"name": "jumlah", "type": "integer"},
            {"name": "rasio", "type": "number"},
        ]
    }
    release = catalogue.upload(
        catalogue.dinkes, SLUG, path.read_bytes(), name="penduduk.xlsx", schema=json.dumps(schema)
    )
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    assert catalogue.act(catalogue.walidata, release["id"], "approve").status_code == 200
    assert sync_datastore() == 1
    body = catalogue.client.get(f"/api/v1/datastore/{release['resources'][0]['id']}", params={"sort": "jumlah"}).json()
    assert body["records"] == [
        {"_id": 2, "kecamatan": "Pontianak Utara", "tanggal": "2024-06-30", "jumlah": 980, "rasio": 1.25},
        {"_id": 1, "kecamatan": "Pontianak Kota", "tanggal": "2024-12-31", "jumlah": 1250, "rasio": 0.5},
    ]


def test_an_inferred_schema_types_the_table(catalogue: Catalogue) -> None:
    release = catalogue.publish("disdukcapil-penduduk")
    assert sync_datastore() == 1
    body = catalogue.client.get(
        f"/api/v1/datastore/{release['resources'][0]['id']}", params={"sort": "laki_laki desc"}
    ).json()
    types = {f["name"]: f["type"] for f in body["fields"]}
    assert types["laki_laki"] == "integer"
    assert body["records"][0]["laki_laki"] == 68011
