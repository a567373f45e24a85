"""Writing a query's rows as CSV, XLSX, Parquet or a JSON array of records, streamed from a temporary file.

Spreadsheet exports (CSV and XLSX) are safe against formula injection: a text cell beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading apostrophe, so that
Excel and LibreOffice show it as text instead of running it (OWASP's advice). Numbers are typed
columns and never touched. The original file stays downloadable byte for byte from the release.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from catalog.datastore.columns import Column
from catalog.datastore.engine import cursor, quote_identifier, quote_literal
from catalog.datastore.query import TableQuery, build, json_value
from catalog.datastore.tables import PublishedTable
from catalog.errors import TooLarge

FORMULA_START = "^[=+\\-@\t\r]"
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
CHUNK = 1024 * 1024
BATCH = 10_000


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    media_type: str


FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8"),
    "xlsx": ExportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": ExportFormat("parquet", "application/vnd.apache.parquet"),
    "json": ExportFormat("json", "application/json"),
}


def neutralised(select: str, columns: list[Column]) -> str:
    """``select`` with every text column's formula-like cells prefixed by an apostrophe."""
    parts = []
    for column in columns:
        ident = quote_identifier(column.name)
        if column.is_text:
            parts.append(
                f"CASE WHEN regexp_matches({ident}, {quote_literal(FORMULA_START)}) "
                f"THEN '''' || {ident} ELSE {ident} END AS {ident}"
            )
        else:
            parts.append(ident)
    return f"SELECT {', '.join(parts)} FROM ({select})"


def _stream(path: Path) -> Iterator[bytes]:
    """The file in chunks, removed once read (or when the client goes away)."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)
        path.parent.rmdir()


def export(table: PublishedTable, query: TableQuery, fmt: str) -> Iterator[bytes]:
    """Write the rows ``query`` selects in ``fmt`` (csv, xlsx, parquet, json); returns the bytes as a stream."""
    select, count, params, columns = build(table, query)
    workdir = Path(tempfile.mkdtemp(prefix="terbuka-export-"))
    target = workdir / f"export.{fmt}"
    con = cursor()
    try:
        if fmt == "xlsx":
            counted = con.execute(count, params).fetchone()
            rows = min(int(counted[0]) if counted else 0, query.limit if query.limit is not None else 1 << 62)
            if rows > XLSX_MAX_ROWS:
                raise TooLarge(
                    f"{rows:,} rows do not fit in a worksheet ({XLSX_MAX_ROWS:,}): filter them or export CSV",
                    code="export_too_large",
                )
            _write_xlsx(con.execute(neutralised(select, columns), params), columns, target)
        elif fmt == "csv":
            con.execute(f"COPY ({neutralised(select, columns)}) TO {quote_literal(str(target))} (HEADER)", params)
        elif fmt == "json":  # an array of records, exact values: JSON is not read by spreadsheets
            con.execute(f"COPY ({select}) TO {quote_literal(str(target))} (FORMAT json, ARRAY true)", params)
        else:
            con.execute(f"COPY ({select}) TO {quote_literal(str(target))} (FORMAT parquet)", params)
    except BaseException:
        target.unlink(missing_ok=True)
        os.rmdir(workdir)
        raise
    finally:
        con.close()
    return _stream(target)


def _write_xlsx(result: Any, columns: list[Column], target: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append([c.name for c in columns])
    while batch := result.fetchmany(BATCH):
        for row in batch:
            sheet.append([_xlsx_value(v) for v in row])
    book.save(target)


def _xlsx_value(value: Any) -> Any:
    """Dates and times stay typed cells; NaN and infinities, which a worksheet cannot hold, are left empty."""
    if isinstance(value, (float, Decimal)):
        return json_value(value)
    return value
