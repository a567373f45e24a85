"""Sniffing how a tabular file is written (format, encoding, delimiter, header row), once for both validators.

Indonesian exports often come from Excel: ``;`` separators, Windows-1252 or UTF-8 with a BOM, and a
title row above the header. Both the frictionless path and the fast path read the file with the
dialect sniffed here, so they never disagree about what the cells are.
"""

from __future__ import annotations

import csv
import io
import json
from copy import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import frictionless
from frictionless import settings as frictionless_settings
from frictionless.fields import AnyField
from frictionless.formats.csv import CsvControl
from frictionless.formats.excel import ExcelControl
from frictionless.table.label_matching import deduplicate_names
from openpyxl.xml.constants import SHEET_MAIN_NS

from schemas import budget

SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 10
DELIMITERS = (",", ";", "\t", "|")
EXCEL_FORMATS = ("xlsx", "xlsm")
VALUE_TAGS = (f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}t")  # a cell's value, or its inline text


@dataclass(frozen=True)
class Dialect:
    """How to read a file: ``header_row`` is the 1-based row holding the labels (0: the file has none).

    ``guesses`` say which reading aids of Terbuka's were applied (a title row skipped, an encoding
    assumed); the report carries them as warnings.
    """

    format: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ","
    quote_char: str = '"'
    header_row: int = 1
    sheet: str | int = 1
    skip_initial_space: bool = False
    escape_char: str | None = None
    guesses: tuple[str, ...] = ()


def detect_format(path: Path, format: str | None = None) -> str:
    if format:
        return format.lower().lstrip(".")
    suffix = path.suffix.lower().lstrip(".")
    if suffix:
        return suffix
    with path.open("rb") as handle:
        magic = handle.read(4)
    return "xlsx" if magic == b"PK\x03\x04" else "csv"


def _sniff_encoding(sample: bytes, complete: bool) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multibyte character cut by the end of the sample is still UTF-8.
        if complete or exc.start < len(sample) - 3:
            return "cp1252"
    return "utf-8"


def _sniff_delimiter(first_line: str, quote_char: str) -> str:
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == quote_char:
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_row(rows: list[list[Any]]) -> int:
    """Skip title rows: rows with one value above a header of two or more that data rows follow."""
    widths = [sum(1 for cell in row if cell not in (None, "")) for row in rows[:SAMPLE_ROWS]]
    for number, width in enumerate(widths, start=1):
        if width >= 2:
            followed = any(w >= 2 for w in widths[number:])
            return number if number > 1 and followed and widths[0] == 1 else 1
        if width == 0 and number == 1:
            break
    return 1


