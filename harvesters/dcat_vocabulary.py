"""DCAT's vocabularies mapped to Terbuka's: licences, update frequencies, themes, dates, file types, slugs.

`mapped()` turns what a DCAT-AP or DCAT-US record says about a dataset into DatasetCreate fields; the
readers in `dcat_rdf` and `datajson` only find the values.
"""

import mimetypes
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from catalog.models import REGION_CODE, UpdateFrequency
from catalog.services import ckan_vocabulary
from catalog.services.files import MEDIA_TYPES
from catalog.services.reference import THEMES

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
# Formats that name a service rather than a file: a link to one keeps this name as its format.
SERVICES = {"esri rest", "wms", "wfs", "wcs", "wmts", "wms_srvc", "wfs_srvc", "api", "sparql"}
MEDIA_EXTENSIONS = {
    "text/csv": "csv",
    "application/json": "json",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


class Distribution(NamedTuple):
    """A distribution as declared: ``format`` is a file extension ('csv') or a short label ('ESRI REST')."""

    title: str
    url: str
    format: str
    media_type: str = ""
    byte_size: int | None = None
    extras: tuple[tuple[str, str], ...] = ()  # what else it declares (description, checksum, licence…), kept


@dataclass
class Entry:
    """One dataset as the catalogue describes it, mapped to Terbuka's metadata, with what could not be mapped."""

    remote_id: str
    marker: str
    metadata: dict[str, Any]
    distributions: list[Distribution]
    warnings: list[str] = field(default_factory=list)


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
    """The Terbuka licence of the first value that names a known one; '' when none does."""
    for value in values:
        key = re.sub(r"^https?://(www\.)?", "", value.strip().lower()).rstrip("/")
        key = re.sub(r"/(legalcode|deed\.[a-z-]+)$", "", key)
        found = (
            LICENSE_URIS.get(key)
            or ckan_vocabulary.LICENSES.get(key)
            or ckan_vocabulary.LICENSES.get(key.rsplit("/", 1)[-1])
        )
        if found:
            return found
    return ""


def byte_size(value: object) -> int | None:
    """'43008', 43008.0 or '43008.0' → 43008; anything else None."""
    try:
        size = int(float(str(value).strip()))
    except ValueError:
        return None
    return size if size >= 0 else None


def link_format(distribution: Distribution) -> str:
    """A link's format as the catalogue says it ('CSV', 'WMS', 'ESRI REST'), else its URL's suffix."""
    declared = distribution.format or file_extension("", distribution.media_type, distribution.url)
    return declared.upper()[:20]


def link_media_type(distribution: Distribution) -> str:
    """The declared media type, else the one of a declared file extension ('html' → text/html); '' if neither."""
    media = re.sub(r"^https?://www\.iana\.org/assignments/media-types/", "", distribution.media_type.strip())
    if re.fullmatch(r"[a-z]+/[A-Za-z0-9.+-]+", media):
        return media
    fmt = distribution.format.upper()
    return MEDIA_TYPES.get(fmt) or (mimetypes.guess_type(f"x.{fmt.lower()}")[0] or "" if fmt else "")


def tag_names(keywords: list[str]) -> list[str]:
    """Keywords as Terbuka stores tags (trimmed, lower case, at most 100 characters, once each): accents and
    scripts are kept, so 'Ökonomie' is 'ökonomie' and '人口' stays '人口'."""
    return sorted({" ".join(keyword.split()).lower()[:100].strip() for keyword in keywords} - {""})


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
        return ckan_vocabulary.frequency(value)
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
    """'CSV', an EU file-type URI, 'text/csv' or an IANA media-type URI → 'csv'; a service ('Esri REST', WMS)
    → its name, whatever media type its responses have; else the URL's suffix."""
    service = re.split(r"[/#]", fmt.strip().lower().rstrip("/"))[-1]
    if service in SERVICES:
        return service
    for value in (text.split(";")[0].strip().lower().rstrip("/") for text in (fmt, media_type)):
        mime = re.search(r"(?:^|/media-types/)([a-z]+/[a-z0-9.+-]+)$", value)
        if mime:
            extension = MEDIA_EXTENSIONS.get(mime[1]) or (mimetypes.guess_extension(mime[1]) or "").lstrip(".")
        else:
            extension = re.split(r"[/#]", value)[-1]
        if re.fullmatch(r"[a-z0-9]{1,10}", extension):
            return extension
    label = fmt.strip().lower()
    if label and not re.search(r"[/#:]", label) and len(label) <= 20:
        return label  # a name such as 'zipped csv', when no media type says more
    suffix = Path(urlsplit(url).path).suffix.lstrip(".").lower()
    return suffix if re.fullmatch(r"[a-z0-9]{1,10}", suffix) else ""


def region_codes(places: Sequence[str]) -> list[str]:
    """The Kemendagri region codes among dct:spatial values: a code itself ("61.71.01"), or an address
    ending in one (Terbuka's own ``…/wilayah/61.71.01``). A bare two-digit segment is not taken for one."""
    codes = []
    for place in places:
        last = re.split(r"[/#]", place.strip().rstrip("/"))[-1]
        if "." in last and REGION_CODE.fullmatch(last):
            codes.append(last)
    return codes


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
    warnings: list[str],
    places: Sequence[str] = (),
) -> dict[str, Any]:
    """The DatasetCreate fields for one dataset; what has no field is kept in extras, with a warning when a
    value was replaced (an unknown licence). Every list is sorted so the content hash is stable."""
    extras = dict(extras)
    codes = region_codes(places)
    if places and len(codes) == len(places):
        extras.pop("dct:spatial", None)  # every place is a region code: all of it is in spatial_coverage
    terbuka_themes, other_themes = theme_slugs(themes)
    if other_themes:
        extras["dcat:theme"] = ", ".join(other_themes)
    licence = license_id(licenses)
    given = sorted({value.strip() for value in licenses if value.strip()})
    if given and not licence:
        extras["dct:license"] = " ".join(given)
        warnings.append(f"licence {' '.join(given)!r} unknown: set to notspecified, kept in extras as dct:license")
    periodicity = update_frequency(frequency)
    if frequency and periodicity == UpdateFrequency.tidak_tentu:
        extras["dct:accrualPeriodicity"] = frequency
    return {
        "slug": dataset_slug(identifier, title),
        "title": title or identifier,
        "description": description,
        "license_id": licence or "notspecified",
        "update_frequency": periodicity,
        "temporal_start": temporal[0],
        "temporal_end": temporal[1],
        "contact_name": contact[0] or None,
        "contact_email": contact[1].strip().removeprefix("mailto:") or None,
        "tags": tag_names(keywords),
        "themes": terbuka_themes,
        "spatial_coverage": sorted(set(codes)),
        "extras": {key: value for key, value in sorted(extras.items()) if value},
    }
