"""One pass over a worksheet's XML, writing the cells of the schema's fields as a UTF-8 CSV.

Rows keep their numbers; merged ranges get their top-left value and empty hyperlinked cells their
link, as openpyxl does; rows whose CSV text is not what frictionless prints for them are kept aside
with their printed cells.
"""

from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frictionless
from openpyxl.utils.cell import range_boundaries

from schemas import budget
from schemas.fastpath.cell_text import CellWriter
from schemas.fastpath.engine import Unsupported
from schemas.fastpath.reader import Progress
from schemas.fastpath.worksheet import ParsedRows, RowScanner, Workbook

MAX_MERGES = 10_000
# Rows above the header: only their count matters to the CSV path.
PLACEHOLDER = ["-"]
Merge = tuple[int, int, int, int]


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


def write_sheet(writer: SheetWriter, target: Path, aside: Path) -> Sheet:
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
