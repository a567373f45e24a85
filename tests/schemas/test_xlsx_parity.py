"""Real workbooks written with openpyxl: the XLSX fast path must report what frictionless reports."""

from __future__ import annotations

import re
import tempfile
import zipfile
from datetime import datetime, time
from pathlib import Path
from typing import Any

import frictionless
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.styles import Font

from schemas import validation
from schemas.fastpath.engine import Unsupported
from schemas.fastpath.worksheet import ParsedRows, PlainXmlError, RowScanner, open_sheet
from schemas.fastpath.xlsx import validate_xlsx
from schemas.sniff import sniff_dialect
from schemas.validation import validate_file
from tests.schemas.parity import assert_same_errors, error_keys

Rows = list[list[Any]]


def workbook(path: Path, rows: Rows, *, sheet: str = "Sheet", before: dict[str, Rows] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, other in (before or {}).items():
        earlier = book.create_sheet(name)
        for row in other:
            earlier.append(row)
    ws = book.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def raw_numbers(path: Path, replacements: dict[str, str]) -> Path:
    """Rewrite numbers in the sheet's XML (openpyxl writes 5.0 as ``5``; other writers keep ``5.0``)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            text = parts[name].decode()
            for old, new in replacements.items():
                text = text.replace(f"<v>{old}</v>", f"<v>{new}</v>")
            parts[name] = text.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def fast_task(path: Path, schema: dict[str, Any], **dialect: Any) -> dict[str, Any]:
    """The fast path's own task, raising ``Unsupported`` rather than falling back."""
    return validate_xlsx(path, frictionless.Schema.from_descriptor(schema), sniff_dialect(path, **dialect))


def without_timing(task: dict[str, Any]) -> dict[str, Any]:
    # Warnings are validate_file's (schema inferred, reading aids applied), not the fast path's.
    stats = {k: v for k, v in task["stats"].items() if k not in ("seconds", "warnings")}
    return {**{k: v for k, v in task.items() if k not in ("stats", "errors", "warnings")}, "stats": stats}


def assert_xlsx_parity(path: Path, schema: dict[str, Any], **dialect: Any) -> dict[str, Any]:
    """Same errors, labels, name, place, rows and file stats, through the fast path itself (no fallback)."""
    reference = assert_same_errors(path, schema, dialect=dialect or None)
    fast = fast_task(path, schema, **dialect)
    assert without_timing(fast) == without_timing(reference["tasks"][0])
    return reference


def fields(*specs: tuple[str, str], **options: Any) -> dict[str, Any]:
    return {"fields": [{"name": name, "type": kind} for name, kind in specs], **options}


def test_clean_workbook_of_every_type(tmp_path: Path) -> None:
    schema = fields(
        ("id", "integer"),
        ("nama", "string"),
        ("nilai", "number"),
        ("tanggal", "date"),
        ("aktif", "boolean"),
        ("tahun", "year"),
    )
    rows = [
        ["id", "nama", "nilai", "tanggal", "aktif", "tahun"],
        [1, "Ani", 1.5, datetime(2024, 12, 31), True, 2024],
        [2, "Budi", 2, "2024-01-02", "false", "2023"],
        ["3", "Citra", "3.25", datetime(2020, 2, 29), False, 1999],
    ]
    report = assert_xlsx_parity(workbook(tmp_path / "bersih.xlsx", rows), schema)
    assert report["valid"]


def test_integers_stored_as_numbers_and_as_text(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "n", "type": "integer", "constraints": {"minimum": 0, "unique": True}},
            {"name": "s", "type": "string"},
        ]
    }
    rows = [
        ["n", "s"],
        [1, "a"],
        ["2", "b"],
        [" 3 ", "c"],
        ["007", "d"],
        [5.5, "e"],
        [True, "f"],
        [-4, "g"],
        ["x", "h"],
        [datetime(2024, 1, 1), "i"],
        [777001, "j"],
        [1, "k"],
        [10**20, "l"],
        [None, "m"],
    ]
    path = raw_numbers(workbook(tmp_path / "angka.xlsx", rows), {"777001": "8.0"})
    report = assert_xlsx_parity(path, schema)
    keys = error_keys(report)
    assert {("type-error", 6, "n"), ("type-error", 7, "n"), ("type-error", 10, "n")} <= keys
    assert ("constraint-error", 8, "n") in keys and ("unique-error", 12, "n") in keys
    assert not [e for e in report["tasks"][0]["errors"] if e["rowNumber"] in (11, 13)]


