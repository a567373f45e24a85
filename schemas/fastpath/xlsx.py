"""Checking an Excel workbook with the CSV fast path, reporting what frictionless reports.

frictionless loads a worksheet whole with openpyxl (merged cells filled with their top-left value)
and reads it as rows of typed cells (str, int, float, bool, datetime, None), every row as wide as
the sheet's widest, from row 1 to the sheet's last. Here the sheet's XML is streamed once
(``worksheet.py``), and the cells of the schema's fields go into a UTF-8 CSV with the same row
numbers, which ``validate_csv`` checks. A cell that is not a string is written as the text frictionless's field
reader turns into the same typed value (or, when frictionless rejects it, a text it rejects too);
where that text is not what frictionless prints for the cell (``5.0``, ``2024-12-31 00:00:00``,
``None``), the printed cells of its row are kept aside and the report's ``cells``, ``cell`` and
``message`` are put back to them. Labels beyond the schema's fields are frictionless's
``extra-label`` errors; their columns are left out of the CSV, which is exact as long as none of
them makes a row frictionless calls blank not blank. Anything else (a comment on the sheet,
overlapping merges, a value no text types like frictionless does) raises ``Unsupported``, and
frictionless checks the file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from time import perf_counter
from typing import Any

import frictionless
from frictionless import errors as ferrors
from frictionless.table.header import Header
from openpyxl.utils.cell import range_boundaries

from schemas import budget
from schemas.fastpath.engine import Unsupported, validate_csv
from schemas.fastpath.reader import CHUNK, Progress, workspace
from schemas.fastpath.worksheet import ParsedRows, RowScanner, Workbook, open_sheet
from schemas.report import ReportError, ReportTask
from schemas.sniff import Dialect, frictionless_resource

# Texts for cells frictionless rejects, tried in turn until the field's reader rejects one too.
INVALID_TEXTS = ("\x1finvalid\x1f", "-\x1f-")
MAX_CACHED = 100_000
MAX_MERGES = 10_000
# Rows above the header: only their count matters to the CSV path.
PLACEHOLDER = ["-"]
CELL_LEVEL = ("type-error", "constraint-error")
Merge = tuple[int, int, int, int]


def _same(left: Any, right: Any) -> bool:
    """Whether two typed values are the same for frictionless's checks and print the same."""
    if left is None or right is None:
        return left is None and right is None
    return bool(left == right) and str(left) == str(right)


class CellWriter:
    """How the cells of one field are written so that the CSV path types them as frictionless does."""

    def __init__(self, schema_field: frictionless.Field, missing_values: list[str]) -> None:
        self.field = schema_field
        self.reader = schema_field.create_value_reader()
        self.missing = set(missing_values)
        self.null = "" if "" in self.missing else (missing_values[0] if missing_values else None)
        self.invalid = next((t for t in INVALID_TEXTS if t not in self.missing and self.reader(t) is None), None)
        self.cache: dict[tuple[type, Any], tuple[str, bool]] = {}
        options: Any = schema_field
        plain_number = (
            schema_field.type == "number"
            and options.decimal_char == "."
            and (not options.group_char or options.group_char not in "0123456789.-+eE")
        )
        # Types whose ``str()`` frictionless's reader of the field reads back to the very same value.
        self.plain: tuple[type, ...] = ()
        if schema_field.type == "integer":
            self.plain = (int,)
        elif plain_number:
            self.plain = (int, float)

    def text(self, value: Any) -> tuple[str, bool]:
        """The CSV text of a cell and whether it differs from what frictionless prints for it."""
        if value is None:
            if self.null is None:
                raise Unsupported(f"an empty cell in field {self.field.name!r}, which has no missing value")
            return self.null, self.null != ""
        kind = type(value)
        if kind is str:
            return value, value == ""
        if kind in self.plain and (kind is int or math.isfinite(value)):
            printed = str(value)
            if printed not in self.missing:
                return printed, False
        key = (kind, value)
        cached = self.cache.get(key)
        if cached is None:
            cached = self._text(value)
            if kind is not float or value != 0:
                if len(self.cache) >= MAX_CACHED:
                    self.cache.clear()
                self.cache[key] = cached
        return cached

    def _text(self, value: Any) -> tuple[str, bool]:
        printed = str(value)
        if printed in self.missing:
            return printed, False
        target = self.reader(value)
        if _same(self.reader(printed), target):
            return printed, False
        text = self.invalid if target is None else self._canonical(target)
        if text is None or text in self.missing or not _same(self.reader(text), target):
            raise Unsupported(f"a {type(value).__name__} cell {printed!r} in field {self.field.name!r}")
        return text, True

    def _canonical(self, target: Any) -> str | None:
        """The text frictionless reads as ``target``, to be checked by reading it back."""
        options: Any = self.field
        kind, form = self.field.type, self.field.format
        if kind in ("integer", "year"):
            return f"{int(target):04d}" if kind == "year" else str(int(target))
        if kind == "number":
            return str(target).replace(".", options.decimal_char)
        if kind == "boolean":
            values = options.true_values if target else options.false_values
            return str(values[0]) if values else None
        if kind in ("date", "datetime", "time") and isinstance(target, (date, time)):
            return target.isoformat() if form in ("default", "any") else target.strftime(form)
        return None


