"""Reading one worksheet of a workbook as frictionless's load of it with openpyxl does, row by row.

``open_sheet`` finds the sheet's part and reads the workbook's shared strings and styles, without
the sheets. ``RowScanner`` then reads the rows straight from the sheet's XML text, for the plain
shapes spreadsheet programs write, giving the values openpyxl's parser gives; any other shape is
``PlainXmlError``, and ``ParsedRows`` reads the sheet with openpyxl's parser itself. Both give the
merged ranges and hyperlinks once the rows are read: they come after the rows in the XML.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl.packaging.relationship import RelationshipList, get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number
from openpyxl.xml.constants import COMMENTS_NS, SHEET_MAIN_NS

from schemas.fastpath.engine import Unsupported
from schemas.fastpath.reader import CHUNK
from schemas.sniff import sheet_part

MAX_MOMENTS = 100_000
SHEET_DATA = re.compile(r"<sheetData\s*(/?)>")
MAIN_NAMESPACE = re.compile(r'<worksheet\b[^>]*\sxmlns="' + re.escape(SHEET_MAIN_NS) + '"')
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ROW = re.compile(r'\s*<row r="([0-9]+)"[^>]*?(?:/>|>(.*?)</row>)', re.S)
CELL = re.compile(
    r'\s*<c r="([A-Z]{1,3})([0-9]+)"(?: s="([0-9]+)")?(?: t="([A-Za-z]+)")?\s*'
    r"(?:/>|>(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>)</c>|>(.*?)</c>)",
    re.S,
)
PLAIN_VALUE = re.compile(r"<v>([^<]*)</v>")
CELL_CONTENT = re.compile(
    r"\s*(?:<f\b[^>]*?(?:/>|>[^<]*</f>)\s*)?(?:<v>([^<]*)</v>|<v\s*/>)?\s*"
    r'(?:<is>\s*<t(?:\s+xml:space="preserve")?>([^<]*)</t>\s*</is>)?\s*'
)
ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


@dataclass
class Workbook:
    """What reading one worksheet needs: the archive, the sheet's part and the workbook's strings and styles."""

    reader: ExcelReader
    part: str
    rels: RelationshipList
    size: int

    def parser(self, source: Any) -> WorkSheetParser:
        """openpyxl's parser of the sheet as frictionless's load of the workbook runs it (values, no formulas)."""
        wb = self.reader.wb
        return WorkSheetParser(
            source,
            self.reader.shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )

    def close(self) -> None:
        """Close the workbook's archive."""
        self.reader.archive.close()


