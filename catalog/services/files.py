"""Turning incoming files into stored resources: safe names, formats, media types."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO

from catalog.settings import get_settings
from catalog.storage import FileStore

if TYPE_CHECKING:
    from catalog.services.validation import PreparedFile

TABULAR_FORMATS = {"CSV", "TSV", "XLSX", "XLS", "ODS"}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "PDF": "application/pdf",
    "ZIP": "application/zip",
}


@dataclass
class IncomingFile:
    filename: str
    stream: BinaryIO
    schema: str | dict[str, Any] | None = None  # this file's own schema, over the release-wide one
    prepared: PreparedFile | None = None  # stored and validated already (bulk imports)


@lru_cache
def file_store() -> FileStore:
    return FileStore(get_settings().data_dir)


def safe_name(filename: str) -> str:
    """A display name with no path in it: '../../etc/passwd' becomes 'passwd'."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/")).split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:255] or "berkas"


def format_of(name: str) -> str:
    match = re.search(r"\.([A-Za-z0-9]{1,10})$", name)
    return match.group(1).upper() if match else ""


def media_type_of(fmt: str, name: str) -> str:
    return MEDIA_TYPES.get(fmt) or mimetypes.guess_type(name)[0] or "application/octet-stream"