@dataclass
class Layout:
    """What openpyxl does to cells after reading them: merged ranges filled, empty hyperlinked cells given the link."""

    merges: list[Merge] = field(default_factory=list)
    links: dict[int, list[tuple[int, Any]]] = field(default_factory=dict)

    @property
    def extent(self) -> tuple[int, int]:
        rows = max([*(m[2] for m in self.merges), *self.links], default=0)
        linked = (column for cells in self.links.values() for column, _ in cells)
        columns = max([*(m[3] for m in self.merges), *linked], default=0)
        return rows, columns


@dataclass
class Sheet:
    """What one pass over the worksheet found: its extent, merged ranges and header."""

    rows: int = 0
    columns: int = 0
    layout: Layout | None = None
    header: list[Any] = field(default_factory=list)
    marked: int = 0


def _merges(refs: list[str]) -> list[Merge]:
    if len(refs) > MAX_MERGES:
        raise Unsupported("too many merged ranges")
    merges = []
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        merges.append((int(min_row), int(min_col), int(max_row), int(max_col)))
    for i, (r1, c1, r2, c2) in enumerate(merges):
        for s1, d1, s2, d2 in merges[i + 1 :]:
            if r1 <= s2 and s1 <= r2 and c1 <= d2 and d1 <= c2:
                raise Unsupported("overlapping merged ranges")
    return merges


def _layout(reader: ParsedRows, book: Workbook) -> Layout:
    """The merged ranges and hyperlinks the reader found (openpyxl sets a link's target on its empty cells)."""
    layout = Layout(merges=_merges(reader.merge_refs))
    for ref, rel_id, location in reader.links:
        value = (book.rels.get(rel_id).Target if rel_id else None) or location
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        for row in range(int(min_row), int(max_row) + 1):
            layout.links.setdefault(row, []).extend((column, value) for column in range(int(min_col), int(max_col) + 1))
    if layout.merges and layout.links:
        raise Unsupported("merged ranges and hyperlinks in one sheet")
    return layout


