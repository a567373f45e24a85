"""Checking an Excel workbook with the CSV fast path, reporting what frictionless reports.

frictionless loads a worksheet whole with openpyxl (merged cells filled with their top-left value)
and reads it as rows of typed cells (str, int, float, bool, datetime, None), every row as wide as
the sheet's widest, from row 1 to the sheet's last. Here the sheet's XML is streamed once
(``worksheet.py``), and the cells of the schema's fields go into a UTF-8 CSV with the same row
numbers (``sheet_csv.py``), which ``validate_csv`` checks. A cell that is not a string is written
as the text frictionless's field reader turns into the same typed value (``cell_text.py``; when
frictionless rejects it, a text it rejects too); where that text is not what frictionless prints
for the cell (``5.0``, ``2024-12-31 00:00:00``, ``None``), the printed cells of its row are kept
aside and the report's ``cells``, ``cell`` and ``message`` are put back to them. Labels beyond the
schema's fields are frictionless's ``extra-label`` errors; their columns are left out of the CSV,
which is exact as long as none of them makes a row frictionless calls blank not blank. Anything
else (a comment on the sheet, overlapping merges, a value no text types like frictionless does)
raises ``Unsupported``, and frictionless checks the file.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from time import perf_counter
from typing import Any

import frictionless
from frictionless import errors as ferrors
from frictionless.table.header import Header

from schemas.fastpath.engine import Unsupported, validate_csv
from schemas.fastpath.reader import CHUNK, Progress, workspace
from schemas.fastpath.sheet_csv import SheetWriter, write_sheet
from schemas.fastpath.worksheet import open_sheet
from schemas.report import ReportError, ReportTask
from schemas.sniff import Dialect, frictionless_resource

CELL_LEVEL = ("type-error", "constraint-error")


def _hashes(path: Path) -> tuple[int, str, str]:
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
    return path.stat().st_size, md5.hexdigest(), sha256.hexdigest()


def _kept_rows(aside: Path, numbers: set[int]) -> dict[int, list[str | None]]:
    rows: dict[int, list[str | None]] = {}
    if not numbers:
        return rows
    with aside.open(encoding="utf-8") as handle:
        for line in handle:
            number, _, cells = line.partition("\t")
            if int(number) in numbers:
                rows[int(number)] = json.loads(cells)
    return rows


def _restore(errors: list[ReportError], kept: dict[int, list[str | None]], width: int) -> None:
    """Put back the cells frictionless prints: the changed rows' own, the others' widened to the sheet."""
    templates = {"type-error": ferrors.TypeError.template, "constraint-error": ferrors.ConstraintError.template}
    for error in errors:
        number = error.get("rowNumber")
        if number is None or "cells" not in error:
            continue
        original = kept.get(number)
        if original is None:
            error["cells"] = error["cells"] + [""] * (width - len(error["cells"]))
            cell = "None" if error.get("cell") == "" else error.get("cell")
        else:
            original = original + [None] * (width - len(original))
            error["cells"] = ["" if v is None else v for v in original]
            value = original[error["fieldNumber"] - 1] if error["type"] in CELL_LEVEL else None
            cell = "None" if value is None else value
        if error["type"] in CELL_LEVEL and cell is not None and cell != error["cell"]:
            error["cell"] = cell
            error["message"] = templates[error["type"]].format(
                rowNumber=number,
                note=error["note"],
                cell=cell,
                fieldName=error["fieldName"],
                fieldNumber=error["fieldNumber"],
            )


def _header_errors(labels: list[str], schema: frictionless.Schema, dialect: Dialect) -> tuple[list[Any], int]:
    """frictionless's header errors for the sheet's labels, and how many the CSV's labels give."""
    n = len(schema.fields)
    fields = list(schema.fields)
    full = [dict(e.to_descriptor()) for e in Header(labels, fields=fields, row_numbers=[dialect.header_row]).errors]
    first = [
        dict(e.to_descriptor()) for e in Header(labels[:n], fields=fields, row_numbers=[dialect.header_row]).errors
    ]
    extra = [e for e in full if e["type"] == "extra-label"]
    if any(e["fieldNumber"] <= n for e in extra):
        raise Unsupported("an extra label among the fields")
    others = [{k: v for k, v in e.items() if k != "labels"} for e in full if e["type"] != "extra-label"]
    if others != [{k: v for k, v in e.items() if k != "labels"} for e in first]:
        raise Unsupported("header errors that depend on the labels beyond the fields")
    return full, len(first)


def validate_xlsx(
    path: Path,
    schema: frictionless.Schema,
    dialect: Dialect,
    *,
    limit_errors: int | None = None,
    progress: Progress | None = None,
) -> ReportTask:
    """The report task of the worksheet ``dialect.sheet`` of ``path`` checked against ``schema``."""
    started = perf_counter()
    if schema.has_defined("fields_match") and schema.fields_match != "exact":
        raise Unsupported("fields matched by name")
    if not schema.fields:
        raise Unsupported("a schema without fields")
    name = str(frictionless_resource(path, dialect=dialect).name)
    book = open_sheet(path, dialect.sheet)
    try:
        with workspace() as tmp, ThreadPoolExecutor(max_workers=1) as pool:
            hashing = pool.submit(_hashes, path)
            # Named as the workbook's resource, so that a foreign key naming it refers to the CSV.
            target, aside = Path(tmp) / f"{name}.csv", Path(tmp) / "kept.jsonl"
            writer = SheetWriter(book, schema, dialect.header_row, progress)
            sheet = write_sheet(writer, target, aside)
            if sheet.rows < dialect.header_row:
                raise Unsupported("no header row")
            labels = ["" if c is None else str(c).strip() for c in sheet.header]
            labels += [""] * (sheet.columns - len(labels))
            header_errors, replaced = _header_errors(labels, schema, dialect)
            csv_dialect = Dialect(header_row=dialect.header_row)
            extra = len(header_errors) - replaced
            limit = None if limit_errors is None else limit_errors + extra
            task = validate_csv(target, schema, csv_dialect, limit_errors=limit)
            errors = header_errors + task["errors"][replaced:]
            if limit_errors is not None:
                errors = errors[:limit_errors]
            numbers = {e["rowNumber"] for e in errors if "rowNumber" in e}
            _restore(errors, _kept_rows(aside, numbers) if sheet.marked else {}, sheet.columns)
            size, md5, sha256 = hashing.result()
    finally:
        book.close()
    if progress:
        progress(size, size)
    task["errors"] = errors
    task["valid"] = not errors
    task["labels"] = labels
    task["name"] = name
    task["place"] = path.name
    stats = task["stats"]
    stats["errors"], stats["bytes"], stats["md5"], stats["sha256"] = len(errors), size, md5, sha256
    stats["seconds"] = round(perf_counter() - started, 3)
    return task