def test_a_float_printed_in_a_reported_row_stays_as_frictionless_prints_it(tmp_path: Path) -> None:
    schema = fields(("n", "integer"), ("m", "integer"))
    path = raw_numbers(workbook(tmp_path / "float.xlsx", [["n", "m"], [777001, "x"]]), {"777001": "5.0"})
    report = assert_xlsx_parity(path, schema)
    assert report["tasks"][0]["errors"][0]["cells"] == ["5.0", "x"]


def test_floats_and_numbers(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "x", "type": "number", "constraints": {"maximum": 100}},
            {"name": "y", "type": "number", "bareNumber": False},
        ]
    }
    rows = [
        ["x", "y"],
        [1.5, "Rp 5"],
        [2, 3.25],
        ["3.25", "12 %"],
        [1e-05, 0.1],
        ["abc", "x"],
        [True, False],
        [datetime(2024, 1, 1), 7],
        [100.5, -2.5],
        [None, 1e20],
    ]
    assert_xlsx_parity(workbook(tmp_path / "pecahan.xlsx", rows), schema)


def test_indonesian_numbers_as_text_and_as_numbers(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {
                "name": "anggaran",
                "type": "number",
                "groupChar": ".",
                "decimalChar": ",",
                "constraints": {"minimum": 0, "maximum": 2000000},
            }
        ]
    }
    rows = [
        ["anggaran"],
        ["1.234.567,89"],
        ["1234567,89"],
        [1234.5],
        [1234567],
        ["1.5"],
        [-3.25],
        ["Rp 5"],
        [2000001.5],
        ["2.000.001"],
    ]
    report = assert_xlsx_parity(workbook(tmp_path / "apbd.xlsx", rows), schema)
    rows_with_errors = {e["rowNumber"] for e in report["tasks"][0]["errors"]}
    # frictionless reads "1.5" as 15: the dot groups digits.
    assert rows_with_errors == {7, 8, 9, 10}


def test_dates_stored_as_excel_dates_and_as_text(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "tgl", "type": "date", "format": "%d/%m/%Y", "constraints": {"minimum": "01/01/2020"}},
            {"name": "iso", "type": "date", "constraints": {"unique": True}},
            {"name": "n", "type": "integer"},
        ]
    }
    rows = [
        ["tgl", "iso", "n"],
        [datetime(2024, 12, 31), datetime(2024, 12, 31), 1],
        ["31/12/2024", "2024-12-31", "x"],
        ["2024-12-31", "31/12/2024", 2],
        [datetime(2019, 1, 1), datetime(2024, 1, 1, 10, 30), 3],
        ["30/02/2024", 45000, "y"],
        [time(10, 0), True, 4],
    ]
    report = assert_xlsx_parity(workbook(tmp_path / "tanggal.xlsx", rows), schema)
    row_three = next(e for e in report["tasks"][0]["errors"] if e["rowNumber"] == 3)
    assert row_three["cells"] == ["31/12/2024", "2024-12-31", "x"]
    row_two = [e for e in report["tasks"][0]["errors"] if e["rowNumber"] == 2]
    assert not row_two
    unique = next(e for e in report["tasks"][0]["errors"] if e["type"] == "unique-error")
    assert unique["rowNumber"] == 3 and unique["cell"] == "2024-12-31"
    early = next(e for e in report["tasks"][0]["errors"] if e["rowNumber"] == 5 and e["fieldName"] == "tgl")
    assert early["cell"] == "2019-01-01 00:00:00" and early["cells"][1] == "2024-01-01 10:30:00"


