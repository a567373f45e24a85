"""Indonesian files as they arrive: read correctly by both validators, or reported clearly."""

from __future__ import annotations

import csv
from pathlib import Path

import frictionless
import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.sniff import Detector, Dialect, frictionless_resource, sniff_dialect
from schemas.validation import validate_file
from tests.schemas.parity import assert_same_errors, write

APBD = {
    "fields": [
        {"name": "uraian", "type": "string"},
        {"name": "anggaran", "type": "number", "groupChar": ".", "decimalChar": ","},
        {"name": "tanggal", "type": "date", "format": "%d/%m/%Y"},
    ]
}


def test_excel_export_with_semicolons_and_windows_1252(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "uraian;anggaran;tanggal\nBelanja pegawai – gaji;1.234.567,89;31/12/2024\nBelanja modal;12.5;31-12-2024\n",
        encoding="cp1252",
    )
    dialect = sniff_dialect(path)
    assert (dialect.encoding, dialect.delimiter) == ("cp1252", ";")
    report = assert_same_errors(path, APBD)
    errors = report["tasks"][0]["errors"]
    # frictionless drops every groupChar before reading, so "12.5" is read as 125 (docs/validation.md).
    assert [(e["rowNumber"], e["fieldName"]) for e in errors] == [(3, "tanggal")]
    assert report["tasks"][0]["labels"] == ["uraian", "anggaran", "tanggal"]


def test_utf8_with_bom_keeps_the_first_label_clean(tmp_path: Path) -> None:
    path = write(tmp_path, 'uraian,anggaran,tanggal\nBelanja,"1.000,5",01/01/2024\n', encoding="utf-8-sig")
    assert sniff_dialect(path).encoding == "utf-8-sig"
    report = assert_same_errors(path, APBD)
    assert report["valid"]
    assert report["tasks"][0]["labels"][0] == "uraian"


def test_title_row_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Realisasi APBD Kota Pontianak 2024;;\nuraian;anggaran;tanggal\nBelanja;1.000;01/01/2024\nModal;x;01/01/2024\n",
    )
    assert sniff_dialect(path).header_row == 2
    report = assert_same_errors(path, APBD)
    assert [(e["rowNumber"], e["type"]) for e in report["tasks"][0]["errors"]] == [(4, "type-error")]


def test_single_column_file_keeps_its_first_row_as_header(tmp_path: Path) -> None:
    assert sniff_dialect(write(tmp_path, "a\n1\n2,3\n")).header_row == 1


def test_xlsx_with_title_row_and_merged_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Penduduk per kecamatan"])
    sheet.append(["kecamatan", "tahun", "jumlah"])
    sheet.append(["Pontianak Kota", 2024, 120000])
    sheet.append([None, 2023, 118000])
    sheet.merge_cells("A3:A4")
    sheet.append(["Pontianak Barat", 2024, "seratus"])
    path = tmp_path / "penduduk.xlsx"
    workbook.save(path)
    schema = {
        "fields": [
            {"name": "kecamatan", "type": "string", "constraints": {"required": True}},
            {"name": "tahun", "type": "year"},
            {"name": "jumlah", "type": "integer"},
        ]
    }
    report = validate_file(path, schema)
    errors = [(e["rowNumber"], e["type"], e.get("fieldName")) for e in report["tasks"][0]["errors"]]
    # The merged kecamatan fills both rows (no required error on row 4); the word in a number column is reported.
    assert errors == [(5, "type-error", "jumlah")]
    stored = tmp_path / "0f3a9c"  # the file store keeps files by hash, with no extension
    stored.write_bytes(path.read_bytes())
    assert sniff_dialect(stored, "xlsx").header_row == 2


def test_an_unreadable_workbook_is_a_format_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04 bukan workbook")
    report = validate_file(path)
    assert not report["valid"]
    assert [e["type"] for e in report["tasks"][0]["errors"]] == ["format-error"]


def test_inferred_schema_is_flagged(tmp_path: Path) -> None:
    report = validate_file(write(tmp_path, "a,b\n1,x\n"))
    assert report["tasks"][0]["warnings"] == ["schema inferred"]
    assert report["stats"]["warnings"] == 1


CELLS = [
    "1",
    "-7",
    "2024",
    "3.5",
    "1.234,5",
    "2024-01-31",
    "31/12/2024",
    "2024-01-31T10:00:00",
    "10:30:00",
    "true",
    "False",
    "yes",
    "",
    "NA",
    "Pontianak",
    "[1, 2]",
    '{"a": 1}',
    "P1D",
    "109.3, -0.03",
    "2024-02",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    labels=st.lists(st.sampled_from(["kode", "nama", "", "nilai", "kode"]), min_size=1, max_size=4),
    rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=0, max_size=5), min_size=0, max_size=12),
)
def test_schema_detection_infers_what_frictionless_infers(
    tmp_path: Path, labels: list[str], rows: list[list[str]]
) -> None:
    """Terbuka's detector caches frictionless's candidate fields; the schemas it infers must not change."""
    with (tmp_path / "data.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([labels, *rows])
    ours = frictionless_resource(tmp_path / "data.csv", dialect=Dialect())
    reference = frictionless_resource(tmp_path / "data.csv", dialect=Dialect())
    reference.detector = frictionless.Detector()
    assert isinstance(ours.detector, Detector)
    ours.infer()
    reference.infer()
    assert ours.schema.to_descriptor() == reference.schema.to_descriptor()


def test_the_header_of_a_named_sheet_is_found_below_a_title_and_an_empty_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "Sampul"
    cover["A1"] = "Dinas Kesehatan Kota Pontianak"
    data = workbook.create_sheet("Data")
    data["A1"] = "Daftar Puskesmas 2024"
    for row in (["nama", "kecamatan"], ["Puskesmas Kampung Bali", "Pontianak Timur"]):
        data.append([])
        data.append(row)
    path = tmp_path / "puskesmas.xlsx"
    workbook.save(path)
    assert sniff_dialect(path).header_row == 1
    assert sniff_dialect(path, sheet="Data").header_row == 3
    report = assert_same_errors(
        path,
        {"fields": [{"name": "nama", "type": "string"}, {"name": "kecamatan", "type": "string"}]},
        dialect={"sheet": "Data"},
    )
    assert report["tasks"][0]["labels"] == ["nama", "kecamatan"]
