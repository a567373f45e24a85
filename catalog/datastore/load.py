"""Loading one tabular file into a typed Parquet table (no database, no catalogue: a file in, a file out)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import frictionless

from catalog.datastore.columns import Column, typed_select, typing_select
from catalog.datastore.engine import quote_literal
from schemas.fastpath.reader import direct_source, normalized_source, utf8_text
from schemas.registry import resolve_schema
from schemas.sniff import EXCEL_FORMATS, Dialect, frictionless_resource, sniff_dialect

LOAD_MEMORY_LIMIT = "512MB"
# Parquet row groups small enough that a lookup by key reads little, large enough to compress well.
ROW_GROUP_SIZE = 100_000
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Loaded:
    rows: int
    columns: list[Column]


def table_schema(path: Path, ref: str | dict[str, Any] | None, dialect: Dialect) -> frictionless.Schema:
    """The schema the file was validated against: its registry or custom schema, else inferred as validation did."""
    if ref is None:
        resource = frictionless_resource(path, dialect=dialect)
        resource.infer()
        return resource.schema
    descriptor = dict(resolve_schema(ref))
    for registry_only in ("version", "$schema"):
        descriptor.pop(registry_only, None)
    return frictionless.Schema.from_descriptor(descriptor)


def _canonical(value: Any) -> str:
    """A typed value as text the canonical schema reads back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return str(value)


def _canonical_copy(path: Path, schema: frictionless.Schema, dialect: Dialect, workdir: Path) -> tuple[Path, Any]:
    """Rows frictionless reads (a workbook) written as plain CSV, with the schema that reads it back."""
    target = workdir / "rows.csv"
    resource: Any = frictionless_resource(path, schema=schema, dialect=dialect)
    names = [str(f.name) for f in schema.fields]
    with resource, target.open("w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink)
        writer.writerow(names)
        for row in resource.row_stream:
            writer.writerow([_canonical(row.get(name)) for name in names])
    fields = []
    for described in schema.to_descriptor()["fields"]:
        kind = described["type"] if described["type"] in ("integer", "number", "boolean", "date", "year") else "string"
        plain = {"name": described["name"], "type": kind}
        if described["type"] in ("datetime", "time"):
            plain = {"name": described["name"], "type": described["type"]}
        fields.append(plain)
    return target, frictionless.Schema.from_descriptor({"fields": fields, "missingValues": [""]})


def _read_raw(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, schema: frictionless.Schema, workdir: Path
) -> None:
    """The table ``raw``: the cells ``c1..cN`` as text and the values SQL types (``typing_select``), in file order."""
    width = len(schema.fields)
    attempts: list[Callable[[], str]] = [
        lambda: direct_source(path, dialect, width),
        # DuckDB's parallel reader refuses quoted line breaks.
        lambda: direct_source(path, dialect, width, parallel=False),
        lambda: normalized_source(path, dialect, width, workdir)[0],
    ]
    for number, source in enumerate(attempts):
        try:
            con.execute(f"CREATE OR REPLACE TABLE raw AS {typing_select(schema, source())}")
            return
        except duckdb.Error:
            if number == len(attempts) - 1:
                raise


def load_table(
    path: Path,
    target: Path,
    *,
    format: str,
    schema_ref: str | dict[str, Any] | None,
    progress: Progress | None = None,
) -> Loaded:
    """Type ``path`` (CSV or workbook) by its Table Schema and write it to the Parquet file ``target`` atomically."""
    report = progress or (lambda _done: None)
    dialect = sniff_dialect(path, format.lower())
    schema = table_schema(path, schema_ref, dialect)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="terbuka-datastore-") as tmp, duckdb.connect() as con:
        workdir = Path(tmp)
        con.execute(f"SET memory_limit = {quote_literal(LOAD_MEMORY_LIMIT)}")
        con.execute(f"SET temp_directory = {quote_literal(tmp)}")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        if dialect.format in EXCEL_FORMATS:
            text_path, schema = _canonical_copy(path, schema, dialect, workdir)
            text_dialect = Dialect(header_row=1)
        else:
            text_path, text_dialect = utf8_text(path, dialect, workdir)
        report(0.3)
        _read_raw(con, text_path, text_dialect, schema, workdir)
        report(0.6)
        select, columns = typed_select(con, schema, "raw")
        # Written next to the target and renamed into place: a query never sees half a file.
        written = target.with_name(target.name + ".partial")
        con.execute(
            f"COPY ({select}) TO {quote_literal(str(written))} (FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
        )
        row = con.execute("SELECT count(*) FROM raw").fetchone()
    os.replace(written, target)
    report(1.0)
    return Loaded(rows=int(row[0]) if row else 0, columns=columns)
