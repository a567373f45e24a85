"""CSV, XLSX and Parquet exports: the query's rows, formula cells neutralised in spreadsheets, the original intact."""

import csv
import io
import json
from pathlib import Path

import duckdb
import openpyxl

from tests.datastore.conftest import DBD_CSV, Published


def test_csv_export_neutralises_formulas_and_keeps_numbers(published: Published) -> None:
    response = published.get(f"/api/v1/datastore/{published.resource_id}", format="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert 'rel="original"' in response.headers["link"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == 12
    notes = [row["catatan"] for row in table]
    assert '\'=HYPERLINK("http://127.0.0.1/x","klik")' in notes
    assert "'+62 561 123" in notes and "'-tanpa catatan" in notes and "'@admin" in notes
    assert not any(note[:1] in "=+-@" for note in notes if note)
    assert table[0]["insiden"] == "1234.5" and table[0]["tanggal"] == "2024-01-31"


def test_original_bytes_stay_downloadable(published: Published) -> None:
    original = published.catalogue.client.get(
        f"/api/v1/releases/{published.release['id']}/resources/{published.resource_id}/download"
    )
    assert original.content == DBD_CSV.encode()


def test_csv_export_of_a_filtered_sorted_query(published: Published) -> None:
    response = published.get(
        f"/api/v1/datastore/{published.resource_id}",
        format="csv",
        fields="kelurahan,kasus",
        filters=json.dumps({"rawat_inap": True}),
        sort="kasus desc",
        limit=2,
    )
    assert response.text.splitlines() == ["kelurahan,kasus", "Sungai Jawi Dalam,21", "Sungai Bangkong,18"]


def test_group_by_exports_as_csv(published: Published) -> None:
    response = published.get(
        f"/api/v1/datastore/{published.resource_id}", format="csv", group_by="rawat_inap", aggregate="sum:kasus"
    )
    assert response.text.splitlines() == ["rawat_inap,sum_kasus", "false,14", "true,87"]


def test_xlsx_export_is_typed_and_neutralised(published: Published, tmp_path: Path) -> None:
    response = published.get(f"/api/v1/datastore/{published.resource_id}", format="xlsx")
    assert response.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:6] == ("_id", "kode_kelurahan", "kelurahan", "kecamatan", "tanggal", "kasus")
    assert values[1][5] == 12 and values[1][6] == 1234.5 and values[1][4].year == 2024
    assert values[2][8].startswith("'=HYPERLINK")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_parquet_export_keeps_the_types(published: Published, tmp_path: Path) -> None:
    response = published.get(f"/api/v1/datastore/{published.resource_id}", format="parquet")
    assert response.status_code == 200
    path = tmp_path / "export.parquet"
    path.write_bytes(response.content)
    with duckdb.connect() as con:
        described = dict(
            con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()[i][:2] for i in range(9)
        )
        assert described["kasus"] == "BIGINT" and described["tanggal"] == "DATE"
        row = con.execute(f"SELECT catatan FROM read_parquet('{path}') WHERE _id = 2").fetchone()
    # Parquet is for programs, not spreadsheets: the text is exactly the source's.
    assert row == ('=HYPERLINK("http://127.0.0.1/x","klik")',)


def test_export_errors_are_json(published: Published) -> None:
    response = published.get(f"/api/v1/datastore/{published.resource_id}", format="csv", sort="nope")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_query"
    assert published.get(f"/api/v1/datastore/{published.resource_id}", format="pdf").status_code == 422


def test_json_download_is_every_row_as_typed_records(published: Published) -> None:
    response = published.get(f"/api/v1/datastore/{published.resource_id}", format="json", download="true")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    disposition = response.headers["content-disposition"]
    assert "attachment" in disposition and disposition.endswith('.json"')
    records = response.json()
    assert isinstance(records, list) and len(records) == 12
    assert records[0]["kasus"] == 12 and records[0]["insiden"] == 1234.5 and records[0]["tanggal"] == "2024-01-31"
    assert records[1]["catatan"] == '=HYPERLINK("http://127.0.0.1/x","klik")'  # JSON is for programs: exact text
    filtered = published.get(
        f"/api/v1/datastore/{published.resource_id}", format="json", download="true", fields="kasus", limit=2
    )
    assert filtered.json() == [{"kasus": 12}, {"kasus": records[1]["kasus"]}]
    paged = published.get(f"/api/v1/datastore/{published.resource_id}", format="json")
    assert paged.json()["total"] == 12  # without download, the query answer as before