def test_booleans(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "b", "type": "boolean", "trueValues": ["ya"], "falseValues": ["tidak"]},
            {"name": "c", "type": "boolean", "constraints": {"enum": [True]}},
        ]
    }
    rows = [["b", "c"], [True, True], ["ya", "true"], ["tidak", False], [1, 1], ["True", "1"], [0, "0"], [None, 2.5]]
    assert_xlsx_parity(workbook(tmp_path / "boolean.xlsx", rows), schema)


def test_a_title_row_above_the_header(tmp_path: Path) -> None:
    schema = fields(("kecamatan", "string"), ("penduduk", "integer"))
    rows = [
        ["Jumlah Penduduk Kota Pontianak 2024"],
        ["kecamatan", "penduduk"],
        ["Pontianak Kota", 130000],
        ["Pontianak Barat", "banyak"],
    ]
    path = workbook(tmp_path / "judul.xlsx", rows)
    assert sniff_dialect(path).header_row == 2
    report = assert_xlsx_parity(path, schema)
    assert error_keys(report) == {("type-error", 4, "penduduk")}
    assert report["tasks"][0]["warnings"] == ["header read from row 2: the rows above it were taken for a title"]


def test_empty_trailing_rows_and_columns(tmp_path: Path) -> None:
    schema = fields(("kode", "string"), ("jumlah", "integer"))
    path = tmp_path / "ekor.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    for row in [["kode", "jumlah"], ["61.71", 1], ["61.72", "x"]]:
        ws.append(row)
    for cell in ("D1", "E2", "A8", "F9"):
        ws[cell].font = Font(bold=True)
    book.save(path)
    report = assert_xlsx_parity(path, schema)
    keys = error_keys(report)
    assert ("extra-label", 0, "") in keys and ("blank-row", 9, "") in keys
    assert report["tasks"][0]["labels"] == ["kode", "jumlah", "", "", "", ""]


def test_a_column_beyond_the_schema(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "kode", "type": "string"},
            {"name": "jumlah", "type": "integer", "constraints": {"required": True}},
        ]
    }
    rows = [["kode", "jumlah", "keterangan"], ["61.71", 1, "ok"], ["61.72", None, 5.0], ["61.73", "x", None]]
    report = assert_xlsx_parity(workbook(tmp_path / "keterangan.xlsx", rows), schema)
    required = next(e for e in report["tasks"][0]["errors"] if e["type"] == "constraint-error")
    assert required["cell"] == "None" and required["cells"] == ["61.72", "", "5"]


def test_blank_rows_in_the_middle(tmp_path: Path) -> None:
    schema = fields(("a", "integer"), ("b", "string"))
    path = tmp_path / "kosong.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["a", "b"])
    ws.append([1, "x"])
    ws.append([None, None])
    ws["A6"] = 2
    ws["B6"] = "y"
    ws["B7"] = ""
    ws["A9"] = "z"
    book.save(path)
    report = assert_xlsx_parity(path, schema)
    assert {("blank-row", n, "") for n in (3, 4, 5, 7, 8)} <= error_keys(report)


def test_merged_cells_are_filled_with_their_top_left_value(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "kecamatan", "type": "string", "constraints": {"required": True}},
            {"name": "kelurahan", "type": "string"},
            {"name": "penduduk", "type": "integer"},
        ]
    }
    path = tmp_path / "gabung.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Penduduk per kelurahan"])
    ws.append(["kecamatan", "kelurahan", "penduduk"])
    ws.append(["Pontianak Kota", "Darat Sekip", 10])
    ws.append([None, "Tengah", "x"])
    ws.append([None, "Mariana", 12])
    ws.append(["Pontianak Barat", "Sungai Beliung", 30])
    ws.append([None, None, None])
    ws.merge_cells("A1:C1")
    ws.merge_cells("A3:A5")
    ws.merge_cells("A7:C8")
    book.save(path)
    report = assert_xlsx_parity(path, schema)
    typed = next(e for e in report["tasks"][0]["errors"] if e["rowNumber"] == 4)
    assert typed["cells"] == ["Pontianak Kota", "Tengah", "x"]


