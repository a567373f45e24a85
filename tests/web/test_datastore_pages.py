"""The dataset page reads its preview, chart and table downloads from the datastore once the table is loaded."""

import csv
import io
import json

import duckdb
import httpx
import openpyxl
import pytest

from catalog.datastore.columns import Column
from catalog.datastore.engine import parquet_path
from catalog.datastore.tables import PublishedTable
from catalog.models import Resource
from catalog.web.i18n import set_locale
from catalog.web.table_view import PAGE_ROWS, datastore_chart, datastore_preview
from tests.web.conftest import Site


@pytest.fixture(scope="module")
def http(site: Site) -> httpx.Client:
    with site.client() as client:
        yield client


def download_links(html: str) -> dict[str, str]:
    """Each download button's visible label → its address."""
    links = {}
    for line in html.split("<a ")[1:]:
        if " download>" in line.split(">")[0] + ">":
            href = line.split('href="')[1].split('"')[0].replace("&amp;", "&")
            links[line.split(">", 1)[1].split("<")[0]] = href
    return links


def file_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_loaded_table_offers_the_original_and_the_datastore_exports(http: httpx.Client, site: Site) -> None:
    links = download_links(http.get("/dataset/jumlah-penduduk-kecamatan").text)
    assert set(links) == {"Unduh", "CSV", "JSON", "XLSX"}
    original = file_rows(site.files["jumlah-penduduk-kecamatan"])
    assert http.get(links["Unduh"]).content == site.files["jumlah-penduduk-kecamatan"]

    exported = file_rows(http.get(links["CSV"]).content)
    assert exported[0] == ["_id", *original[0]]
    assert [row[1:] for row in exported[1:]] == original[1:]

    response = http.get(links["JSON"])
    assert response.headers["content-disposition"].startswith("attachment")
    records = json.loads(response.content)
    assert (
        len(records) == 6 and records[0]["jumlah"] == int(original[1][5]) and records[0]["kecamatan"] == original[1][2]
    )

    book = openpyxl.load_workbook(io.BytesIO(http.get(links["XLSX"]).content), read_only=True)
    sheet_rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert sheet_rows[0] == ["_id", *original[0]] and len(sheet_rows) == 7
    assert sheet_rows[6][6] == int(original[6][5])


def test_table_exports_neutralise_formulas_and_keep_the_original(http: httpx.Client, site: Site) -> None:
    links = download_links(http.get("/dataset/uji-keamanan").text)
    assert http.get(links["Unduh"]).content == site.files["uji-keamanan"]  # the original keeps its bytes
    cells = [row[3] for row in file_rows(http.get(links["CSV"]).content)[1:]]
    assert cells == ["'=1+2", "'@SUM(1)"]
    book = openpyxl.load_workbook(io.BytesIO(http.get(links["XLSX"]).content), read_only=True)
    assert [r[3] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["'=1+2", "'@SUM(1)"]


def test_a_table_not_loaded_yet_keeps_the_file_preview_and_only_the_original(http: httpx.Client) -> None:
    html = http.get("/dataset/proyeksi-penduduk").text
    assert set(download_links(html)) == {"Unduh"}
    assert "<polyline" in html and "/api/v1/datastore/" not in html  # chart and preview from the stored file
    assert "687.900" in html


def test_preview_and_chart_come_from_the_datastore(http: httpx.Client, site: Site) -> None:
    resource_id = site.tables["jumlah-penduduk-kecamatan"]
    html = http.get("/dataset/jumlah-penduduk-kecamatan", params={"urut": "perempuan"}).text
    assert f'href="/api/v1/datastore/{resource_id}"' in html
    original = file_rows(site.files["jumlah-penduduk-kecamatan"])[1:]
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    first = min(original, key=lambda r: int(r[4]))
    assert body.split("</tr>")[0].count("<td") == 6 and f"<td>{first[2]}</td>" in body.split("</tr>")[0]
    chart = html.split('class="chart"')[1].split("</svg>")[0]
    assert chart.count("<rect") == 6
    biggest = max(original, key=lambda r: int(r[5]))
    assert chart.split('class="label">')[1].startswith(biggest[2])  # bars by size, the biggest first
    assert "Total jumlah per kecamatan" in html and "(2024)" in html
    other = http.get("/dataset/jumlah-penduduk-kecamatan", params={"kolom": "perempuan"}).text
    assert "Total perempuan per kecamatan" in other


def test_datastore_preview_pages_and_sorts_the_whole_table(site: Site) -> None:
    """A 45-row table with two periods: pages of 20 read by DuckDB, a sort over every row, the latest period's bars."""
    path = parquet_path(990_001)
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT i::BIGINT AS _id, (DATE '2024-01-01' + INTERVAL (i // 23) YEAR)::DATE AS tanggal, "
            "'Kec ' || (i % 5)::VARCHAR AS kecamatan, (i * 10)::BIGINT AS kasus, i / 4 AS rasio "
            f"FROM range(45) t(i)) TO '{path}' (FORMAT parquet)"
        )
    columns = [
        Column("tanggal", "date", "DATE"),
        Column("kecamatan", "string", "VARCHAR"),
        Column("kasus", "integer", "BIGINT"),
        Column("rasio", "number", "DOUBLE"),
    ]
    table = PublishedTable(990_001, 1, 1, "uji", "kasus.csv", 45, columns, True)
    resource = Resource(id=990_001, release_id=1, name="kasus.csv")
    set_locale("id")
    third = datastore_preview(table, resource, sort=None, descending=False, page=3)
    assert (third.page, third.pages, third.total) == (3, 3, 45) and len(third.rows) == 45 - 2 * PAGE_ROWS
    assert third.rows[0] == ["2025-01-01", "Kec 0", "400", "10"]
    assert third.numeric == ["kasus", "rasio"]
    top = datastore_preview(table, resource, sort="kasus", descending=True, page=1)
    assert top.rows[0][2] == "440" and top.sort == "kasus"
    assert datastore_preview(table, resource, sort="nope", descending=False, page=99).page == 3
    assert datastore_preview(table, resource, sort=None, descending=False, page=1).rows[1][3] == "0,25"

    chart = datastore_chart(table, top.numeric, None)
    assert chart is not None and chart.kind == "bar" and chart.period == "2025-01-01" and chart.value == "kasus"
    latest = range(23, 45)
    expected = {f"Kec {k}": float(sum(i * 10 for i in latest if i % 5 == k)) for k in range(5)}
    assert dict(chart.points) == expected and chart.points[0][1] == max(expected.values())
    path.unlink()
