"""Running the columnar checks on one CSV file and returning frictionless's task report."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import duckdb
import frictionless
from frictionless.table.header import Header

from schemas import budget
from schemas.fastpath import cells, integrity, report
from schemas.fastpath.fields import FieldPlan, plan_fields
from schemas.fastpath.reader import (
    CHUNK,
    FileStats,
    Layout,
    Progress,
    direct_source,
    fetch_rows,
    normalized_source,
    read_labels,
    record_layout,
    scan_file,
    utf8_text,
    workspace,
)
from schemas.registry import REFERENCE_TABLES, reference_table
from schemas.report import ReportError, ReportTask, ReportTaskStats
from schemas.sniff import Dialect, frictionless_resource

MEMORY_LIMIT = "192MB"


class Unsupported(Exception):
    """The fast path cannot check this file the way frictionless does; use frictionless."""


def _reference_value(value: Any, key_type: str) -> Any:
    """A referenced cell as the key it can equal, None when no value of the field can equal it."""
    if value is None or isinstance(value, bool):
        return value if key_type == "BOOLEAN" else None
    if key_type == "HUGEINT":
        return value if isinstance(value, int) else None
    if key_type == "DOUBLE":
        return float(value) if isinstance(value, (int, float, Decimal)) else None
    if key_type == "BOOLEAN":
        return None
    if key_type == "DATE":
        return value if isinstance(value, date) and not isinstance(value, datetime) else None
    return value if isinstance(value, str) else str(value)


@lru_cache(maxsize=16)
def _reference_rows(source: str, fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The typed key columns of a bundled reference table (read once per process: the files ship with Terbuka)."""
    path, descriptor = reference_table(source)
    resource: Any = frictionless.Resource(path=str(path), schema=frictionless.Schema.from_descriptor(descriptor))
    with resource:
        return [tuple(row.get(f) for f in fields) for row in resource.row_stream]


def _foreign_keys(
    con: duckdb.DuckDBPyConnection, schema: frictionless.Schema, plans: list[FieldPlan], name: str
) -> list[integrity.ForeignKey]:
    by_name = {p.name: p for p in plans}
    keys = []
    for number, fk in enumerate(schema.foreign_keys):
        source, fields, reference_fields = fk["reference"]["resource"], fk["fields"], fk["reference"]["fields"]
        table = f"fk{number}"
        if not set(fields) <= set(by_name):
            continue
        if not source or source == name:
            if not set(reference_fields) <= set(by_name):
                raise Unsupported("self-reference to unknown fields")
            columns = [f"k{by_name[f].number}" for f in reference_fields]
            aliased = ", ".join(f"{c} AS r{j}" for j, c in enumerate(columns, start=1))
            not_all_null = " OR ".join(f"{c} IS NOT NULL" for c in columns)
            con.execute(f"CREATE TABLE {table} AS SELECT DISTINCT {aliased} FROM keys WHERE {not_all_null}")
        elif source in REFERENCE_TABLES:
            rows = _reference_rows(source, tuple(reference_fields))
            types = [by_name[f].key_type for f in fields]
            converted = [
                tuple(_reference_value(v, t) for v, t in zip(row, types, strict=True))
                for row in rows
                if set(row) != {None}
            ]
            unnested = ", ".join(f"unnest(${j}::{t}[]) AS r{j}" for j, t in enumerate(types, start=1))
            con.execute(
                f"CREATE TABLE {table} AS SELECT {unnested}", [[row[j] for row in converted] for j in range(len(types))]
            )
        else:
            raise Unsupported(f"foreign key to unknown resource {source!r}")
        keys.append(
            integrity.ForeignKey(
                fields=list(fields), reference_name=source, reference_fields=list(reference_fields), table=table
            )
        )
    return keys


