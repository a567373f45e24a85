"""Generated schemas and rows, Indonesian formats, blank lines and quoted line breaks included: both
validators agree on every file."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.schemas.parity import assert_same_errors

# Values close to each type's edge: valid, almost valid and plainly wrong.
CELLS = st.sampled_from(
    [
        "",
        "0",
        "1",
        "-1",
        "01",
        "12",
        "120",
        "121",
        "+3",
        " 7",
        "1_000",
        "1.5",
        "1,5",
        "1.234.567,89",
        "1.234",
        "12,50",
        "-0,5",
        "abc",
        "true",
        "false",
        "ya",
        "tidak",
        "2024-12-31",
        "31/12/2024",
        "30/02/2024",
        "2024-02-30",
        "1/1/2024",
        "NA",
        "-",
        "Pontianak Kota",
        "Pontianak",
        "61.71.01",
        "61.71.07",
        "6.1.7",
        "2024",
        "24",
        "0999-01-01",
        "2024-1-01",
        "1.50",
        "007",
        "Jl. Gajah Mada\nPontianak",
        "\n",
        "a\r\nb",
    ]
)
FIELDS = st.sampled_from(
    [
        {"type": "integer"},
        {"type": "integer", "constraints": {"minimum": 0, "maximum": 120}},
        {"type": "integer", "constraints": {"unique": True}},
        {"type": "integer", "constraints": {"required": True, "enum": [1, 12]}},
        {"type": "number"},
        {"type": "number", "groupChar": ".", "decimalChar": ",", "constraints": {"minimum": 0}},
        {"type": "number", "decimalChar": ",", "constraints": {"unique": True}},
        {"type": "boolean"},
        {"type": "boolean", "trueValues": ["ya"], "falseValues": ["tidak"]},
        {"type": "date"},
        {"type": "date", "constraints": {"unique": True, "maximum": "2024-12-30"}},
        {"type": "date", "format": "%d/%m/%Y", "constraints": {"required": True}},
        {"type": "year", "constraints": {"minimum": 2000}},
        {"type": "string"},
        {"type": "string", "constraints": {"required": True, "unique": True}},
        {"type": "string", "constraints": {"pattern": "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}", "maxLength": 8}},
        {"type": "string", "constraints": {"enum": ["Pontianak Kota", "Pontianak Barat"], "minLength": 3}},
        {"type": "string", "missingValues": ["NA"]},
    ]
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[str, Any], list[list[str]], str]:
    fields = draw(st.lists(FIELDS, min_size=1, max_size=4))
    descriptor: dict[str, Any] = {"fields": [{"name": f"f{i}", **f} for i, f in enumerate(fields)]}
    if draw(st.booleans()):
        descriptor["missingValues"] = ["", "-", "NA"]
    if draw(st.booleans()):
        descriptor["primaryKey"] = [f"f{i}" for i in range(draw(st.integers(1, len(fields))))]
    width = len(fields)
    row = st.lists(CELLS, min_size=max(width - 1, 0), max_size=width + 1)
    # An empty row is written as a blank line.
    rows = draw(st.lists(st.one_of(row, st.just([])), max_size=12))
    return descriptor, rows, draw(st.sampled_from([",", ";"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_generated_tables_get_the_same_errors(table: tuple[dict[str, Any], list[list[str]], str]) -> None:
    descriptor, rows, delimiter = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow([field["name"] for field in descriptor["fields"]])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        assert_same_errors(path, descriptor, dialect={"delimiter": delimiter, "header_row": 1})


# Types frictionless reads in Python, which the fast path types in SQL for their common spellings.
PYTHON_TYPED_CELLS = st.sampled_from(
    [
        "",
        "x",
        "2024-01-01T10:00:00",
        "2024-01-01 10:00:00Z",
        "2024-01-01T10:00:00+00:00",
        "2024-02-29T23:59:59.5",
        "2023-02-29T00:00:00",
        "2024-01-01T24:00:00",
        "2024-01-01T10:00:00.500-00:00",
        "2024-01-01T10:00",
        "10:00:00",
        "10:00:00.000",
        "24:00:00",
        "23:59:59+07:00",
        "10:00:00z",
        "10:60:00",
        "109.3, -0.03",
        "-180,90",
        "180.1,0",
        "1e2,0",
        "0,0",
        "31/12/24",
        "1/2/68",
        "29/02/23",
        "31 Dec 2024",
        "1 jan 2024",
        "Rp 100",
        "-5 kg",
        "Rp 00",
        "8f14e45f-ceea-467f-a8f6-1c3b2f0f5b3a",
        "https://data.pontianak.go.id",
        "no scheme",
        "2024",
        "NA",
        "31/12/2024 13:45",
        "1/2/2024 7:05",
        "01/02/2024 07:05",
        "29/2/2023 10:00",
        "07:05",
        "7:05",
        "24:00",
        "7:60",
    ]
)
PYTHON_TYPED_FIELDS = st.sampled_from(
    [
        {"type": "datetime"},
        {"type": "datetime", "constraints": {"unique": True}},
        {"type": "datetime", "constraints": {"required": True, "enum": ["2024-01-01T10:00:00"]}},
        {"type": "time"},
        {"type": "time", "constraints": {"unique": True, "required": True}},
        {"type": "geopoint"},
        {"type": "date", "format": "%d/%m/%y", "constraints": {"unique": True}},
        {"type": "date", "format": "%d %b %Y", "constraints": {"maximum": "31 Dec 2024"}},
        {"type": "integer", "bareNumber": False, "constraints": {"unique": True}},
        {"type": "string", "format": "uuid"},
        {"type": "string", "format": "uri", "constraints": {"unique": True}},
        {"type": "datetime", "format": "%d/%m/%Y %H:%M", "constraints": {"unique": True}},
        {"type": "time", "format": "%H:%M"},
    ]
)


@st.composite
def python_typed_tables(draw: st.DrawFn) -> tuple[dict[str, Any], list[list[str]]]:
    fields = draw(st.lists(PYTHON_TYPED_FIELDS, min_size=1, max_size=3))
    descriptor: dict[str, Any] = {
        "fields": [{"name": f"f{i}", **f} for i, f in enumerate(fields)],
        "missingValues": ["", "NA"],
    }
    if draw(st.booleans()):
        descriptor["primaryKey"] = [f"f{i}" for i in range(draw(st.integers(1, len(fields))))]
    row = st.lists(PYTHON_TYPED_CELLS, min_size=len(fields), max_size=len(fields))
    return descriptor, draw(st.lists(row, max_size=10))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(python_typed_tables())
def test_generated_dates_times_and_geopoints_get_the_same_errors(table: tuple[dict[str, Any], list[list[str]]]) -> None:
    descriptor, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([field["name"] for field in descriptor["fields"]])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        assert_same_errors(path, descriptor, dialect={"delimiter": ",", "header_row": 1})
