"""Where the rows of a CSV file come from, as SQL DuckDB reads once.

A source yields per table row the cells ``c1..cN`` of the schema's N fields (NULL where the row has
no such cell, '' where the cell is empty) and ``spare`` (not NULL when the row has more than N
cells); the normalized copy also gives ``rn`` (frictionless numbering: the header row is row
``header_row``), ``ncells`` and ``extras`` (the cells beyond the Nth). DuckDB parses the file
itself; the full cells of the few rows it cannot give exactly (extra cells) are re-read by Python's
csv module, the parser frictionless uses. frictionless numbers rows by CSV record, a blank line
being a record without cells: when the lines are not one record each (blank lines, which DuckDB
skips, or quoted line breaks), ``record_layout`` finds from the quotes of each line where the
records lie, and DuckDB's rows are numbered from it. Files the lines cannot tell (a quote left
open, a lone carriage return, a stray quote inside a cell) go through a normalized copy written by
Python's csv module.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from schemas import budget
from schemas.sniff import Dialect

CHUNK = 4 * 1024 * 1024
# Python's csv module ends a record at a lone carriage return too: lines alone cannot tell those files.
BARE_CARRIAGE_RETURN = re.compile(rb"\r(?!\n)")
ABSENT = "\x00absent\x00"
Progress = Callable[[int, int], None]


@dataclass
class FileStats:
    bytes: int
    md5: str
    sha256: str
    lines: int
    # Blanks before an opening quote: DuckDB drops them and unquotes, Python's csv module keeps the cell as is.
    spaced_quote: bool = False
    longest_line: int = 0


def _spaced_quote(dialect: Dialect) -> re.Pattern[bytes]:
    quote, delimiter = re.escape(dialect.quote_char.encode()), re.escape(dialect.delimiter.encode())
    return re.compile(rb"(?:^|[\n" + delimiter + rb"])[ \t]+" + quote)


def scan_file(path: Path, dialect: Dialect, progress: Progress | None = None, line_window: int = CHUNK) -> FileStats:
    """Hashes, size, physical line count, whether a quote follows blanks, and the longest line (exact up to
    ``line_window``), in one streaming pass."""
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    lengths = budget.LineLengths(line_window)
    total = path.stat().st_size
    done = lines = 0
    last = tail = b""
    quote, spaced = dialect.quote_char.encode(), _spaced_quote(dialect)
    spaced_quote = False
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            lines += chunk.count(b"\n")
            lengths.feed(chunk)
            done += len(chunk)
            last = chunk[-1:]
            if not spaced_quote and quote and quote in chunk:
                spaced_quote = spaced.search(tail + chunk) is not None
            tail = chunk[-256:]
            if progress:
                progress(done // 2, total)
    if last and last != b"\n":
        lines += 1
    return FileStats(
        bytes=total,
        md5=md5.hexdigest(),
        sha256=sha256.hexdigest(),
        lines=lines,
        spaced_quote=spaced_quote,
        longest_line=lengths.longest,
    )


def csv_options(dialect: Dialect) -> dict[str, Any]:
    """Python's csv module options that read the file as frictionless does."""
    options: dict[str, Any] = {
        "delimiter": dialect.delimiter,
        "quotechar": dialect.quote_char,
        "skipinitialspace": dialect.skip_initial_space,
    }
    if dialect.escape_char is not None:
        options["escapechar"] = dialect.escape_char
    return options


def utf8_text(path: Path, dialect: Dialect, workdir: Path) -> tuple[Path, Dialect]:
    """The file in UTF-8 (DuckDB reads UTF-8 only), copied when in another encoding, and how to read it."""
    if dialect.encoding in ("utf-8", "utf-8-sig"):
        return path, dialect
    target = workdir / "utf8.csv"
    decoder = codecs.getincrementaldecoder(dialect.encoding)()
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
        while chunk := source.read(CHUNK):
            sink.write(decoder.decode(chunk))
        sink.write(decoder.decode(b"", final=True))
    return target, replace(dialect, format="csv", encoding="utf-8")


def read_labels(path: Path, dialect: Dialect) -> list[str]:
    """The header row's labels, stripped as frictionless strips them."""
    with path.open(encoding=dialect.encoding, newline="") as handle:
        reader = csv.reader(handle, **csv_options(dialect))
        for number, row in enumerate(reader, start=1):
            if number == dialect.header_row:
                return [label.strip() for label in row]
    return []