def _parses(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """Whether DuckDB reads ``source`` without an error."""
    try:
        con.execute(f"SELECT count(*) FROM ({source})").fetchall()
    except duckdb.Error:
        return False
    return True


def _drop_scan(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP VIEW IF EXISTS scan")
    con.execute("DROP TABLE IF EXISTS scan_rows")


def _scan(
    con: duckdb.DuckDBPyConnection,
    original: Path,
    path: Path,
    dialect: Dialect,
    plans: list[FieldPlan],
    key_plans: list[FieldPlan],
    workdir: Path,
    progress: Progress | None,
) -> tuple[int, FileStats, str | None, Layout | None]:
    """``scan`` from ``path`` (``original`` in UTF-8).

    Returns the rows, the file stats, the normalized source if one was needed, and where the
    records lie when they are not one line each.
    """
    n, first_row = len(plans), dialect.header_row + 1
    refused: duckdb.Error | None = None
    rows = 0
    meter = budget.current()
    # Hashing the bytes overlaps with DuckDB's parse: both release the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(
            scan_file, original, dialect, progress, min(meter.budget.line_bytes, CHUNK) if meter else CHUNK
        )
        try:
            rows = cells.build_scan(con, plans, direct_source(path, dialect, n), key_plans, first_row)
        except duckdb.Error as exc:
            refused = exc
        stats = scanning.result()
    if meter is not None:
        # Before any slower reading: a line past the budget is refused, not re-read by Python's csv module.
        meter.check_line(stats.longest_line)
        meter.tick()
    if progress:
        progress(stats.bytes, stats.bytes)
    # Cells Python's csv module reads otherwise than DuckDB: blanks before a quote, skipped leading blanks,
    # an escape character.
    python_only = stats.spaced_quote or dialect.skip_initial_space or dialect.escape_char is not None
    if refused is None and stats.lines and rows + dialect.header_row == stats.lines and not python_only:
        return rows, stats, None, None
    # Blank lines or records over several lines: DuckDB's rows are numbered from where the records lie.
    layout = record_layout(path, dialect) if stats.lines and not python_only else None
    quoted_line_break = layout is not None and bool(layout.spans)
    if refused is not None and not quoted_line_break and _parses(con, direct_source(path, dialect, n)):
        # The checks failed, not the parse (e.g. a pattern RE2 cannot compile).
        raise refused
    if layout is not None:
        expected = layout.records - dialect.header_row - len(layout.blank)
        if refused is not None or quoted_line_break:
            _drop_scan(con)
            try:
                rows = cells.build_scan(
                    con, plans, direct_source(path, dialect, n, parallel=False), key_plans, first_row, layout.blank
                )
            except duckdb.Error:
                rows = -1
        else:
            cells.number_scan(con, plans, key_plans, first_row, layout.blank)
        if rows == expected:
            return rows + len(layout.blank), stats, None, layout
    _drop_scan(con)
    normalized, rows = normalized_source(path, dialect, n, workdir)
    cells.build_scan(con, plans, normalized, key_plans, None)
    return rows, stats, normalized, None


def _checks(
    con: duckdb.DuckDBPyConnection,
    schema: frictionless.Schema,
    plans: list[FieldPlan],
    name: str,
    lines: tuple[Path, Dialect],
    normalized: str | None,
    key_plans: list[FieldPlan],
    layout: Layout | None,
) -> tuple[list[integrity.ForeignKey], dict[int, list[str]]]:
    """Fill ``errors``. Rows are re-read from ``normalized`` if given, else from their ``lines``.

    Returns the foreign keys checked and the cells of the rows with errors ``typed`` does not hold.
    """
    cells.build_typed(con, plans, key_plans)
    cells.build_keys(con, key_plans)
    con.execute(cells.ERRORS_TABLE)
    integrity.unique_errors(con, plans)
    integrity.primary_key_errors(con, plans, list(schema.primary_key))
    foreign_keys = _foreign_keys(con, schema, plans, name)
    for index, foreign_key in enumerate(foreign_keys):
        integrity.foreign_key_errors(con, plans, foreign_key, index)
    # Rows whose only errors are key errors: their cells were not kept.
    unkept = [
        int(r[0])
        for r in con.execute("SELECT DISTINCT rn FROM errors WHERE rn NOT IN (SELECT rn FROM typed)").fetchall()
    ]
    if normalized is not None:
        fetched = report.source_rows(con, normalized, len(plans), unkept)
    else:
        # Rows with extra cells: Python's csv module reads them whole.
        spare = [int(r[0]) for r in con.execute("SELECT rn FROM scan WHERE spare").fetchall()]
        fetched = fetch_rows(lines[0], lines[1], spare + unkept, layout)
        if spare:
            n = len(plans)
            con.execute(
                "UPDATE typed SET ncells = f.ncells, extras = f.extras FROM (SELECT unnest($1::BIGINT[]) AS rn, "
                "unnest($2::INTEGER[]) AS ncells, unnest($3::VARCHAR[][]) AS extras) AS f WHERE typed.rn = f.rn",
                [spare, [len(fetched[r]) for r in spare], [fetched[r][n:] or None for r in spare]],
            )
        fetched = {r: fetched[r] for r in unkept}
    cells.cell_errors(con, plans)
    return foreign_keys, fetched


def validate_csv(
    path: Path,
    schema: frictionless.Schema,
    dialect: Dialect,
    *,
    limit_errors: int | None = None,
    progress: Progress | None = None,
) -> ReportTask:
    """The report task of ``path`` checked against ``schema``."""
    started = time.perf_counter()
    if schema.has_defined("fields_match") and schema.fields_match != "exact":
        raise Unsupported("fields matched by name")
    if not dialect.header_row:
        raise Unsupported("a file without a header row")
    plans = plan_fields(schema)
    if not plans:
        raise Unsupported("a schema without fields")
    key_plans = [p for p in plans if p.keyed]
    name = str(frictionless_resource(path, dialect=dialect).name)
    meter = budget.current()
    with workspace() as tmp, duckdb.connect() as con, meter.interrupting(con.interrupt) if meter else nullcontext():
        con.execute(f"SET memory_limit='{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory='{tmp}'")
        con.execute("SET preserve_insertion_order=true")
        # Lists of values stay expressions rather than joins, so the scan keeps the file's order.
        con.execute("SET disabled_optimizers='in_clause'")
        con.execute("SET enable_progress_bar=false")
        try:
            text_path, text_dialect = utf8_text(path, dialect, Path(tmp))
            labels = read_labels(text_path, text_dialect)
        except UnicodeDecodeError as exc:
            raise Unsupported(str(exc)) from exc
        if not labels:
            raise Unsupported("no header row")
        header = Header(labels, fields=list(schema.fields), row_numbers=[dialect.header_row])
        # With labels missing or in excess frictionless re-derives the fields from the header.
        if {e.type for e in header.errors} & {"blank-header", "unmatched-header", "extra-label", "missing-label"}:
            raise Unsupported("a header whose labels do not match the fields one to one")
        try:
            rows, stats, normalized, layout = _scan(
                con, path, text_path, text_dialect, plans, key_plans, Path(tmp), progress
            )
            lines = (text_path, text_dialect)
            foreign_keys, fetched = _checks(con, schema, plans, name, lines, normalized, key_plans, layout)
        except (duckdb.Error, UnicodeDecodeError) as exc:
            budget.tick()  # interrupted at the deadline: refused, not handed to frictionless
            # e.g. a pattern RE2 cannot compile (look-arounds, back-references)
            raise Unsupported(str(exc)) from exc
        task_errors = [cast(ReportError, e.to_descriptor()) for e in header.errors]
        remaining = None if limit_errors is None else max(limit_errors - len(task_errors), 0)
        found = report.fetch_errors(con, len(plans), remaining, fetched) if remaining != 0 else report.Found()
    # DuckDB has let go of its memory before the descriptors are built.
    task_errors.extend(report.descriptors(found, [p.name for p in plans], foreign_keys))
    if limit_errors is not None:
        task_errors = task_errors[:limit_errors]
    seconds = round(time.perf_counter() - started, 3)
    task_stats: ReportTaskStats = {
        "errors": len(task_errors),
        "warnings": 0,
        "seconds": seconds,
        "md5": stats.md5,
        "sha256": stats.sha256,
        "bytes": stats.bytes,
        "fields": len(plans),
    }
    # frictionless counts rows while it streams them and leaves the count out of a header-only file.
    if rows:
        task_stats["rows"] = rows
    return {
        "name": name,
        "type": "table",
        "valid": not task_errors,
        "place": path.name,
        "labels": labels,
        "stats": task_stats,
        "warnings": [],
        "errors": task_errors,
    }
