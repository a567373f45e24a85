"""The input budget: what reading one file may cost, enforced while it is read (never after inflating it).

One budget for uploads, harvests and ``terbuka validate``: bytes inflated from a workbook, columns,
cells, bytes on one line (or in one sheet row), seconds and memory, each a ``TERBUKA_INPUT_MAX_*``
setting. ``inspect`` refuses what the file's first bytes and its zip directory already show (a name
that lies about the format, declared sizes or a compression ratio beyond the budget, a header line
too long or too wide); a ``Meter`` made current by ``metering`` is ticked by the readers as they go
(inflated bytes counted as they come out of the archive, whatever the directory declared, the clock
and the process's memory growth), and interrupts DuckDB at the deadline. A refusal is
``BudgetExceeded``: a stable code, a message naming the setting to raise, 413 or 422.
"""

from __future__ import annotations

import csv
import os
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ZIP_MAGIC = b"PK\x03\x04"
TEXT_FORMATS = ("csv", "tsv", "txt")
# Magic numbers of files that are never CSV text, and what they are.
BINARY_MAGIC = {
    ZIP_MAGIC: "a zip archive (an XLSX workbook or another zipped file)",
    b"\xd0\xcf\x11\xe0": "an old Excel (XLS) or other OLE2 file",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
}
# Small parts (styles, shared strings of a few values) can compress very well; the ratio is checked above this.
RATIO_FLOOR_BYTES = 1 << 20
# frictionless loads a whole workbook into openpyxl's cells: about this many bytes of memory per byte of sheet XML.
FULL_LOAD_FACTOR = 12
MEMORY_CHECK_SECONDS = 0.05
# How much of a large part's compressed bytes is inflated to check what its directory entry declares.
PROBE_BYTES = 64 * 1024
PROBE_MIN_BYTES = 4 * 1024
ROW_END = b"</row>"


class BudgetExceeded(Exception):
    """A file costs more to read than the budget allows (413), or is not what its name says (422)."""

    def __init__(self, code: str, message: str, *, status: int = 413) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Budget:
    """The limits, each read from ``TERBUKA_INPUT_MAX_<NAME>`` (the defaults suit a city portal)."""

    inflated_bytes: int = 1 << 30
    compression_ratio: int = 100
    columns: int = 5_000
    cells: int = 100_000_000
    line_bytes: int = 1 << 20
    seconds: float = 300.0
    memory_bytes: int = 1 << 30

    @classmethod
    def from_environment(cls) -> Budget:
        values: dict[str, Any] = {}
        for limit in fields(cls):
            raw = os.environ.get(setting(limit.name))
            if raw:
                values[limit.name] = float(raw) if limit.name == "seconds" else int(raw)
        return cls(**values)

    def refuse(self, code: str, what: str, limit: str) -> BudgetExceeded:
        value = getattr(self, limit)
        return BudgetExceeded(
            code, f"{what}: over the limit of {value:,} ({setting(limit)}; the server's administrator can raise it)"
        )


def setting(limit: str) -> str:
    """The environment variable of a limit."""
    return f"TERBUKA_INPUT_MAX_{limit.upper()}"


def _rss() -> int:
    """This process's resident memory, in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Meter:
    """What reading one file has cost so far, checked against the budget on every tick."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.started = time.monotonic()
        self.deadline = self.started + budget.seconds
        self.base_memory = _rss()
        self.checked = 0.0
        self.inflated = 0
        self.exceeded: BudgetExceeded | None = None

    def _fail(self, refusal: BudgetExceeded) -> BudgetExceeded:
        self.exceeded = self.exceeded or refusal
        return self.exceeded

    def tick(self) -> None:
        """Refuse when reading has run past the deadline or grown the process past the memory budget."""
        if self.exceeded is not None:
            raise self.exceeded
        now = time.monotonic()
        if now > self.deadline:
            raise self._fail(self.budget.refuse("too_slow", "reading the file took too long (seconds)", "seconds"))
        if now - self.checked >= MEMORY_CHECK_SECONDS:
            self.checked = now
            grown = _rss() - self.base_memory
            if grown > self.budget.memory_bytes:
                raise self._fail(
                    self.budget.refuse("too_much_memory", f"reading the file needed {grown:,} bytes", "memory_bytes")
                )

    def inflate(self, count: int) -> None:
        """Refuse a part of an archive of which ``count`` bytes have come out, past the budget."""
        self.inflated = max(self.inflated, count)
        if count > self.budget.inflated_bytes:
            raise self._fail(
                self.budget.refuse("inflates_too_much", "the workbook inflates to more bytes", "inflated_bytes")
            )
        self.tick()

    def check_cells(self, count: int) -> None:
        """Refuse a file of which ``count`` cells have been read, past the budget."""
        if count > self.budget.cells:
            raise self._fail(self.budget.refuse("too_many_cells", "the file has more cells", "cells"))

    def check_columns(self, columns: int) -> None:
        if columns > self.budget.columns:
            raise self._fail(
                self.budget.refuse("too_many_columns", f"a row of the file has {columns:,} columns", "columns")
            )

    def check_line(self, length: int, what: str = "a line of the file") -> None:
        if length > self.budget.line_bytes:
            raise self._fail(self.budget.refuse("line_too_long", f"{what} is longer", "line_bytes"))

    @contextmanager
    def interrupting(self, interrupt: Callable[[], Any]) -> Iterator[None]:
        """Call ``interrupt`` (e.g. DuckDB's) if the block is still running at the deadline."""
        timer = threading.Timer(max(self.deadline - time.monotonic(), 0), interrupt)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()