def open_sheet(path: Path, sheet: str | int) -> Workbook:
    """The worksheet frictionless would read (``sheet``: a name or the 1-based position among worksheets)."""
    try:
        reader = ExcelReader(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise Unsupported(f"cannot open the workbook: {exc}") from exc
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        part = sheet_part(reader, sheet)
        rels_path = get_rels_path(part)
        rels = get_dependents(reader.archive, rels_path) if rels_path in reader.valid_files else RelationshipList()
        if list(rels.find(COMMENTS_NS)):
            raise Unsupported("a sheet with comments")
    except Exception as exc:
        reader.archive.close()
        raise Unsupported(f"cannot read the sheet: {exc}") from exc
    return Workbook(reader, part, rels, path.stat().st_size)


class PlainXmlError(Exception):
    """The sheet's XML is not in the plain shape ``RowScanner`` reads: openpyxl's parser reads it."""


def _xml_text(raw: str) -> str:
    """Character data as an XML parser gives it: line ends normalised, entities replaced."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in raw:
        return raw
    found = ENTITY.findall(raw)
    if len(found) != raw.count("&"):
        raise PlainXmlError("an ampersand outside an entity")
    for name, decimal, hexadecimal in found:
        code = 0x20 if name else int(decimal) if decimal else int(hexadecimal, 16)
        if not (code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000):
            raise PlainXmlError("a character XML does not allow")
    return ENTITY.sub(lambda m: PREDEFINED[m[1]] if m[1] else chr(int(m[2]) if m[2] else int(m[3], 16)), raw)


class ParsedRows:
    """The rows of a worksheet as openpyxl's parser reads them, then its merged ranges and hyperlinks."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.merge_refs: list[str] = []
        self.links: list[tuple[str, str | None, str | None]] = []

    def _finish(self, parser: WorkSheetParser) -> None:
        found = parser.merged_cells
        self.merge_refs = [str(m.ref) for m in found.mergeCell] if found is not None else []
        self.links = [(str(link.ref), link.id, link.location) for link in parser.hyperlinks.hyperlink]

    def rows(self, source: Any) -> Iterator[tuple[int, list[Any]]]:
        parser = self.book.parser(source)
        for number, parsed in parser.parse():
            if not parsed:
                continue
            cells: list[Any] = [None] * max(c["column"] for c in parsed)
            for cell in parsed:
                if cell["row"] != number:
                    raise Unsupported("a cell outside its row")
                cells[cell["column"] - 1] = cell["value"]
            yield number, cells
        self._finish(parser)


class RowScanner(ParsedRows):
    """The same rows read straight from the XML text, several times quicker, for the shapes spreadsheet programs write.

    Rows and cells must be unprefixed elements of the main namespace, cells with ``r``, ``s`` and
    ``t`` attributes in that order holding a formula, a value or a one-run inline string. Anything
    else among the rows (comments, CDATA, rich text, other attributes) is ``PlainXmlError``. The
    rest of the document, with the rows left out, goes through openpyxl's parser, which checks it
    and finds the merged ranges and hyperlinks.
    """

    def rows(self, source: Any) -> Iterator[tuple[int, list[Any]]]:
        wb = self.book.reader.wb
        self.shared = self.book.reader.shared_strings
        self.epoch, self.dates, self.durations = wb.epoch, wb._date_formats, wb._timedelta_formats
        self.columns: dict[str, int] = {}
        self.moments: dict[tuple[str, int], Any] = {}
        self.date_styles = {str(style) for style in self.dates}
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        text, head, state = "", "", "head"
        while True:
            chunk = source.read(CHUNK)
            text += decoder.decode(chunk, final=not chunk)
            if state == "head" and (start := text.find("<sheetData")) >= 0:
                head, opening = text[:start], SHEET_DATA.match(text, start)
                if opening is None or "<!--" in head or not MAIN_NAMESPACE.search(head):
                    raise PlainXmlError("an unusual document head")
                state, text = ("tail" if opening[1] else "rows"), text[opening.end() :]
            if state == "rows":
                close = text.find("</sheetData>")
                cut = close if close >= 0 else text.rfind("</row>") + len("</row>")
                if close >= 0 or cut >= len("</row>"):
                    yield from self._body(text[:cut])
                    text = text[cut + len("</sheetData>") :] if close >= 0 else text[cut:]
                    state = "tail" if close >= 0 else "rows"
            if not chunk:
                break
        if state != "tail":
            raise PlainXmlError("no end of the rows")
        try:
            parser = self.book.parser(io.BytesIO((head + "<sheetData/>" + text).encode("utf-8")))
            for _ in parser.parse():
                raise PlainXmlError("rows outside sheetData")
        except ParseError as exc:
            raise PlainXmlError(str(exc)) from exc
        self._finish(parser)

    def _body(self, body: str) -> Iterator[tuple[int, list[Any]]]:
        if "<!" in body or "<?" in body or "xmlns" in body or CONTROL.search(body):
            raise PlainXmlError("comments, CDATA, namespaces or control characters among the rows")
        position = 0
        while row := ROW.match(body, position):
            position = row.end()
            cells = self._cells(row[1], row[2]) if row[2] else None
            if cells:
                yield int(row[1]), cells
        if body[position:].strip():
            raise PlainXmlError("something other than a row")

    def _cells(self, number: str, content: str) -> list[Any]:
        cells: list[Any] = []
        position, columns, dates = 0, self.columns, self.date_styles
        while cell := CELL.match(content, position):
            position = cell.end()
            letters, row, style, kind, raw, inline, inner = cell.groups()
            if row != number:
                raise Unsupported("a cell outside its row")
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = column_index_from_string(letters)
            if column > len(cells):
                cells.extend([None] * (column - len(cells)))
            if inner is not None:
                raw, inline = self._parts(inner)
            if kind == "inlineStr":
                if inline is not None:
                    cells[column - 1] = _xml_text(inline) if "&" in inline or "\r" in inline else inline
            elif raw:
                if "&" in raw or "\r" in raw:
                    raw = _xml_text(raw)
                if (kind is None or kind == "n") and (style or "0") not in dates:
                    cells[column - 1] = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
                else:
                    cells[column - 1] = self._value(raw, kind, int(style) if style else 0)
        if content[position:].strip():
            raise PlainXmlError("a cell in an unusual shape")
        return cells

    @staticmethod
    def _parts(inner: str) -> tuple[str | None, str | None]:
        """(value, inline string) of a cell holding more than a value."""
        parts = CELL_CONTENT.fullmatch(inner)
        if parts is None:
            raise PlainXmlError("a cell in an unusual shape")
        return parts[1], parts[2]

    def _value(self, raw: str, kind: str | None, style: int) -> Any:
        """The value of a cell of type ``kind`` whose ``<v>`` holds ``raw`` (not empty)."""
        if kind is None or kind == "n":
            if style in self.dates:
                key = (raw, style)
                value = self.moments.get(key, self)
                if value is self:
                    if len(self.moments) >= MAX_MOMENTS:
                        self.moments.clear()
                    try:
                        value = from_excel(_cast_number(raw), self.epoch, timedelta=style in self.durations)
                    except (OverflowError, ValueError):
                        value = "#VALUE!"
                    self.moments[key] = value
                return value
            return _cast_number(raw)
        if kind == "s":
            return self.shared[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return from_ISO8601(raw)
        return raw