def test_a_formula_cell_is_read_as_its_cached_value(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "a", "type": "integer"},
            {"name": "total", "type": "integer", "constraints": {"required": True}},
        ]
    }
    rows = [["a", "total"], [1, "=A2*2"], [2, 4]]
    report = assert_xlsx_parity(workbook(tmp_path / "rumus.xlsx", rows), schema)
    assert error_keys(report) == {("constraint-error", 2, "total")}


def test_a_sheet_selected_by_name(tmp_path: Path) -> None:
    schema = fields(("id", "integer"))
    path = workbook(
        tmp_path / "lembar.xlsx",
        [["id"], [1], ["dua"]],
        sheet="Data",
        before={"Catatan": [["Sumber: Dinkes"], ["tidak", "ada", "id"]]},
    )
    report = assert_xlsx_parity(path, schema, sheet="Data")
    assert error_keys(report) == {("type-error", 3, "id")}


def test_missing_values_without_the_empty_string(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "n", "type": "integer", "constraints": {"required": True}},
            {"name": "s", "type": "string"},
        ],
        "missingValues": ["-"],
    }
    rows = [["n", "s"], [None, "a"], ["-", "b"], ["", "c"], [1, None]]
    assert_xlsx_parity(workbook(tmp_path / "strip.xlsx", rows), schema)


def test_a_short_row_with_a_changed_cell(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "n", "type": "integer"},
            {"name": "s", "type": "string", "constraints": {"required": True}},
        ],
        "missingValues": ["-"],
    }
    path = raw_numbers(workbook(tmp_path / "pendek.xlsx", [["n", "s"], [777001], [2, "b"]]), {"777001": "1.0"})
    report = assert_xlsx_parity(path, schema)
    assert report["tasks"][0]["errors"][0]["cells"] == ["1.0", ""]


def test_strings_with_csv_and_xml_special_characters(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "nama", "type": "string", "constraints": {"pattern": "[A-Za-z ]+"}},
            {"name": "n", "type": "integer"},
        ]
    }
    rows = [
        ["nama", "n"],
        ['Toko "Maju", Jaya', 1],
        ["baris\r\nkedua", "x"],
        ["A & B <C>", 2],
        ["  spasi ", 3],
        ["Pasar Flamboyan", "y"],
        ["\u00e9t\u00e9 \u65e5\t;", 4],
    ]
    report = assert_xlsx_parity(workbook(tmp_path / "tanda.xlsx", rows), schema)
    cells = {e["rowNumber"]: e["cells"] for e in report["tasks"][0]["errors"]}
    assert cells[2] == ['Toko "Maju", Jaya', "1"] and cells[3] == ["baris\nkedua", "x"]


def test_error_limit_counts_the_extra_labels(tmp_path: Path) -> None:
    schema = fields(("n", "integer"))
    rows = [["n", "lain"], ["x", 1], ["y", 2], ["z", 3]]
    path = workbook(tmp_path / "batas.xlsx", rows)
    reference = validate_file(path, schema, engine="frictionless", limit_errors=2)
    assert [e["type"] for e in reference["tasks"][0]["errors"]] == ["extra-label", "type-error"]
    fast = validate_xlsx(path, frictionless.Schema.from_descriptor(schema), sniff_dialect(path), limit_errors=2)
    assert fast["errors"] == reference["tasks"][0]["errors"]


def test_a_sheet_with_comments_falls_back(tmp_path: Path) -> None:
    schema = fields(("n", "integer"))
    path = tmp_path / "komentar.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    for row in [["n"], [1], ["x"]]:
        ws.append(row)
    ws["B9"].comment = Comment("periksa lagi", "walidata")
    book.save(path)
    with pytest.raises(Unsupported):
        fast_task(path, schema)
    reference = assert_same_errors(path, schema)
    assert ("blank-row", 9, "") in error_keys(reference)


