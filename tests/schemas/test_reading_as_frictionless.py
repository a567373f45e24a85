"""Files read as frictionless reads them when a schema or dialect is given, by both engines (issue 16,
items 7–9 and 11): labels, blanks before quotes, fields matched by name, text files, delimiters, comment
lines, leading spaces, files without a header row, encodings."""

from __future__ import annotations

from pathlib import Path

from schemas.validation import validate_file
from tests.schemas.parity import assert_as_frictionless, assert_same_errors, write

ID_NAME = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}
CORPUS = Path(__file__).parent / "frictionless_data"


def test_labels_are_stripped_as_frictionless_strips_them(tmp_path: Path) -> None:
    report = assert_as_frictionless(write(tmp_path, "id, name\n1,a\n2,b\n"), ID_NAME)
    assert report["valid"]
    quoted_line_break = assert_as_frictionless(write(tmp_path, 'id,"name\n"\n1,a\n2,b\n', "q.csv"), ID_NAME)
    assert quoted_line_break["valid"]


def test_a_blank_before_a_quote_keeps_the_cell_as_pythons_csv_reads_it(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "t", "constraints": {"maxLength": 5}}]}
    path = write(tmp_path, 'id,t\n1, "abc"\n2, "abcdef"\n3,x\n')
    # frictionless sniffs leading spaces here and skips them: ' "abc"' is read as abc.
    report = assert_as_frictionless(path, schema)
    assert [(e["rowNumber"], e["cell"]) for e in report["tasks"][0]["errors"]] == [(3, "abcdef")]
    # Told not to skip them, frictionless keeps ' "abc"' (seven characters): so must the fast path.
    kept = assert_as_frictionless(path, schema, dialect={"skip_initial_space": False}, csv={"skipInitialSpace": False})
    assert [(e["rowNumber"], e["cell"]) for e in kept["tasks"][0]["errors"]] == [(2, ' "abc"'), (3, ' "abcdef"')]
    assert_same_errors(path, schema, dialect={"skip_initial_space": False})


def test_fields_matched_by_name(tmp_path: Path) -> None:
    schema = {**ID_NAME, "fieldsMatch": "equal"}
    report = assert_as_frictionless(write(tmp_path, "name,id\na,1\nb,x\n"), schema)
    assert [(e["type"], e["rowNumber"], e["fieldName"]) for e in report["tasks"][0]["errors"]] == [
        ("type-error", 3, "id")
    ]


def test_a_text_file_is_text_as_for_frictionless(tmp_path: Path) -> None:
    path = write(tmp_path, "id,name\n1,a\nx\n", "notes.txt")
    for engine in ("frictionless", "fast", "auto"):
        report = validate_file(path, ID_NAME, engine=engine)
        assert report["valid"] and report["tasks"][0]["type"] == "text", engine


def test_the_delimiter_frictionless_sniffs_with_a_schema(tmp_path: Path) -> None:
    # frictionless-py's data/dialect.csv: csv.Sniffer reads it with commas, as one column.
    path = write(tmp_path, "id|name\n1|#english#\n2| -|##\n")
    report = assert_as_frictionless(path, {"fields": [{"name": "id|name", "type": "string"}]})
    assert report["valid"]


def test_a_comment_line_is_not_a_title_row_when_a_schema_says_so(tmp_path: Path) -> None:
    # frictionless-py's data/skip-rows.csv, with the schema frictionless infers (the comment is the header).
    path = write(tmp_path, "# it's a comment!\nid,name\n1,english\n# it's a comment!\n2,中国人\n")
    schema = {"fields": [{"name": "# it's a comment!", "type": "string"}]}
    report = assert_as_frictionless(path, schema)
    assert {e["type"] for e in report["tasks"][0]["errors"]} == {"extra-cell"}


def test_leading_spaces_sniffed_as_frictionless_does(tmp_path: Path) -> None:
    path = write(tmp_path, "id, name\n1, a\n2, b\n")
    assert assert_as_frictionless(path, ID_NAME)["valid"]


def test_a_file_without_header_row(tmp_path: Path) -> None:
    # frictionless-py's data/issue-1478: "dialect": {"delimiter": "|", "header": false}
    path = write(tmp_path, "DESH_PR_0058|01.06.2015|geschlossen\nDESH_PR_0273|2013|offen\n")
    schema = {
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "start", "type": "date", "format": "%d.%m.%Y"},
            {"name": "status", "type": "string"},
        ]
    }
    report = assert_as_frictionless(
        path, schema, dialect={"delimiter": "|", "header": False}, header=False, csv={"delimiter": "|"}
    )
    assert [(e["type"], e["rowNumber"]) for e in report["tasks"][0]["errors"]] == [("type-error", 2)]


def test_greek_iso_8859_7_is_decoded_as_frictionless_decodes_it() -> None:
    path = CORPUS / "table-infer-iso-8859-7.csv"
    schema = {"fields": [{"name": "id"}, {"name": "age"}, {"name": "name", "constraints": {"maxLength": 5}}]}
    report = assert_as_frictionless(path, schema)
    cells = {e["cell"] for e in report["tasks"][0]["errors"]}
    for engine in ("frictionless", "fast"):
        ours = validate_file(path, schema, engine=engine)
        assert {e["cell"] for e in ours["tasks"][0]["errors"]} == cells and "Λεωνιδας" in cells, engine
        assert ours["tasks"][0]["warnings"] == []


def test_reading_aids_without_a_schema_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "Realisasi APBD 2024;\nuraian;anggaran\nBelanja – gaji;1.000\n", encoding="cp1252")
    report = validate_file(path)
    assert report["tasks"][0]["warnings"] == [
        "schema inferred",
        "header read from row 2: the rows above it were taken for a title",
        "the file is not UTF-8: read as Windows-1252",
    ]
    assert report["tasks"][0]["labels"] == ["uraian", "anggaran"]