def sheet_part(reader: Any, sheet: str | int) -> str:
    """The archive path of a worksheet of an openpyxl ``ExcelReader`` whose workbook part is read, by name
    or by 1-based position among the worksheets (chart sheets do not count), as frictionless finds it."""
    sheets = [
        (s.name, rel.target)
        for s, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    return dict(sheets)[sheet] if isinstance(sheet, str) else sheets[sheet - 1][1]


def _excel_rows(path: Path, sheet: str | int) -> list[list[Any]]:
    """Which cells of a worksheet's first rows hold a value (1) or not (None): all the header row needs.

    The sheet's XML is streamed and its strings are left unresolved, so a large workbook costs
    nothing here. A workbook or sheet that cannot be read gives no rows: validation reports why."""
    from openpyxl.reader.excel import ExcelReader

    with path.open("rb") as handle:  # a stored file has no extension for openpyxl to trust
        try:
            reader = ExcelReader(handle, read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_workbook()
            rows: list[list[Any]] = []
            with reader.archive.open(sheet_part(reader, sheet)) as xml:
                for _, element in ElementTree.iterparse(budget.MeteredStream(xml, budget.current())):
                    if element.tag != f"{{{SHEET_MAIN_NS}}}row":
                        continue
                    number = int(element.get("r") or len(rows) + 1)
                    rows.extend([] for _ in range(min(number, SAMPLE_ROWS + 1) - 1 - len(rows)))
                    if number > SAMPLE_ROWS:
                        break
                    rows.append(
                        [
                            1 if any((t.text or "") for t in cell.iter() if t.tag in VALUE_TAGS) else None
                            for cell in element
                        ]
                    )
                    element.clear()
            reader.archive.close()
            return rows
        except budget.BudgetExceeded:
            raise
        except Exception:  # any unreadable workbook: frictionless names the problem
            return []


def _header_override(overrides: dict[str, Any]) -> int | None:
    """The header row the caller gave: ``header_row``, or 0 for ``header: false``."""
    return 0 if overrides.get("header") is False else overrides.get("header_row")


def _title_guess(header_row: int) -> tuple[str, ...]:
    if header_row <= 1:
        return ()
    return (f"header read from row {header_row}: the rows above it were taken for a title",)


def sniff_dialect(path: str | Path, format: str | None = None, **overrides: Any) -> Dialect:
    """The dialect of ``path`` with Terbuka's reading aids for files that come without a schema or dialect
    (a title row above the header, Windows-1252 when not UTF-8); ``overrides`` (e.g. ``delimiter=";"``,
    ``header=False``) win over what is sniffed."""
    path = Path(path)
    fmt = detect_format(path, format)
    given_header = _header_override(overrides)
    if fmt in EXCEL_FORMATS:
        sheet = overrides.get("sheet", 1)
        header_row = _header_row(_excel_rows(path, sheet)) if given_header is None else given_header
        guesses = _title_guess(header_row) if given_header is None else ()
        return Dialect(format=fmt, header_row=header_row, sheet=sheet, guesses=guesses)
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        complete = not handle.read(1)
    encoding = overrides.get("encoding") or _sniff_encoding(sample, complete)
    text = sample.decode(encoding, errors="replace")
    quote_char = overrides.get("quote_char", '"')
    lines = text.splitlines()
    delimiter = overrides.get("delimiter") or _sniff_delimiter(lines[0] if lines else "", quote_char)
    if not complete and lines:
        lines = lines[:-1]
    rows = list(csv.reader(io.StringIO("\n".join(lines[: SAMPLE_ROWS * 2])), delimiter=delimiter))
    header_row = _header_row(rows) if given_header is None else given_header
    guesses = _title_guess(header_row) if given_header is None else ()
    if encoding == "cp1252" and not overrides.get("encoding"):
        guesses += ("the file is not UTF-8: read as Windows-1252",)
    return Dialect(
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        quote_char=quote_char,
        header_row=header_row,
        guesses=guesses,
    )


def frictionless_dialect(path: str | Path, format: str | None = None, **overrides: Any) -> Dialect | None:
    """How frictionless itself reads the CSV file ``path``: its encoding detection, its csv.Sniffer choice of
    delimiter, quote and leading spaces, and its header row (the first row about as wide as the others),
    ``overrides`` honoured as frictionless honours a given dialect. None when frictionless cannot open it.
    """
    path = Path(path)
    encoding = overrides.get("encoding")
    if encoding is None:
        # frictionless's detection says UTF-8 for a sample that decodes as UTF-8; deciding that here
        # spares its charset detection.
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
            complete = not handle.read(1)
        sniffed = _sniff_encoding(sample, complete)
        encoding = None if sniffed == "cp1252" else sniffed
    control = CsvControl()
    for key in ("delimiter", "quote_char", "skip_initial_space"):
        if key in overrides:
            setattr(control, key, overrides[key])
    options: dict[str, Any] = {"controls": [control]}
    given_header = _header_override(overrides)
    if given_header == 0:
        options["header"] = False
    elif given_header is not None:
        options["header_rows"] = [given_header]
    resource = frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        format=detect_format(path, format),
        encoding=encoding,
        dialect=frictionless.Dialect(**options),
        # Given a schema, frictionless reads the dialect without inferring one (the costly part).
        schema=frictionless.Schema(fields=[AnyField(name="field")]),
        detector=Detector(),
    )
    try:
        with resource:
            read = resource.dialect.get_control("csv")
            assert isinstance(read, CsvControl)
            header_rows = resource.dialect.header_rows if resource.dialect.header else []
            if len(header_rows) > 1:
                return None
            return Dialect(
                format=str(resource.format),
                encoding=str(resource.encoding),
                delimiter=read.delimiter,
                quote_char=read.quote_char,
                header_row=header_rows[0] if header_rows else 0,
                skip_initial_space=read.skip_initial_space,
                escape_char=read.escape_char,
            )
    except (frictionless.FrictionlessException, UnicodeDecodeError, csv.Error):
        return None


@lru_cache(maxsize=8)
def _runner_fields(candidates: tuple[str, ...]) -> tuple[frictionless.Field, ...]:
    """The candidate fields schema detection tries, built once per process (they are never changed)."""
    fields = []
    for candidate in candidates:
        descriptor = json.loads(candidate)
        descriptor["name"] = "shared"
        fields.append(frictionless.Field.from_descriptor(descriptor))
    return tuple(fields)


class Detector(frictionless.Detector):
    """frictionless's detector, with the candidate fields of schema detection built once per process.

    Building them is most of the cost of validating a small file without a schema. The inference
    below is frictionless 5's own for a detector with default settings (a test checks both infer the
    same schemas); any other case is left to frictionless.
    """

    def detect_schema(
        self,
        fragment: Any,
        *,
        labels: list[str] | None = None,
        schema: frictionless.Schema | None = None,
        field_candidates: list[dict[str, Any]] = frictionless_settings.DEFAULT_FIELD_CANDIDATES,
        **options: Any,
    ) -> frictionless.Schema:
        names = deduplicate_names([name or f"field{index}" for index, name in enumerate(copy(labels or []), 1)])
        if (
            schema
            or not fragment
            or not names
            or self.field_type
            or self.schema_patch
            or self.field_names
            or self.field_float_numbers
            or self.field_missing_values != frictionless_settings.DEFAULT_MISSING_VALUES
            or self.field_true_values != frictionless_settings.DEFAULT_TRUE_VALUES
            or self.field_false_values != frictionless_settings.DEFAULT_FALSE_VALUES
        ):
            return super().detect_schema(
                fragment, labels=labels, schema=schema, field_candidates=field_candidates, **options
            )
        result = frictionless.Schema(fields=[])
        shared = _runner_fields(tuple(json.dumps(c, sort_keys=True) for c in field_candidates))
        runners: list[list[dict[str, Any]]] = [[{"field": field, "score": 0} for field in shared] for _ in names]
        fields: list[frictionless.Field | None] = [None] * len(names)
        max_score = [len(fragment)] * len(names)
        threshold = len(fragment) * (self.field_confidence - 1)
        for cells in fragment:
            for index, name in enumerate(names):
                if fields[index] is not None:
                    continue
                source = cells[index] if len(cells) > index else None
                is_missing = source in self.field_missing_values
                if is_missing:
                    max_score[index] -= 1
                for runner in runners[index]:
                    if runner["score"] < threshold:
                        continue
                    if not is_missing:
                        _, notes = runner["field"].read_cell(source)
                        runner["score"] += 1 if not notes else -1
                    if max_score[index] > 0 and runner["score"] >= max_score[index] * self.field_confidence:
                        field = runner["field"].to_copy()
                        field.name = name
                        field.schema = result
                        fields[index] = field
                        break
        result.fields = [field or AnyField(name=name, schema=result) for field, name in zip(fields, names, strict=True)]
        return result


def frictionless_resource(
    path: Path,
    *,
    schema: frictionless.Schema | None = None,
    dialect: Dialect | dict[str, Any] | None = None,
    format: str | None = None,
) -> frictionless.Resource:
    """A frictionless resource reading ``path`` with the sniffed (or given) dialect."""
    if not isinstance(dialect, Dialect):
        dialect = sniff_dialect(path, format, **(dialect or {}))
    if dialect.format in EXCEL_FORMATS:
        control: frictionless.Control = ExcelControl(sheet=dialect.sheet, fill_merged_cells=True)
        encoding = None
    else:
        control = CsvControl(
            delimiter=dialect.delimiter, quote_char=dialect.quote_char, skip_initial_space=dialect.skip_initial_space
        )
        if dialect.escape_char is not None:
            control.escape_char = dialect.escape_char
        encoding = dialect.encoding
    options: dict[str, Any] = {}
    if schema is not None:
        options["schema"] = schema
    header: dict[str, Any] = {"header_rows": [dialect.header_row]} if dialect.header_row else {"header": False}
    return frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        format=dialect.format,
        encoding=encoding,
        detector=Detector(),
        dialect=frictionless.Dialect(**header, controls=[control]),
        **options,
    )