def test_numbers_in_a_string_field_fall_back_to_frictionless(tmp_path: Path) -> None:
    schema = fields(("kode", "string"), ("n", "integer"))
    path = workbook(tmp_path / "kode.xlsx", [["kode", "n"], ["6171", 1], [6171, 2], ["61.71", "x"]])
    with pytest.raises(Unsupported):
        fast_task(path, schema)
    reference = assert_same_errors(path, schema)
    fast = validate_file(path, schema, engine="fast")
    assert without_timing(fast["tasks"][0]) == without_timing(reference["tasks"][0])
    assert ("type-error", 3, "kode") in error_keys(reference)


def test_a_row_blank_only_in_the_schema_s_fields_falls_back(tmp_path: Path) -> None:
    schema = fields(("a", "integer"))
    path = workbook(tmp_path / "catatan.xlsx", [["a", "catatan"], [1, None], [None, "lihat lampiran"]])
    with pytest.raises(Unsupported):
        fast_task(path, schema)
    assert_same_errors(path, schema)


def test_large_workbooks_take_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def spy(path: Path, *args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(path)
        return validate_xlsx(path, *args, **kwargs)

    monkeypatch.setattr(validation, "validate_xlsx", spy)
    monkeypatch.setattr(validation, "FAST_PATH_BYTES", 1)
    path = workbook(tmp_path / "besar.xlsx", [["id"], [1], ["x"]])
    report = validate_file(path, fields(("id", "integer")))
    assert calls == [path] and error_keys(report) == {("type-error", 3, "id")}
    validate_file(path)
    assert calls == [path]


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 130),
    st.sampled_from([0.5, 1.25, -2.5, 1e-05, 1234.5, 100.0]),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 12, 31)).map(
        lambda d: d.replace(microsecond=0, second=0, minute=0, hour=d.hour % 2 * 9)
    ),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "-1",
            "007",
            "1.5",
            "1,5",
            "1.234.567,89",
            "abc",
            "true",
            "ya",
            "tidak",
            "2024-12-31",
            "31/12/2024",
            "30/02/2024",
            "NA",
            "-",
            "2024",
            " 7",
        ]
    ),
    st.text(alphabet="aZ 0,;\"'&<>\r\n\t\u00e9\u65e5", max_size=6),
)
FIELDS = st.sampled_from(
    [
        {"type": "integer"},
        {"type": "integer", "constraints": {"minimum": 0, "maximum": 120, "unique": True}},
        {"type": "number"},
        {"type": "number", "groupChar": ".", "decimalChar": ",", "constraints": {"minimum": 0}},
        {"type": "boolean", "trueValues": ["ya"], "falseValues": ["tidak"]},
        {"type": "boolean"},
        {"type": "date", "constraints": {"unique": True}},
        {"type": "date", "format": "%d/%m/%Y", "constraints": {"required": True}},
        {"type": "year"},
        {"type": "string"},
        {"type": "string", "constraints": {"required": True, "pattern": "[a-z ]*", "unique": True}},
    ]
)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[dict[str, Any], Rows]:
    kinds = draw(st.lists(FIELDS, min_size=1, max_size=3))
    descriptor: dict[str, Any] = {"fields": [{"name": f"f{i}", **f} for i, f in enumerate(kinds)]}
    if draw(st.booleans()):
        descriptor["missingValues"] = ["", "-", "NA"]
    rows = draw(st.lists(st.lists(VALUES, min_size=len(kinds), max_size=len(kinds) + 1), max_size=8))
    return descriptor, [[f"f{i}" for i in range(len(kinds))], *rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_generated_workbooks_get_frictionless_s_report(table: tuple[dict[str, Any], Rows]) -> None:
    schema, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        path = workbook(Path(tmp) / "acak.xlsx", rows)
        reference = assert_same_errors(path, schema, dialect={"header_row": 1})
        try:
            fast = fast_task(path, schema, header_row=1)
        except Unsupported as exc:
            assert re.search(r"cell|blank", str(exc))
        else:
            assert without_timing(fast) == without_timing(reference["tasks"][0])


SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = OFFICE_RELS + "/hyperlink"


def handmade(
    path: Path, sheet_data: str, shared: list[str], tail: str = "", links: dict[str, str] | None = None
) -> Path:
    """A workbook whose rows are ``sheet_data`` as written, with shared strings (style 1 is a date).

    ``links`` are the sheet's external hyperlink relationships, by id.
    """
    openpyxl_book = openpyxl.Workbook()
    openpyxl_book.active.append(["x", datetime(2024, 1, 1)])
    openpyxl_book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start, end = sheet.index("<sheetData>"), sheet.index("</sheetData>") + len("</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + sheet_data + sheet[end:].replace("</worksheet>", tail + "</worksheet>")
    ).encode()
    strings = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}" count="{len(shared)}">{strings}</sst>'.encode()
    if links:
        relations = "".join(
            f'<Relationship Id="{key}" Type="{HYPERLINK}" Target="{url}" TargetMode="External"/>'
            for key, url in links.items()
        )
        rels = f'<Relationships xmlns="{RELS}">{relations}</Relationships>'
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = rels.encode()
        root = f'<worksheet xmlns="{MAIN}"'
        sheet = parts["xl/worksheets/sheet1.xml"].decode().replace(root, f'{root} xmlns:r="{OFFICE_RELS}"', 1)
        parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}" /></Types>'
    ).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def both_readers(path: Path) -> tuple[list[Any], list[Any]]:
    book = open_sheet(path, 1)
    try:
        read = []
        for reader in (RowScanner(book), ParsedRows(book)):
            with book.reader.archive.open(book.part) as source:
                rows = [(n, [(type(v), v) for v in cells]) for n, cells in reader.rows(source)]
            read.append((rows, reader.merge_refs, [link[0] for link in reader.links]))
        return read[0], read[1]
    finally:
        book.close()


