"""The one validation entry point of Terbuka (API, harvesters, CLI) and its report helpers.

Small files are checked by frictionless itself; CSV and XLSX files from ``FAST_PATH_BYTES`` on
(a workbook's sheet first written to CSV) by the columnar fast path, which gives the same errors
in the same report format. Whatever the fast path cannot reproduce exactly (a header frictionless
does not match by position, an unreadable byte, an Excel cell no CSV text types the same) goes
to frictionless.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

import frictionless

from schemas import budget
from schemas.fastpath.engine import Unsupported, validate_csv
from schemas.fastpath.reader import read_labels
from schemas.fastpath.xlsx import validate_xlsx
from schemas.registry import REFERENCE_TABLES, reference_table
from schemas.registry import table_schema as load_table_schema
from schemas.report import Report, ReportError, ReportSummary, ReportTask
from schemas.sniff import (
    EXCEL_FORMATS,
    SAMPLE_BYTES,
    Dialect,
    detect_format,
    frictionless_dialect,
    frictionless_resource,
    sniff_dialect,
)

FAST_PATH_BYTES = int(os.environ.get("TERBUKA_VALIDATION_FAST_PATH_BYTES", 256 * 1024))
SCHEMA_INFERRED = "schema inferred"
# frictionless stops at 1,000 errors unless told otherwise; Terbuka reports all of them by default.
NO_LIMIT = 10**12
Engine = Literal["auto", "frictionless", "fast"]
# The fast path's cost grows with the columns: wider text files take it only when this long (see _fast_pays).
NARROW_COLUMNS = 32
FAST_PATH_MIN_ROWS = 16_000


@lru_cache(maxsize=8)
def _reference_rows(name: str) -> tuple[tuple[list[str], ...], str]:
    """A bundled reference table's rows and schema, read once per process (the files ship with Terbuka)."""
    path, descriptor = reference_table(name)
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.reader(handle)), json.dumps(descriptor)


def _reference_resource(name: str) -> frictionless.Resource:
    rows, descriptor = _reference_rows(name)
    return frictionless.Resource(
        data=[list(row) for row in rows], name=name, schema=frictionless.Schema.from_descriptor(json.loads(descriptor))
    )


def _with_frictionless(
    path: Path, schema: frictionless.Schema | None, dialect: Dialect, limit_errors: int | None
) -> ReportTask:
    """frictionless's own validation; with no schema it infers one as it opens the file (one pass)."""
    resource = frictionless_resource(path, schema=schema, dialect=dialect)
    foreign_keys = schema.foreign_keys if schema is not None else []
    referenced = {fk["reference"]["resource"] for fk in foreign_keys} & set(REFERENCE_TABLES)
    if referenced:
        frictionless.Package(resources=[resource, *(_reference_resource(n) for n in sorted(referenced))])
    report = resource.validate(limit_errors=limit_errors or NO_LIMIT, on_row=lambda _row: budget.tick())
    return cast(ReportTask, report.to_descriptor()["tasks"][0])


def _inferred(path: Path, dialect: Dialect) -> frictionless.Schema:
    resource = frictionless_resource(path, dialect=dialect)
    resource.infer()
    return resource.schema


def _labels_hold(path: Path, dialect: Dialect, names: list[str]) -> bool:
    return set(names) <= {label.strip() for label in read_labels(path, dialect)}


def _reading(path: Path, format: str | None, schema: frictionless.Schema | None, overrides: dict[str, Any]) -> Dialect:
    """How to read ``path``: with a schema or a dialect given, as frictionless reads it; Terbuka's reading aids
    (a title row, Windows-1252, its own delimiter count) for a file that comes with neither, or where only
    they give the header the schema names."""
    guessed = sniff_dialect(path, format, **overrides)
    if guessed.format != "csv" or (schema is None and not overrides):
        return guessed
    exact = frictionless_dialect(path, format, **overrides)
    if exact is None:
        return guessed
    names = [field.name for field in schema.fields] if schema is not None else []
    header_rows = exact.header_row and guessed.header_row
    if names and header_rows and not _labels_hold(path, exact, names) and _labels_hold(path, guessed, names):
        why = f"the header names the schema's fields only as read with delimiter {guessed.delimiter!r}"
        return replace(guessed, guesses=guessed.guesses or (why,))
    return exact


def _fast_pays(size: int, columns: int, sample_line_bytes: float) -> bool:
    """Whether the fast path is quicker for a text file of this shape: its cost grows with the columns
    (about 40 ms each), frictionless's with the cells (about 2.5 µs each), so a wide file goes fast only
    when it is long enough to pay the columns back."""
    if size < FAST_PATH_BYTES:
        return False
    return columns <= NARROW_COLUMNS or size / max(sample_line_bytes, 1.0) >= FAST_PATH_MIN_ROWS


