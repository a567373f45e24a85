"""Hostile input files built at test time: small on disk, huge once inflated or parsed.

The workbooks are zip files written here by hand: a sheet's XML is one block of rows (or one cell's
text) deflated once and repeated, so a 2 MiB file inflates to 2 GiB in no time to build. Each
deflated piece ends on a full flush, so the pieces join into one valid deflate stream; the CRC is
the real one, so the archive is sound and only its size is hostile. ``declared`` makes the zip
directory lie about how far the sheet inflates.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
BLOCK = 1 << 20

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c><c r="B1" t="inlineStr"><is><t>nilai</t></is></c></row>'
)


@dataclass
class Entry:
    name: str
    pieces: list[tuple[bytes, int]]  # (a deflated piece, how many times it repeats)
    crc: int
    size: int


def _deflated(data: bytes, final: bool = False) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _entry(name: str, parts: list[tuple[bytes, int]]) -> Entry:
    """An entry whose text is each ``(data, times)`` repeated, in order."""
    crc = size = 0
    pieces = []
    for number, (data, times) in enumerate(parts):
        for _ in range(times):
            crc = zlib.crc32(data, crc)
        size += len(data) * times
        pieces.append((_deflated(data, final=number == len(parts) - 1), times))
    return Entry(name, pieces, crc, size)


def write_zip(path: Path, entries: list[Entry], declared: dict[str, int] | None = None) -> Path:
    """A zip of deflated entries; ``declared`` gives the uncompressed sizes its headers claim instead."""
    declared = declared or {}
    directory = b""
    with path.open("wb") as out:
        for entry in entries:
            offset = out.tell()
            compressed = sum(len(piece) * times for piece, times in entry.pieces)
            size = declared.get(entry.name, entry.size)
            name = entry.name.encode()
            fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, entry.crc, compressed, size, len(name), 0)
            out.write(b"PK\x03\x04" + fields + name)
            for piece, times in entry.pieces:
                for _ in range(times):
                    out.write(piece)
            directory += (
                b"PK\x01\x02"
                + struct.pack(
                    "<HHHHHHIIIHHHHHII",
                    20,
                    20,
                    0,
                    8,
                    0,
                    0x21,
                    entry.crc,
                    compressed,
                    size,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + name
            )
        start = out.tell()
        out.write(directory)
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), start, 0))
    return path


def _small(name: str, text: str) -> Entry:
    return _entry(name, [(text.encode(), 1)])


def workbook(path: Path, sheet: list[tuple[bytes, int]], declared: int | None = None) -> Path:
    """An XLSX whose one sheet's XML is ``sheet`` (pieces repeated), optionally declaring another size."""
    entries = [
        _small("[Content_Types].xml", CONTENT_TYPES),
        _small("_rels/.rels", ROOT_RELS),
        _small("xl/workbook.xml", WORKBOOK),
        _small("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        _entry("xl/worksheets/sheet1.xml", sheet),
    ]
    return write_zip(path, entries, {"xl/worksheets/sheet1.xml": declared} if declared is not None else None)


def rows_bomb(path: Path, inflated: int, declared: int | None = None) -> Path:
    """A workbook whose sheet is ``inflated`` bytes of identical rows."""
    row = b'<row><c t="inlineStr"><is><t>Pontianak</t></is></c><c><v>1</v></c></row>'
    block = row * (BLOCK // len(row))
    head, tail = (SHEET_HEAD + HEADER_ROW).encode(), b"</sheetData></worksheet>"
    return workbook(path, [(head, 1), (block, max(inflated // len(block), 1)), (tail, 1)], declared)


def cell_bomb(path: Path, inflated: int, declared: int | None = None) -> Path:
    """A workbook whose second row holds one cell of ``inflated`` bytes of text."""
    head = (SHEET_HEAD + HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>').encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    block = b"A" * BLOCK
    return workbook(path, [(head, 1), (block, max(inflated // BLOCK, 1)), (tail, 1)], declared)


def _lines(path: Path, lines: Iterator[bytes]) -> Path:
    with path.open("wb") as out:
        for line in lines:
            out.write(line)
    return path


def wide_csv(path: Path, columns: int, rows: int = 3) -> Path:
    """A CSV ``columns`` wide: a header and ``rows`` rows of small numbers."""
    header = ",".join(f"k{i}" for i in range(columns)).encode() + b"\n"
    row = ",".join(str(i % 10) for i in range(columns)).encode() + b"\n"
    return _lines(path, iter([header, *([row] * rows)]))


def one_line_csv(path: Path, size: int, cell: bytes = b"1,") -> Path:
    """A CSV of ``size`` bytes on one line (``cell`` repeated; ``b","`` is a line of commas)."""
    block = cell * (BLOCK // len(cell))
    return _lines(path, iter([block] * max(size // len(block), 1)))
