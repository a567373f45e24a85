"""DCAT's vocabularies mapped to Terbuka's: licences, update frequencies, themes, dates, file types, slugs.

`mapped()` turns what a DCAT-AP or DCAT-US record says about a dataset into DatasetCreate fields; the
readers in `dcat_rdf` and `datajson` only find the values.
"""

import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from catalog.models import UpdateFrequency
from catalog.services.reference import THEMES
from harvesters import ckan

LICENSE_URIS = {
    "creativecommons.org/licenses/by/4.0": "cc-by-4.0",
    "creativecommons.org/licenses/by-sa/4.0": "cc-by-sa-4.0",
    "creativecommons.org/publicdomain/zero/1.0": "cc0-1.0",
    "opendatacommons.org/licenses/odbl": "odbl-1.0",
    "opendatacommons.org/licenses/odbl/1.0": "odbl-1.0",
    "opendatacommons.org/licenses/odbl/1-0": "odbl-1.0",
    "publications.europa.eu/resource/authority/licence/cc_by_4_0": "cc-by-4.0",
    "publications.europa.eu/resource/authority/licence/cc_bysa_4_0": "cc-by-sa-4.0",
    "publications.europa.eu/resource/authority/licence/cc0": "cc0-1.0",
    "publications.europa.eu/resource/authority/licence/odbl": "odbl-1.0",
}
# Named periods of the EU frequency vocabulary and Dublin Core's freq, as days between updates.
PERIOD_DAYS = {
    "cont": 0,
    "continuous": 0,
    "update_cont": 0,
    "1min": 0,
    "5min": 0,
    "10min": 0,
    "15min": 0,
    "30min": 0,
    "hourly": 0,
    "bihourly": 0,
    "trihourly": 0,
    "12hrs": 0,
    "daily": 1,
    "daily_2": 1,
    "weekly_3": 2,
    "threetimesaweek": 2,
    "semiweekly": 3,
    "weekly_2": 3,
    "weekly": 7,
    "monthly_3": 10,
    "threetimesamonth": 10,
    "biweekly": 14,
    "semimonthly": 15,
    "monthly_2": 15,
    "monthly": 30,
    "bimonthly": 61,
    "quarterly": 91,
    "annual_3": 122,
    "threetimesayear": 122,
    "annual_2": 182,
    "semiannual": 182,
    "annual": 365,
    "biennial": 730,
    "triennial": 1095,
}
# The largest period each frequency covers: a dataset updated every two weeks is at least monthly.
FREQUENCY_BOUNDS = [
    (1, UpdateFrequency.harian),
    (7, UpdateFrequency.mingguan),
    (31, UpdateFrequency.bulanan),
    (92, UpdateFrequency.triwulanan),
    (183, UpdateFrequency.semesteran),
    (366, UpdateFrequency.tahunan),
]
NUMBER = r"(\d+(?:[.,]\d+)?)"
ISO_DURATION = re.compile(
    rf"(?:R\d*/)?P(?:{NUMBER}Y)?(?:{NUMBER}M)?(?:{NUMBER}W)?(?:{NUMBER}D)?"
    rf"(?:T(?:{NUMBER}H)?(?:[\d.,]+M)?(?:[\d.,]+S)?)?"
)
EU_THEMES = {
    "ECON": "ekonomi",
    "EDUC": "pendidikan",
    "ENVI": "lingkungan",
    "GOVE": "pemerintahan",
    "HEAL": "kesehatan",
    "SOCI": "sosial",
    "TRAN": "transportasi",
}
MEDIA_EXTENSIONS = {
    "text/csv": "csv",
    "application/json": "json",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


class Distribution(NamedTuple):
    title: str
    url: str
    format: str


@dataclass
class Entry:
    """One dataset as the catalogue describes it, mapped to Terbuka's metadata."""

    remote_id: str
    marker: str
    metadata: dict[str, Any]
    distributions: list[Distribution]


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def dataset_slug(identifier: str, title: str) -> str:
    """The identifier's last segment when it reads like a name (not a UUID or a hash), else the title."""
    slug = slugify(re.split(r"[/#:]", identifier.rstrip("/#:"))[-1])
    if len(slug) < 3 or not re.search(r"[a-z]", slug) or re.fullmatch(r"[0-9a-f-]{16,}", slug):
        slug = slugify(title)
    slug = slug[:120].strip("-")
    return slug if len(slug) >= 3 else f"dataset-{slug}".strip("-")


def license_id(values: list[str]) -> str:
    for value in values:
        key = re.sub(r"^https?://(www\.)?", "", value.strip().lower()).rstrip("/")
        key = re.sub(r"/(legalcode|deed\.[a-z-]+)$", "", key)
        found = LICENSE_URIS.get(key) or ckan.LICENSES.get(key) or ckan.LICENSES.get(key.rsplit("/", 1)[-1])
        if found:
            return found
    return "notspecified"


def period_days(value: str) -> float | None:
    text = value.strip()
    match = ISO_DURATION.fullmatch(text.upper())
    if match and re.search(r"\d", text.upper().partition("P")[2]):
        years, months, weeks, days, hours = (float((part or "0").replace(",", ".")) for part in match.groups())
        return years * 365 + months * 30.5 + weeks * 7 + days + hours / 24
    return PERIOD_DAYS.get(re.split(r"[/#]", text.rstrip("/"))[-1].lower())


def update_frequency(value: str) -> UpdateFrequency:
    """EU frequency URIs, Dublin Core freq, ISO 8601 durations (R/P1Y) or Indonesian words."""
    if not value:
        return UpdateFrequency.tidak_tentu
    days = period_days(value)
    if days is None:
        return ckan.frequency(value)
    return next((frequency for bound, frequency in FREQUENCY_BOUNDS if days <= bound), UpdateFrequency.tidak_tentu)


def theme_slugs(values: list[tuple[str, list[str]]]) -> tuple[list[str], list[str]]:
    """(value, labels) pairs → (Terbuka themes, values that match none)."""
    by_name = {slugify(name): slug for slug, name in THEMES.items()}
    matched, unmatched = set(), set()
    for value, labels in values:
        tail = re.split(r"[/#]", value.rstrip("/"))[-1]
        candidates = [slugify(text) for text in [tail, value, *labels]]
        found = next((c for c in candidates if c in THEMES), None) or next(
            (by_name[c] for c in candidates if c in by_name), None
        )
        if found is None and "/data-theme/" in value:
            found = EU_THEMES.get(tail.upper())
        if found:
            matched.add(found)
        else:
            unmatched.add(value)
    return sorted(matched), sorted(unmatched)


def parse_date(text: str, *, end: bool = False) -> date | None:
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def file_extension(fmt: str, media_type: str, url: str) -> str:
    """'CSV', an EU file-type URI, 'text/csv' or an IANA media-type URI → 'csv'; else the URL's suffix."""
    for value in (text.split(";")[0].strip().lower().rstrip("/") for text in (fmt, media_type)):
        mime = re.search(r"(?:^|/media-types/)([a-z]+/[a-z0-9.+-]+)$", value)
        if mime:
            extension = MEDIA_EXTENSIONS.get(mime[1]) or (mimetypes.guess_extension(mime[1]) or "").lstrip(".")
        else:
            extension = re.split(r"[/#]", value)[-1]
        if re.fullmatch(r"[a-z0-9]{1,10}", extension):
            return extension
    suffix = Path(urlsplit(url).path).suffix.lstrip(".").lower()
    return suffix if re.fullmatch(r"[a-z0-9]{1,10}", suffix) else ""


def mapped(
    *,
    identifier: str,
    title: str,
    description: str,
    keywords: list[str],
    themes: list[tuple[str, list[str]]],
    licenses: list[str],
    frequency: str,
    temporal: tuple[date | None, date | None],
    contact: tuple[str, str],
    extras: dict[str, str],
) -> dict[str, Any]:
    """The DatasetCreate fields for one dataset; every list sorted so the content hash is stable."""
    terbuka_themes, other_themes = theme_slugs(themes)
    if other_themes:
        extras = {**extras, "dcat:theme": ", ".join(other_themes)}
    tags = {slugify(keyword)[:100].strip("-") for keyword in keywords}
    return {
        "slug": dataset_slug(identifier, title),
        "title": title or identifier,
        "description": description,
        "license_id": license_id(licenses),
        "update_frequency": update_frequency(frequency),
        "temporal_start": temporal[0],
        "temporal_end": temporal[1],
        "contact_name": contact[0] or None,
        "contact_email": contact[1].removeprefix("mailto:") or None,
        "tags": sorted(tag for tag in tags if tag),
        "themes": terbuka_themes,
        "extras": dict(sorted(extras.items())),
    }
