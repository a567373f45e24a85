"""The first rows of a published CSV for the dataset page's preview table and chart, until the datastore
has loaded the table (``catalog.web.table_view`` reads it from there then).

It reads the stored file itself (up to ``ROW_LIMIT`` rows), sorts those rows, and sums a numeric column
per kecamatan or year.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from catalog.models import Release, Resource
from catalog.services.files import file_store
from schemas.sniff import sniff_dialect

ROW_LIMIT = 5000
PAGE_ROWS = 20
NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
CODE_COLUMN = re.compile(r"^(kode|id|no|nomor)(_|$)|_(kode|id)$")


@dataclass
class Preview:
    resource: Resource
    columns: list[str]
    rows: list[list[str]]
    read_all: bool  # False when the file has more rows than were read
    numeric: list[str] = field(default_factory=list)


@dataclass
class Chart:
    kind: str  # "bar" (per kecamatan) or "line" (per year)
    category: str
    value: str
    period: str | None  # the latest period the bars show, when the data holds several
    points: list[tuple[str, float]]


def previewable(release: Release | None) -> Resource | None:
    """The release's first stored CSV file."""
    if release is None:
        return None
    return next((r for r in release.resources if r.format == "CSV" and r.sha256), None)


def _rows(path: Path) -> Iterator[list[str]]:
    dialect = sniff_dialect(path, format="csv")
    with path.open(encoding=dialect.encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=dialect.delimiter, quotechar=dialect.quote_char)
        for _ in range(dialect.header_row - 1):
            next(reader, None)
        yield from reader


def as_number(value: str) -> float | None:
    text = value.strip()
    return float(text.replace(",", ".")) if NUMBER.match(text) else None


def read_preview(resource: Resource) -> Preview:
    assert resource.sha256 is not None
    columns, body, read_all, numeric = _parsed(resource.sha256)
    return Preview(resource=resource, columns=columns, rows=body, read_all=read_all, numeric=numeric)


@lru_cache(maxsize=32)
def _parsed(sha256: str) -> tuple[list[str], list[list[str]], bool, list[str]]:
    """A stored file's first rows; kept per content hash, since a stored file never changes."""
    rows = _rows(file_store().open(sha256))
    columns = next(rows, [])
    body: list[list[str]] = []
    read_all = True
    for row in rows:
        if len(body) == ROW_LIMIT:
            read_all = False
            break
        body.append((row + [""] * len(columns))[: len(columns)])
    numeric = [
        name
        for i, name in enumerate(columns)
        if not CODE_COLUMN.search(name.lower())
        and any(r[i].strip() for r in body)
        and all(as_number(r[i]) is not None for r in body if r[i].strip())
    ]
    return columns, body, read_all, numeric


def sorted_rows(preview: Preview, column: str | None, descending: bool) -> list[list[str]]:
    if column not in preview.columns:
        return preview.rows
    index = preview.columns.index(column)
    if column in preview.numeric:
        return sorted(preview.rows, key=lambda r: as_number(r[index]) or 0.0, reverse=descending)
    return sorted(preview.rows, key=lambda r: r[index].casefold(), reverse=descending)


def _find(columns: list[str], pattern: str) -> str | None:
    return next((c for c in columns if re.search(pattern, c.lower()) and not CODE_COLUMN.search(c.lower())), None)


def chart_of(preview: Preview, value: str | None = None) -> Chart | None:
    """A bar chart per kecamatan (of the latest period) or a line per year, of one numeric column."""
    kecamatan = _find(preview.columns, r"kecamatan")
    year = _find(preview.columns, r"^(tahun|year)$")
    period = _find(preview.columns, r"^(tanggal|periode)") or year
    candidates = [c for c in preview.numeric if c not in (year, period)]
    if not candidates or not (kecamatan or year):
        return None
    if value not in candidates:
        value = "jumlah" if "jumlah" in candidates else candidates[0]
    rows = preview.rows
    latest = None
    if kecamatan and period:
        p = preview.columns.index(period)
        latest = max(r[p] for r in rows)
        rows = [r for r in rows if r[p] == latest]
    category = kecamatan or year
    assert category is not None
    c, v = preview.columns.index(category), preview.columns.index(value)
    totals: dict[str, float] = {}
    for row in rows:
        totals[row[c]] = totals.get(row[c], 0.0) + (as_number(row[v]) or 0.0)
    points = sorted(totals.items()) if not kecamatan else sorted(totals.items(), key=lambda p: -p[1])
    return Chart(kind="bar" if kecamatan else "line", category=category, value=value, period=latest, points=points)
