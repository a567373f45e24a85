"""Writing generated tables as CSV and XLSX bytes, identical from one run to the next."""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook

Cell = str | int | float | date


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Cell]]


# Fixed so that the same table always gives the same bytes, hence the same SHA-256 in the store.
_EPOCH = datetime(2025, 1, 1)


def _plain(value: Cell) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows([_plain(v) for v in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(table: Table, *, sheet: str) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet[:31]
    worksheet.append(table.header)
    for row in table.rows:
        worksheet.append(row)
    workbook.properties.creator = "Pemerintah Kota Pontianak"
    workbook.properties.created = _EPOCH
    workbook.properties.modified = _EPOCH
    raw = io.BytesIO()
    workbook.save(raw)
    return _with_fixed_timestamps(raw.getvalue())


def _with_fixed_timestamps(archive: bytes) -> bytes:
    """openpyxl stamps the zip entries and docProps with the current time; pin them."""
    stamp = _EPOCH.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _pin_dates(data, stamp)
            target.writestr(
                zipfile.ZipInfo(item.filename, date_time=_EPOCH.timetuple()[:6]),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def _pin_dates(core: bytes, stamp: bytes) -> bytes:
    for tag in (b"dcterms:created", b"dcterms:modified"):
        start = core.find(b">", core.find(b"<" + tag)) + 1
        end = core.find(b"</" + tag, start)
        if start > 0 and end > start:
            core = core[:start] + stamp + core[end:]
    return core