class Reading:
    """The sheet's XML being read, reported to ``progress`` as the same share of the workbook's bytes."""

    def __init__(self, source: Any, total: int, size: int, progress: Progress | None) -> None:
        self.source, self.total, self.size, self.progress = source, max(total, 1), size, progress
        self.done = 0

    def read(self, n: int = -1) -> bytes:
        chunk: bytes = self.source.read(n)
        self.done += len(chunk)
        if self.progress:
            self.progress(min(self.size * self.done // self.total, self.size - 1), self.size)
        return chunk


class SheetWriter:
    """One pass over the sheet, writing the CSV and the printed cells of the rows it changed."""

    def __init__(
        self, book: Workbook, schema: frictionless.Schema, header_row: int, progress: Progress | None = None
    ) -> None:
        self.book = book
        self.header_row = header_row
        self.progress = progress
        self.writers = []
        for schema_field in schema.fields:
            missing = schema_field.missing_values
            if not schema_field.has_defined("missing_values"):
                missing = schema.missing_values
            self.writers.append(CellWriter(schema_field, list(missing)))
        self.blank = [w.missing for w in self.writers]
        self.tops: dict[Merge, Any] = {}

    @staticmethod
    def _rows(source: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
        last = 0
        for number, cells in source:
            if number <= last:
                raise Unsupported("rows out of order")
            last = number
            yield number, cells

    def _complete(self, number: int, cells: list[Any], layout: Layout) -> list[Any]:
        """``cells`` with the empty hyperlinked cells given their link and the merged ranges their top-left value."""
        for column, value in layout.links.get(number, ()):
            if len(cells) < column:
                cells.extend([None] * (column - len(cells)))
            if cells[column - 1] is None:
                cells[column - 1] = value
        for merge in layout.merges:
            r1, c1, r2, c2 = merge
            if r1 <= number <= r2:
                if len(cells) < c2:
                    cells.extend([None] * (c2 - len(cells)))
                if number == r1:
                    self.tops[merge] = cells[c1 - 1]
                cells[c1 - 1 : c2] = [self.tops.get(merge)] * (c2 - c1 + 1)
        return cells

    def write(self, target: Path, aside: Path, layout: Layout | None, reader: ParsedRows) -> Sheet:
        """Write the CSV and the rows aside; ``layout`` None means the sheet is taken to have neither merges nor links.

        When it has, the pass stops at the end with ``Sheet.layout`` set, for another pass to apply it.
        """
        sheet = Sheet(layout=layout)
        known = layout or Layout()
        self.tops = {}
        archive = self.book.reader.archive
        with (
            archive.open(self.book.part) as part,
            target.open("w", encoding="utf-8", newline="") as sink,
            aside.open("w", encoding="utf-8") as kept,
        ):
            meter = budget.current()
            metered = budget.MeteredStream(part, meter)
            source = Reading(metered, archive.getinfo(self.book.part).file_size, self.book.size, self.progress)
            # With CRLF line ends the csv module quotes a lone CR too, which a reader would take for a line end.
            out = csv.writer(sink, lineterminator="\r\n")
            written = read = 0
            for number, cells in self._rows(reader.rows(source)):
                while written + 1 < number:
                    written += 1
                    self._write_row(out, kept, written, self._complete(written, [], known), sheet)
                written = number
                cells = self._complete(number, cells, known)
                if meter is not None:
                    read += len(cells)
                    meter.check_columns(len(cells))
                    meter.check_cells(read)
                sheet.columns = max(sheet.columns, len(cells))
                self._write_row(out, kept, number, cells, sheet)
            found = _layout(reader, self.book)
            if layout is None and (found.merges or found.links):
                sheet.layout = found
                return sheet
            extent_rows, extent_columns = found.extent
            sheet.rows = max(written, extent_rows)
            sheet.columns = max(sheet.columns, extent_columns)
            while written < sheet.rows:
                written += 1
                self._write_row(out, kept, written, self._complete(written, [], known), sheet)
        if sheet.columns < len(self.writers):
            raise Unsupported("fewer columns than fields")
        return sheet

    def _write_row(self, writer: Any, kept: Any, number: int, cells: list[Any], sheet: Sheet) -> None:
        n = len(self.writers)
        if number < self.header_row:
            writer.writerow(PLACEHOLDER)
            return
        if number == self.header_row:
            sheet.header = list(cells)
            labels = ["" if c is None else str(c).strip() for c in cells[:n]]
            writer.writerow(labels + [""] * (n - len(labels)))
            return
        if len(cells) < n:
            cells = cells + [None] * (n - len(cells))
        texts = []
        marked = False
        for value, cell_writer in zip(cells, self.writers, strict=False):
            if type(value) is str:
                texts.append(value)
                marked = marked or not value
            else:
                text, changed = cell_writer.text(value)
                texts.append(text)
                marked = marked or changed
        if len(cells) > n and any(v is not None and str(v) != "" for v in cells[n:]):
            marked = True
            if all(v is None or str(v) in blank for v, blank in zip(cells, self.blank, strict=False)):
                raise Unsupported("a row blank in the schema's fields but not in the columns beyond them")
        writer.writerow(texts)
        if marked:
            sheet.marked += 1
            kept.write(f"{number}\t{json.dumps([None if v is None else str(v) for v in cells])}\n")


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


def _write(writer: SheetWriter, target: Path, aside: Path) -> Sheet:
    """The sheet written to CSV: by the scanner where its XML is plain, else by openpyxl's parser."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _write_with(writer, target, aside, RowScanner(writer.book))
        except Unsupported:
            raise
        except Exception:
            # Whatever the scanner does not read, openpyxl's parser reads or refuses as frictionless would.
            pass
        try:
            return _write_with(writer, target, aside, ParsedRows(writer.book))
        except Unsupported:
            raise
        except Exception as exc:
            raise Unsupported(f"an unreadable sheet: {exc}") from exc


def _write_with(writer: SheetWriter, target: Path, aside: Path, reader: ParsedRows) -> Sheet:
    sheet = writer.write(target, aside, None, reader)
    if sheet.layout is not None:
        sheet = writer.write(target, aside, sheet.layout, reader)
    return sheet


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
            sheet = _write(writer, target, aside)
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
