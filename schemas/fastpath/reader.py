"""Loading a CSV file into DuckDB as ``raw``: VARCHAR cells, one row per table row.

``raw`` has the row number ``rn`` (frictionless numbering: the header row is row ``header_row``),
the cells ``c1..cN`` of the schema's N fields (NULL where the row has no such cell, '' where the
cell is empty), ``ncells`` (how many cells the row really has) and ``extras`` (cells beyond the
Nth). DuckDB parses the file directly when every line is one row, and only the rows with extra
cells are re-read by Python's csv module (the parser frictionless uses); a blank line or a quoted
line break moves the whole load to Python's csv module, which writes a normalized copy DuckDB
then reads, so row numbers stay frictionless's.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

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


@dataclass
class LoadedTable:
    labels: list[str]
    rows: int
    stats: FileStats


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


def _text_path(path: Path, dialect: Dialect, workdir: Path) -> Path:
    """A UTF-8 copy when the file is in another encoding (DuckDB reads UTF-8 only)."""
    if dialect.encoding in ("utf-8", "utf-8-sig"):
        return path
    target = workdir / "utf8.csv"
    decoder = codecs.getincrementaldecoder(dialect.encoding)()
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
        while chunk := source.read(CHUNK):
            sink.write(decoder.decode(chunk))
        sink.write(decoder.decode(b"", final=True))
    return target


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


def _duckdb_load(con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, n: int) -> tuple[int, int]:
    """Let DuckDB parse the file, with one spare column to notice extra cells: (rows, rows with extras)."""
    con.execute(
        f"""CREATE TABLE raw_direct AS SELECT * FROM read_csv({_quote(str(path))}, header=false,
        skip={dialect.header_row}, delim={_quote(dialect.delimiter)}, quote={_quote(dialect.quote_char)},
        escape={_quote(dialect.quote_char)}, columns={_columns(n + 1)}, null_padding=true, strict_mode=false,
        nullstr={_quote(ABSENT)}, auto_detect=false, parallel=true)"""
    )
    row = con.execute(f"SELECT count(*), count(c{n + 1}) FROM raw_direct").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _extra_cells(con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, n: int) -> None:
    """The full cells of the rows DuckDB cut at the spare column, re-read by Python's csv module.

    Only called when every physical line is one row, so row numbers are line numbers.
    """
    first = dialect.header_row + 1
    cut = con.execute(f"SELECT rowid FROM raw_direct WHERE c{n + 1} IS NOT NULL").fetchall()
    wanted = {int(r[0]) + first for r in cut}
    numbers, extras, counts = [], [], []
    with path.open(encoding=dialect.encoding, newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if number in wanted:
                cells = next(csv.reader([line], delimiter=dialect.delimiter, quotechar=dialect.quote_char))
                numbers.append(number)
                extras.append(cells[n:])
                counts.append(len(cells))
    con.execute(
        "CREATE TABLE raw_extras AS SELECT unnest($1::BIGINT[]) AS rn, unnest($2::VARCHAR[][]) AS extras, "
        "unnest($3::INTEGER[]) AS ncells",
        [numbers, extras, counts],
    )


def _python_load(con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, n: int, workdir: Path) -> int:
    """Parse with Python's csv module and let DuckDB read a normalized copy."""
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
    con.execute(
        f"""CREATE TABLE raw AS SELECT rn, ncells, CASE WHEN extras = '' THEN NULL
        ELSE from_json(extras, '["VARCHAR"]') END AS extras,
        {", ".join(f"c{i}" for i in range(1, n + 1))} FROM read_csv({_quote(str(normalized))}, header=false,
        columns={columns}, nullstr={_quote(ABSENT)}, auto_detect=false, quote='"', escape='"')"""
    )
    return rows


def _utf8(dialect: Dialect) -> Dialect:
    return Dialect(delimiter=dialect.delimiter, quote_char=dialect.quote_char, header_row=dialect.header_row)


def load_csv(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, n_fields: int, workdir: Path,
    progress: Progress | None = None,
) -> LoadedTable:
    """Fill the ``raw`` table from ``path``."""
    # Hashing the bytes overlaps with DuckDB's parse: both release the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_file, path, progress)
        text_path = _text_path(path, dialect, workdir)
        labels = read_labels(text_path, dialect if text_path == path else _utf8(dialect))
        n = max(n_fields, 1)
        rows, with_extras = _duckdb_load(con, text_path, dialect, n)
        stats = scanning.result()
    if stats.lines and rows + dialect.header_row == stats.lines:
        present = " + ".join(f"(c{i} IS NOT NULL)::INTEGER" for i in range(1, n + 1))
        cells = ", ".join(f"d.c{i}" for i in range(1, n + 1))
        numbered = f"""SELECT (rowid + {dialect.header_row + 1})::BIGINT AS rn, ({present}) AS ncells, *
            FROM raw_direct"""
        # A view, not a copy: the rows stay in the table DuckDB parsed them into.
        if with_extras:
            _extra_cells(con, text_path, dialect if text_path == path else _utf8(dialect), n)
            con.execute(
                f"""CREATE VIEW raw AS SELECT d.rn, coalesce(x.ncells, d.ncells) AS ncells, x.extras, {cells}
                FROM ({numbered}) AS d LEFT JOIN raw_extras AS x ON d.rn = x.rn"""
            )
        else:
            con.execute(f"CREATE VIEW raw AS SELECT d.rn, d.ncells, NULL::VARCHAR[] AS extras, {cells} "
                        f"FROM ({numbered}) AS d")
    else:
        con.execute("DROP TABLE IF EXISTS raw_direct")
        rows = _python_load(con, text_path, dialect if text_path == path else _utf8(dialect), n, workdir)
    if progress:
        progress(stats.bytes, stats.bytes)
    return LoadedTable(labels=labels, rows=rows, stats=stats)


def workspace() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="terbuka-validate-")