_current: ContextVar[Meter | None] = ContextVar("terbuka_input_meter", default=None)


def current() -> Meter | None:
    """The meter of the file being read in this context, if any."""
    return _current.get()


def tick() -> None:
    """Tick the current meter (nothing when no file is being metered)."""
    meter = _current.get()
    if meter is not None:
        meter.tick()


@contextmanager
def metering(budget: Budget | None = None) -> Iterator[Meter]:
    """Make a fresh meter current for the reading of one file."""
    meter = Meter(budget or Budget.from_environment())
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


class MeteredStream:
    """A part read out of an archive: every byte counted, and a sheet row longer than the line budget refused."""

    def __init__(self, source: Any, meter: Meter | None, rows: bool = True) -> None:
        self.source = source
        self.meter = meter
        self.rows = rows
        self.since_row = 0
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        chunk: bytes = self.source.read(n if n is not None and n >= 0 else 1 << 20)
        if self.meter is not None and chunk:
            self.count += len(chunk)
            self.meter.inflate(self.count)
            if self.rows:
                end = chunk.rfind(ROW_END)
                self.since_row = len(chunk) - end - len(ROW_END) if end >= 0 else self.since_row + len(chunk)
                self.meter.check_line(self.since_row, "a row of the sheet")
        return chunk

    def close(self) -> None:
        self.source.close()


def _magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(8)


def check_format(path: Path, fmt: str) -> None:
    """Refuse a file whose bytes say it is not the format its name (or the caller) says."""
    magic = _magic(path)
    if fmt in ("xlsx", "xlsm"):
        if not magic.startswith(ZIP_MAGIC):
            kind = next((k for m, k in BINARY_MAGIC.items() if magic.startswith(m)), "text, not a zip archive")
            raise BudgetExceeded(
                "format_mismatch",
                f"the file is named as an Excel workbook (.{fmt}) but is {kind}; "
                "send it with its own extension (.csv for text)",
                status=422,
            )
        return
    binary = next((k for m, k in BINARY_MAGIC.items() if magic.startswith(m)), None)
    if binary is not None and fmt in TEXT_FORMATS:
        raise BudgetExceeded(
            "format_mismatch",
            f"the file is named as text (.{fmt}) but is {binary}; "
            "send it with its own extension (.xlsx for a workbook)",
            status=422,
        )