PLAIN_SHEET = (
    '<sheetData><row r="1" spans="1:4" ht="15"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
    '<row r="2"><c r="A2"><v>7</v></c><c r="B2" s="1"><v>45657</v></c><c r="C2" t="str"><v>a &amp; b &lt;c&gt;</v></c>'
    '<c r="D2" t="b"><v>1</v></c></row>\n  <row r="3"/>\n'
    '<row r="4"><c r="A4"><f>A2*2</f><v>14</v></c><c r="B4" t="e"><v>#N/A</v></c>'
    '<c r="C4" t="inlineStr"><is><t xml:space="preserve"> Jl. Gajah Mada&#10;No. 1 </t></is></c>'
    '<c r="D4" t="s"><v>4</v></c></row>'
    '<row r="6"><c r="A6" t="n"><v>1.5E3</v></c><c r="B6"><v/></c><c r="C6" s="1"/><c r="D6"><v>5.0</v></c></row>'
    '<row r="7"><c r="B7" t="inlineStr"><is><t>baris\r\ndua</t></is></c><c r="C7" t="s"><v>5</v></c></row>'
    '<row r="8"><c r="A8"><v>8</v></c><c r="C8" t="inlineStr"><is><t>satu&#13;dua</t></is></c>'
    '<c r="D8" t="inlineStr"><is><t>&#13;</t></is></c></row><row r="9">\n</row>'
    "</sheetData>"
)
PLAIN_STRINGS = ["id", "tanggal", "alamat", "aktif", "Pontianak &amp; sekitarnya", "  spasi  "]


def test_the_scanner_reads_what_openpyxl_reads(tmp_path: Path) -> None:
    path = handmade(
        tmp_path / "tangan.xlsx",
        PLAIN_SHEET,
        PLAIN_STRINGS,
        tail='<mergeCells count="1"><mergeCell ref="C6:D6"/></mergeCells>',
    )
    scanned, parsed = both_readers(path)
    assert scanned == parsed
    assert parsed[0][1][1][1] == (datetime, datetime(2024, 12, 31)) and parsed[1] == ["C6:D6"]
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "tanggal", "type": "date"},
            {"name": "alamat", "type": "string"},
            {"name": "aktif", "type": "boolean"},
        ]
    }
    assert_xlsx_parity(path, schema)


