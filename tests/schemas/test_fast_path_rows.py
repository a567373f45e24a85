"""A file large enough for DuckDB to read in parallel: the fast path still reports the right rows.

frictionless would take too long on it here; the expected errors are known by construction. Errors
spread over the whole file move if DuckDB ever stores the rows out of the file's order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import frictionless
import pytest

from schemas.fastpath import engine
from schemas.sniff import sniff_dialect
from schemas.validation import validate_file
from tests.schemas.parity import error_keys

ROWS = 1_000_000
KECAMATAN = [
    "Pontianak Selatan",
    "Pontianak Timur",
    "Pontianak Barat",
    "Pontianak Utara",
    "Pontianak Kota",
    "Pontianak Tenggara",
]
BAD = range(1_234, ROWS, 25_000)
EXTRA = 777_777
REPEATED = 999_999


def test_row_numbers_hold_in_a_file_read_in_parallel(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,nama,kecamatan\n")
        for i in range(1, ROWS + 1):
            value = "x" if i in BAD else "1" if i == REPEATED else str(i)
            handle.write(f"{value},Warga {i},{KECAMATAN[i % 6]}{',lebih' if i == EXTRA else ''}\n")
    schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "nama", "type": "string"},
            {"name": "kecamatan", "type": "string", "constraints": {"enum": KECAMATAN}},
        ]
    }
    report = validate_file(path, schema, engine="fast")
    expected = {("type-error", i + 1, "id") for i in BAD}
    assert error_keys(report) == expected | {("extra-cell", EXTRA + 1, ""), ("unique-error", REPEATED + 1, "id")}
    errors = {e["rowNumber"]: e for e in report["tasks"][0]["errors"]}
    assert errors[EXTRA + 1]["cells"] == [str(EXTRA), f"Warga {EXTRA}", KECAMATAN[EXTRA % 6], "lebih"]
    assert errors[REPEATED + 1]["cells"][0] == "1"
    assert errors[REPEATED + 1]["note"] == "the same as in the row at position 2"
    assert report["tasks"][0]["stats"]["rows"] == ROWS


BLANK_AFTER = (10, 333_333, 333_334, 900_000)
BROKEN_AT = (250_000, 750_001)


def test_row_numbers_hold_past_blank_lines_and_quoted_line_breaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows keep frictionless's numbers (by CSV record) past blank lines and records over two lines,
    read by DuckDB: neither frictionless nor the normalized copy (which the test forbids) is used."""
    path = tmp_path / "records.csv"
    # Bad values on both sides of each odd line, and spread over the file.
    bad = set(BAD) | {i + step for i in BLANK_AFTER + BROKEN_AT for step in (-1, 0, 1)}
    expected = set()
    record = 1
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,nama\n")
        for i in range(1, ROWS + 1):
            record += 1
            value = "x" if i in bad else str(i)
            if i in bad:
                expected.add(("type-error", record, "id"))
            name = f'"Warga\n{i}"' if i in BROKEN_AT else f"Warga {i}"
            handle.write(f"{value},{name}\n")
            if i in BLANK_AFTER:
                record += 1
                handle.write("\n")
                expected.add(("blank-row", record, ""))
    schema = frictionless.Schema.from_descriptor(
        {
            "fields": [
                {"name": "id", "type": "integer", "constraints": {"unique": True}},
                {"name": "nama", "type": "string"},
            ]
        }
    )

    def refused(*args: Any) -> Any:
        raise AssertionError("normalized copy")

    monkeypatch.setattr(engine, "normalized_source", refused)
    task = engine.validate_csv(path, schema, sniff_dialect(path))
    assert error_keys({"tasks": [task]}) == expected
    assert task["stats"]["rows"] == ROWS + len(BLANK_AFTER)