def _columns(width: int) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, width + 1)) + "}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def direct_source(path: Path, dialect: Dialect, n: int, parallel: bool = True) -> str:
    """The rows as DuckDB parses them, in file order but not numbered, with one spare column to notice extra cells.

    DuckDB skips blank lines. Its parallel reader refuses quoted line breaks (with the padding of
    short rows): a file holding one is read on one thread.
    """
    cells = ", ".join(f"c{i}" for i in range(1, n + 1))
    return f"""SELECT {cells}, c{n + 1} AS spare FROM read_csv({_quote(str(path))}, header=false,
        skip={dialect.header_row}, delim={_quote(dialect.delimiter)}, quote={_quote(dialect.quote_char)},
        escape={_quote(dialect.quote_char)}, columns={_columns(n + 1)}, null_padding=true, strict_mode=false,
        nullstr={_quote(ABSENT)}, auto_detect=false, parallel={str(parallel).lower()})"""


@dataclass
class Layout:
    """How the records of a file lie on its lines when some are blank or run over several lines.

    Records are numbered as Python's csv module reads them, header rows included, which is
    frictionless's row numbering; ``blank`` are the blank records after the header, ``spans`` the
    records over several lines as (record, first line, lines).
    """

    records: int
    blank: list[int] = field(default_factory=list)
    spans: list[tuple[int, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [record for record, _, _ in self.spans]
        self._extra = [0]
        for _, _, lines in self.spans:
            self._extra.append(self._extra[-1] + lines - 1)

    def lines(self, record: int) -> tuple[int, int]:
        """The first line of ``record`` and its number of lines."""
        before = bisect.bisect_left(self._starts, record)
        if before < len(self._starts) and self._starts[before] == record:
            return self.spans[before][1], self.spans[before][2]
        return record + self._extra[before], 1


def _blocks(path: Path, size: int) -> Iterator[bytes]:
    """The file in blocks of whole lines, each ending with its line feed (the last one maybe without)."""
    carry = b""
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            block = carry + chunk
            cut = block.rfind(b"\n") + 1
            carry = block[cut:]
            if cut:
                yield block[:cut]
    if carry:
        yield carry


def _blank_lines(block: bytes) -> list[int]:
    """Where the lines of ``block`` holding nothing, or only a carriage return, start: records without cells."""
    starts = [0] if block.startswith((b"\n", b"\r\n")) else []
    for gap in (b"\n\n", b"\n\r\n") if b"\r" in block else (b"\n\n",):
        at = block.find(gap)
        while at >= 0:
            starts.append(at + 1)
            at = block.find(gap, at + 1)
    return sorted(starts)


class _RecordScanner:
    """Follows the records line by line; blocks with no quoted line break are counted without a loop."""

    def __init__(self, quote: bytes) -> None:
        self.quote = quote
        # A quoted cell on one line: what remains of a block without them shows the quotes that matter.
        self.quoted_cell = re.compile(re.escape(quote) + b"[^" + re.escape(quote) + b"\n]*" + re.escape(quote))
        self.blank: list[int] = []
        self.spans: list[tuple[int, int, int]] = []
        self.record = self.number = self.first = 0
        self.inside = False

    def read(self, block: bytes) -> bool:
        """Take in one block; False when the lines cannot tell the records."""
        if self.inside or self.quote in self.quoted_cell.sub(b"", block):
            return self._lines(block)
        if b"\r" in block and BARE_CARRIAGE_RETURN.search(block):
            return False
        seen = start = 0
        for line_start in _blank_lines(block):
            seen += block.count(b"\n", start, line_start)
            start = line_start
            self.blank.append(self.record + seen + 1)
        lines = block.count(b"\n") + (not block.endswith(b"\n"))
        self.number += lines
        self.record += lines
        return True

    def _lines(self, block: bytes) -> bool:
        lines = block.split(b"\n")
        if block.endswith(b"\n"):
            lines.pop()
        for line in lines:
            self.number += 1
            if not self.inside:
                self.record, self.first = self.record + 1, self.number
                if line == b"" or line == b"\r":
                    self.blank.append(self.record)
                    continue
                if b"\r" in line[:-1]:
                    return False
            if self.quote in line and line.count(self.quote) % 2:
                self.inside = not self.inside
                if not self.inside:
                    self.spans.append((self.record, self.first, self.number - self.first + 1))
        return True


def record_layout(path: Path, dialect: Dialect) -> Layout | None:
    """Where the records of the UTF-8 file ``path`` are, found from the quotes of each line.

    None when the lines alone cannot tell it as Python's csv module would: a quote left open at the
    end, a carriage return inside a line, a blank or broken record among the header rows, or a
    record over several lines that Python's csv module does not read as one.
    """
    scanner = _RecordScanner(dialect.quote_char.encode())
    # Small blocks: only those holding a quoted line break are read line by line.
    if not all(scanner.read(block) for block in _blocks(path, 256 * 1024)) or scanner.inside:
        return None
    if any(r <= dialect.header_row for r in scanner.blank + [r for r, _, _ in scanner.spans]):
        return None
    layout = Layout(records=scanner.record, blank=scanner.blank, spans=scanner.spans)
    if layout.spans and not _one_record_each(path, dialect, layout):
        return None
    return layout


def _one_record_each(path: Path, dialect: Dialect, layout: Layout) -> bool:
    """Whether Python's csv module reads each span of ``layout`` as one record."""
    wanted = sorted(line for _, start, lines in layout.spans for line in range(start, start + lines))
    text = {number: line.decode() for number, line in _physical_lines(path, wanted)}
    for _, start, lines in layout.spans:
        pieces = [text[number] + "\n" for number in range(start, start + lines)]
        records = list(csv.reader(pieces, **csv_options(dialect)))
        if len(records) != 1:
            return False
    return True


def normalized_source(path: Path, dialect: Dialect, n: int, workdir: Path) -> tuple[str, int]:
    """Parse with Python's csv module into a normalized copy: (its source, rows)."""
    normalized = workdir / "normalized.csv"
    rows = 0
    with (
        path.open(encoding=dialect.encoding, newline="") as source,
        normalized.open("w", encoding="utf-8", newline="") as sink,
    ):
        reader = csv.reader(source, **csv_options(dialect))
        writer = csv.writer(sink)
        meter = budget.current()
        for number, cells in enumerate(reader, start=1):
            if meter is not None:
                meter.check_columns(len(cells))
            if number <= dialect.header_row:
                continue
            padded = cells[:n] + [ABSENT] * (n - len(cells))
            extras = json.dumps(cells[n:], ensure_ascii=False) if len(cells) > n else ""
            writer.writerow([number, len(cells), extras, *padded])
            rows += 1
    columns = "{'rn': 'BIGINT', 'ncells': 'INTEGER', 'extras': 'VARCHAR', " + _columns(n)[1:]
    source_sql = f"""SELECT rn, ncells, CASE WHEN extras = '' THEN NULL
        ELSE from_json(extras, '["VARCHAR"]') END AS extras,
        {", ".join(f"c{i}" for i in range(1, n + 1))}, CASE WHEN extras = '' THEN NULL ELSE extras END AS spare
        FROM read_csv({_quote(str(normalized))}, header=false, columns={columns}, nullstr={_quote(ABSENT)},
        auto_detect=false, quote='"', escape='"')"""
    return source_sql, rows


def _physical_lines(path: Path, numbers: list[int]) -> Iterator[tuple[int, bytes]]:
    """The lines ``numbers`` (1-based, ascending) of ``path``, without their line feed."""
    wanted = iter(numbers)
    target = next(wanted, None)
    first, carry = 1, b""
    with path.open("rb") as handle:
        while target is not None and (chunk := handle.read(CHUNK)):
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop()
            end = first + len(lines)
            while target is not None and target < end:
                yield target, lines[target - first]
                target = next(wanted, None)
            first = end
    if target == first and carry:
        yield target, carry


def fetch_rows(path: Path, dialect: Dialect, numbers: list[int], layout: Layout | None = None) -> dict[int, list[str]]:
    """The rows ``numbers`` as Python's csv module reads their lines (row numbers are line numbers
    unless ``layout`` says where the records are)."""
    encoding = "utf-8" if dialect.encoding == "utf-8-sig" else dialect.encoding
    places = {number: layout.lines(number) if layout else (number, 1) for number in set(numbers)}
    wanted = sorted({line for start, lines in places.values() for line in range(start, start + lines)})
    text = {number: line.decode(encoding) for number, line in _physical_lines(path, wanted)}
    rows = {}
    meter = budget.current()
    for number, (start, lines) in places.items():
        if start not in text:
            continue
        # One reader per record: a quote left open must not run on into the next row.
        pieces = [text[line] + "\n" for line in range(start, start + lines - 1)] + [text[start + lines - 1]]
        rows[number] = next(csv.reader(pieces, **csv_options(dialect)))
        if meter is not None:
            meter.check_columns(len(rows[number]))
    return rows


def workspace() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="terbuka-validate-")