def check_archive(path: Path, budget: Budget) -> int:
    """Refuse a workbook whose zip directory, or the first bytes of a part, show more than the budget.

    Returns the largest part's declared size. The directory can lie: the first ``PROBE_BYTES`` of each
    large part are inflated here, and a part whose start alone inflates past its declared size, or
    at a ratio past the budget, is refused. A directory that cannot be read is left to the readers,
    which report the file as unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0
    total = largest = 0
    with path.open("rb") as raw:
        for entry in entries:
            total += entry.file_size
            largest = max(largest, entry.file_size)
            if total > budget.inflated_bytes:
                raise budget.refuse(
                    "inflates_too_much", f"the workbook declares {total:,}+ bytes once inflated", "inflated_bytes"
                )
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > RATIO_FLOOR_BYTES and ratio > budget.compression_ratio:
                raise budget.refuse(
                    "compression_ratio_too_high",
                    f"the part {entry.filename} inflates {ratio:,.0f} times (a zip bomb?)",
                    "compression_ratio",
                )
            if entry.compress_type == zipfile.ZIP_DEFLATED and entry.compress_size > PROBE_MIN_BYTES:
                _probe(raw, entry, budget)
    return largest


def _probe(raw: Any, entry: zipfile.ZipInfo, budget: Budget) -> None:
    """Inflate the start of a deflated part: refuse it if it inflates past its declared size or the ratio."""
    raw.seek(entry.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != ZIP_MAGIC:
        return
    raw.seek(
        entry.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    )
    compressed = raw.read(min(PROBE_BYTES, entry.compress_size))
    inflater = zlib.decompressobj(-15)
    try:
        inflated = len(
            inflater.decompress(compressed, min(entry.file_size + 1, PROBE_BYTES * (budget.compression_ratio + 1)))
        )
    except zlib.error:
        return  # a broken stream: the readers report it
    if inflated > entry.file_size:
        raise BudgetExceeded(
            "declared_size_false",
            f"the part {entry.filename} declares {entry.file_size:,} bytes but its start alone inflates to more "
            "(a zip bomb?)",
            status=422,
        )
    consumed = len(compressed) - len(inflater.unconsumed_tail)
    if inflated > RATIO_FLOOR_BYTES and inflated / max(consumed, 1) > budget.compression_ratio:
        raise budget.refuse(
            "compression_ratio_too_high",
            f"the part {entry.filename} inflates {inflated / max(consumed, 1):,.0f} times (a zip bomb?)",
            "compression_ratio",
        )


def check_full_load(sheet_bytes: int, budget: Budget) -> None:
    """Refuse to load a whole sheet into memory (as frictionless does) when it would need more than the budget."""
    if sheet_bytes * FULL_LOAD_FACTOR > budget.memory_bytes:
        raise budget.refuse(
            "too_much_memory",
            f"checking this workbook here loads its {sheet_bytes:,}-byte sheet whole, "
            f"about {sheet_bytes * FULL_LOAD_FACTOR:,} bytes of memory; with a schema a plain sheet is streamed "
            "instead, or send the table as CSV",
            "memory_bytes",
        )


def check_text_head(path: Path, budget: Budget, delimiter: str, quote_char: str, header_row: int) -> int:
    """Refuse a text file whose header lines are longer or wider than the budget; returns the header's columns.

    Only the header lines are read, at most ``line_bytes`` characters each."""
    columns = 0
    with path.open(encoding="latin-1", newline="") as handle:
        for _ in range(max(header_row, 1)):
            line = handle.readline(budget.line_bytes + 1)
            if len(line.rstrip("\r\n")) > budget.line_bytes:
                raise budget.refuse("line_too_long", "a header line of the file is longer", "line_bytes")
            if not line:
                break
            columns = len(next(csv.reader([line], delimiter=delimiter, quotechar=quote_char), []))
            if columns > budget.columns:
                raise budget.refuse("too_many_columns", f"the header of the file has {columns:,} columns", "columns")
    return columns


def scan_text(path: Path, meter: Meter, delimiter: str, quote_char: str, encoding: str) -> int:
    """Read a text file's every record once, refusing a line too long, a row too wide or too many cells.

    For the files frictionless reads: it builds one error object per extra cell, each holding the
    whole row, so one wide line costs it quadratic time and memory. Returns the number of records."""
    records = cells = 0
    decoding = "utf-8" if encoding == "utf-8-sig" else encoding
    with path.open(encoding=decoding, errors="replace", newline="") as text:
        try:
            for row in csv.reader(_bounded_lines(text, meter), delimiter=delimiter, quotechar=quote_char):
                records += 1
                cells += len(row)
                meter.check_columns(len(row))
                if not records % 1024:
                    meter.check_cells(cells)
                    meter.tick()
        except csv.Error:
            pass  # a cell the csv module will not read: frictionless reports it
    meter.check_cells(cells)
    return records


def _bounded_lines(text: Any, meter: Meter) -> Iterator[str]:
    while line := text.readline(meter.budget.line_bytes + 1):
        meter.check_line(len(line.rstrip("\r\n")))
        yield line


class LineLengths:
    """The longest line of a stream fed in chunks, found exactly with two searches per ``window`` bytes.

    A line wholly inside one window is shorter than the window; one crossing windows is measured
    from the last line feed, so with a window of the line budget no longer line goes unseen."""

    def __init__(self, window: int) -> None:
        self.window = max(window, 1)
        self.since = 0
        self.longest = 0

    def feed(self, chunk: bytes) -> None:
        for start in range(0, len(chunk), self.window):
            end = min(start + self.window, len(chunk))
            first = min(
                (i for i in (chunk.find(b"\n", start, end), chunk.find(b"\r", start, end)) if i >= 0), default=-1
            )
            if first < 0:
                self.since += end - start
                continue
            self.longest = max(self.longest, self.since + first - start)
            self.since = end - 1 - max(chunk.rfind(b"\n", start, end), chunk.rfind(b"\r", start, end))
        self.longest = max(self.longest, self.since)
