"""Where the rows of a CSV file come from, as SQL DuckDB reads once.

A source yields per table row the cells ``c1..cN`` of the schema's N fields (NULL where the row has
no such cell, '' where the cell is empty) and ``spare`` (not NULL when the row has more than N
cells); the normalized copy also gives ``rn`` (frictionless numbering: the header row is row
``header_row``), ``ncells`` and ``extras`` (the cells beyond the Nth). DuckDB parses the file
directly when every physical line is one row; the full cells of the few rows it cannot give exactly
(extra cells) are re-read by Python's csv module, the parser frictionless uses. A blank line or a
quoted line break moves the whole parse to Python's csv module, which writes a normalized copy
DuckDB then reads, so row numbers stay frictionless's.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.sniff import Dialect

CHUNK = 4 * 1024 * 1024
ABSENT = "\x00absent\x00"
Progress = Callable[[int, int], None]


@dataclass
class FileStats:
    bytes: int
    md5: str
    sha256: str
    lines: int


def scan_file(path: Path, progress: Progress | None = None) -> FileStats:
    """Hashes, size and physical line count in one streaming pass."""
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    total = path.stat().st_size
    done = lines = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            lines += chunk.count(b"\n")
            done += len(chunk)
            last = chunk[-1:]
            if progress:
                progress(done // 2, total)
    if last and last != b"\n":
        lines += 1
    return FileStats(bytes=total, md5=md5.hexdigest(), sha256=sha256.hexdigest(), lines=lines)


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
    return target, Dialect(delimiter=dialect.delimiter, quote_char=dialect.quote_char, header_row=dialect.header_row)


def read_labels(path: Path, dialect: Dialect) -> list[str]:
    with path.open(encoding=dialect.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=dialect.delimiter, quotechar=dialect.quote_char)
        for number, row in enumerate(reader, start=1):
            if number == dialect.header_row:
                return row
    return []


def _columns(width: int) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, width + 1)) + "}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def direct_source(path: Path, dialect: Dialect, n: int) -> str:
    """The rows as DuckDB parses them, in file order but not numbered, with one spare column to notice extra cells."""
    cells = ", ".join(f"c{i}" for i in range(1, n + 1))
    return f"""SELECT {cells}, c{n + 1} AS spare FROM read_csv({_quote(str(path))}, header=false,
        skip={dialect.header_row}, delim={_quote(dialect.delimiter)}, quote={_quote(dialect.quote_char)},
        escape={_quote(dialect.quote_char)}, columns={_columns(n + 1)}, null_padding=true, strict_mode=false,
        nullstr={_quote(ABSENT)}, auto_detect=false, parallel=true)"""


def normalized_source(path: Path, dialect: Dialect, n: int, workdir: Path) -> tuple[str, int]:
    """Parse with Python's csv module into a normalized copy: (its source, rows)."""
    normalized = workdir / "normalized.csv"
    rows = 0
    with path.open(encoding=dialect.encoding, newline="") as source, normalized.open(
        "w", encoding="utf-8", newline=""
    ) as sink:
        reader = csv.reader(source, delimiter=dialect.delimiter, quotechar=dialect.quote_char)
        writer = csv.writer(sink)
        for number, cells in enumerate(reader, start=1):
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


def fetch_rows(path: Path, dialect: Dialect, numbers: list[int]) -> dict[int, list[str]]:
    """The rows ``numbers`` as Python's csv module reads their lines (row numbers are line numbers here)."""
    encoding = "utf-8" if dialect.encoding == "utf-8-sig" else dialect.encoding
    # One reader per line: a quote left open must not run on into the next row.
    return {
        number: next(csv.reader([line.decode(encoding)], delimiter=dialect.delimiter, quotechar=dialect.quote_char))
        for number, line in _physical_lines(path, sorted(set(numbers)))
    }


def workspace() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="terbuka-validate-")