@pytest.mark.parametrize(
    "sheet_data",
    [
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c t="n" r="A2"><v>1</v></c></row>'
        "</sheetData>",
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><!-- catatan --><row r="2"><c r="A2"><v>1</v>'
        "</c></row></sheetData>",
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><r><t>1'
        "</t></r><r><t>2</t></r></is></c></row></sheetData>",
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v><![CDATA[1]]></v></c></row>'
        "</sheetData>",
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row><c r="A2"><v>2</v></c></row></sheetData>',
    ],
)
def test_unusual_xml_is_read_by_openpyxl_s_parser(tmp_path: Path, sheet_data: str) -> None:
    path = handmade(tmp_path / "aneh.xlsx", sheet_data, ["id"])
    book = open_sheet(path, 1)
    try:
        with book.reader.archive.open(book.part) as source, pytest.raises(PlainXmlError):
            list(RowScanner(book).rows(source))
    finally:
        book.close()
    assert_xlsx_parity(path, {"fields": [{"name": "id", "type": "integer"}]})


def test_a_hyperlink_beyond_the_data_widens_the_sheet(tmp_path: Path) -> None:
    sheet_data = (
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1</v></c></row></sheetData>'
    )
    link = '<hyperlinks><hyperlink ref="E5" location="Sheet!A1" display="lihat"/></hyperlinks>'
    path = handmade(tmp_path / "tautan.xlsx", sheet_data, ["kode", "jumlah", "61.71"], tail=link)
    scanned, parsed = both_readers(path)
    assert scanned == parsed and parsed[2] == ["E5"]
    report = assert_xlsx_parity(
        path, fields(("kode", "string"), ("jumlah", "integer"), ("c", "string"), ("d", "string"), ("tautan", "string"))
    )
    keys = error_keys(report)
    # openpyxl gives an empty linked cell the link's target: row 5 is not blank.
    assert ("blank-row", 3, "") in keys and ("blank-row", 5, "") not in keys


def test_an_empty_cell_with_an_external_link_reads_as_the_link(tmp_path: Path) -> None:
    sheet_data = (
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3"/></row></sheetData>'
    )
    link = '<hyperlinks><hyperlink ref="B3" r:id="rId1"/></hyperlinks>'
    shared = ["nama", "tautan", "Dinkes", "https://dinkes.go.id", "Disdukcapil"]
    path = handmade(
        tmp_path / "url.xlsx", sheet_data, shared, tail=link, links={"rId1": "https://disdukcapil.pontianak.go.id"}
    )
    schema = {
        "fields": [
            {"name": "nama", "type": "string"},
            {"name": "tautan", "type": "string", "format": "uri", "constraints": {"required": True}},
        ]
    }
    report = assert_xlsx_parity(path, schema)
    assert report["valid"]


def test_progress_follows_the_sheet_to_the_workbook_s_size(tmp_path: Path) -> None:
    path = workbook(tmp_path / "maju.xlsx", [["id"], *([i] for i in range(1, 3001))])
    seen: list[tuple[int, int]] = []
    schema = frictionless.Schema.from_descriptor(fields(("id", "integer")))
    task = validate_xlsx(path, schema, sniff_dialect(path), progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert task["valid"]
    assert len(seen) > 2 and seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and seen[-2][0] < size


def test_foreign_keys_to_the_region_table_and_to_the_sheet_itself(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "induk", "type": "integer"},
            {"name": "kode", "type": "string"},
        ],
        "foreignKeys": [
            {"fields": ["induk"], "reference": {"resource": "", "fields": ["id"]}},
            {"fields": ["kode"], "reference": {"resource": "wilayah", "fields": ["kode_kemendagri"]}},
        ],
    }
    rows = [["id", "induk", "kode"], [1, None, "61.71"], [2, 1, "61.71.01"], [3, 9, "61.71.99"], [4.0, 3.0, "xx"]]
    path = raw_numbers(workbook(tmp_path / "wilayah-kota.xlsx", rows), {"4": "4.0"})
    report = assert_xlsx_parity(path, schema)
    keys = error_keys(report)
    assert ("foreign-key", 4, "") in keys and ("foreign-key", 5, "") in keys