def _sample_line_bytes(path: Path) -> float:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    return len(sample) / max(sample.count(b"\n"), 1)


def _validate_within(
    path: Path,
    schema: Any,
    meter: budget.Meter,
    format: str | None,
    dialect: dict[str, Any],
    limit_errors: int | None,
    progress: Callable[[int, int], None] | None,
    engine: Engine,
) -> tuple[ReportTask, list[str]]:
    """The task report and its warnings, every reading step within the meter's budget."""
    limits = meter.budget
    detected = detect_format(path, format)
    budget.check_format(path, detected)
    sheet_bytes = budget.check_archive(path, limits) if detected in EXCEL_FORMATS else 0
    table_schema = None if schema is None else load_table_schema(schema)
    sniffed = _reading(path, format, table_schema, dialect)
    size = path.stat().st_size
    excel = sniffed.format in EXCEL_FORMATS
    columns = (
        0 if excel else budget.check_text_head(path, limits, sniffed.delimiter, sniffed.quote_char, sniffed.header_row)
    )
    if excel:
        large = engine == "fast" or (engine == "auto" and size >= FAST_PATH_BYTES)
        # Inferring a workbook's schema loads the whole workbook, in which frictionless validates it as well.
        fast = large and (schema is not None or engine == "fast")
    else:
        # frictionless reads a .txt file as text, not as a table.
        fast = sniffed.format in ("csv", "tsv") and (
            engine == "fast" or (engine == "auto" and _fast_pays(size, columns, _sample_line_bytes(path)))
        )
    warnings = [*sniffed.guesses]
    if table_schema is None:
        warnings.insert(0, SCHEMA_INFERRED)
        if fast:
            if excel:
                budget.check_full_load(sheet_bytes, limits)
            table_schema = _inferred(path, sniffed)
    task: ReportTask | None = None
    if fast and table_schema is not None:
        try:
            validate = validate_xlsx if excel else validate_csv
            task = validate(path, table_schema, sniffed, limit_errors=limit_errors, progress=progress)
        except Unsupported:
            task = None
        except Exception:
            meter.tick()  # DuckDB interrupted at the deadline: say so
            raise
    if task is None:
        meter.tick()
        # frictionless loads a workbook whole, and builds an error holding the whole row for each extra cell.
        if excel:
            budget.check_full_load(sheet_bytes, limits)
        else:
            budget.scan_text(path, meter, sniffed.delimiter, sniffed.quote_char, sniffed.encoding)
        task = _with_frictionless(path, table_schema, sniffed, limit_errors)
        if progress:
            progress(size, size)
    return task, warnings


def validate_file(
    path: str | Path,
    schema: Any = None,
    *,
    format: str | None = None,
    dialect: dict[str, Any] | None = None,
    limit_errors: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    engine: Engine = "auto",
) -> Report:
    """Validate a CSV or XLSX file against a schema (registry name, path, descriptor; None infers one).

    Returns a report descriptor in frictionless's format; ``progress(done, total)`` follows the
    bytes read. ``engine`` forces one validator (the tests compare them).
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file {str(path)!r}")
    with budget.metering() as meter:
        task, warnings = _validate_within(path, schema, meter, format, dialect or {}, limit_errors, progress, engine)
    task["warnings"] = [*warnings, *task["warnings"]]
    task["stats"]["warnings"] = len(task["warnings"])
    return {
        "valid": task["valid"],
        "stats": {
            "tasks": 1,
            "errors": task["stats"]["errors"],
            "warnings": len(task["warnings"]),
            "seconds": round(time.perf_counter() - started, 3),
        },
        "warnings": [],
        "errors": [],
        "tasks": [task],
    }


def _all_errors(report: Report) -> list[ReportError]:
    return [*report["errors"], *(e for task in report["tasks"] for e in task["errors"])]


def report_has_errors(report: Report) -> bool:
    """Whether the report holds any error (at the report level or in a task)."""
    return bool(_all_errors(report)) or not report["valid"]


def summarize_report(report: Report, first: int = 5) -> ReportSummary:
    """Counts per error type and the first ``first`` errors of each type, for the API."""
    errors = _all_errors(report)
    counts = Counter(e["type"] for e in errors)
    firsts: dict[str, list[ReportError]] = {t: [] for t in counts}
    for error in errors:
        if len(firsts[error["type"]]) < first:
            firsts[error["type"]].append(error)
    warnings = [*report["warnings"], *(w for t in report["tasks"] for w in t["warnings"])]
    return {
        "valid": not report_has_errors(report),
        "error_count": len(errors),
        "counts": dict(counts),
        "first": firsts,
        "warnings": warnings,
    }
