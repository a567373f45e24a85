"""DCAT-US (Project Open Data) data.json: its datasets, mapped as the RDF ones are."""

import hashlib
import json
from typing import Any

from harvesters.dcat_vocabulary import Distribution, Entry, byte_size, file_extension, mapped, parse_date

# data.json keys read into Terbuka's fields; every other key is kept in extras, under its DCAT name if it has one.
MAPPED = {
    "@type",
    "identifier",
    "title",
    "description",
    "keyword",
    "theme",
    "license",
    "accrualPeriodicity",
    "temporal",
    "contactPoint",
    "publisher",
    "distribution",
    "modified",
    "landingPage",
}
DISTRIBUTION_MAPPED = {"@type", "title", "downloadURL", "accessURL", "format", "mediaType", "byteSize"}
DCAT_NAMES = {
    "description": "dct:description",
    "issued": "dct:issued",
    "language": "dct:language",
    "spatial": "dct:spatial",
    "rights": "dct:rights",
    "conformsTo": "dct:conformsTo",
    "isPartOf": "dct:isPartOf",
    "references": "dct:references",
    "describedBy": "dcat:describedBy",
    "accessLevel": "dct:accessRights",
}


def as_text(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    return value.strip() if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def data_json_entry(dataset: dict[str, Any]) -> Entry:
    """One DCAT-US (Project Open Data) dataset."""

    def text(key: str) -> str:
        value = dataset.get(key)
        return value.strip() if isinstance(value, str) else ""

    def strings(key: str) -> list[str]:
        value = dataset.get(key)
        return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []

    start, _, end = text("temporal").partition("/")
    contact, publisher = (dataset.get(key) for key in ("contactPoint", "publisher"))
    contact = contact if isinstance(contact, dict) else {}
    publisher = publisher if isinstance(publisher, dict) else {}
    modified = "" if text("modified").startswith("R/") else text("modified")  # a period, not a date
    marker = modified or "sha256:" + hashlib.sha256(json.dumps(dataset, sort_keys=True).encode()).hexdigest()
    identifier = text("identifier") or marker
    extras = {"dct:publisher": str(publisher.get("name") or ""), "dcat:landingPage": text("landingPage")}
    if set(publisher) - {"@type", "name"}:
        extras["dct:publisher"] = as_text(publisher)  # a parent organisation (subOrganizationOf) is kept
    extras |= {
        DCAT_NAMES.get(key, f"pod:{key}"): as_text(value)
        for key, value in dataset.items()
        if key not in MAPPED and value not in (None, "", [])
    }
    warnings: list[str] = []
    metadata = mapped(
        identifier=identifier,
        title=text("title"),
        description=text("description"),
        keywords=strings("keyword"),
        themes=[(theme, []) for theme in strings("theme")],
        licenses=[text("license")],
        frequency=text("accrualPeriodicity"),
        temporal=(parse_date(start), parse_date(end, end=True)),
        contact=(str(contact.get("fn") or publisher.get("name") or ""), str(contact.get("hasEmail") or "")),
        extras=extras,
        warnings=warnings,
        places=[place.strip() for place in text("spatial").split(",") if place.strip()],
    )
    if text("temporal") and not metadata["temporal_start"]:
        metadata["extras"]["dct:temporal"] = text("temporal")
    distributions = []
    for item in dataset.get("distribution") or []:
        if not isinstance(item, dict):
            continue
        url = str(item.get("downloadURL") or item.get("accessURL") or "").strip()
        media = str(item.get("mediaType") or "")
        fmt = file_extension(str(item.get("format") or ""), media, url)
        kept = tuple(
            (DCAT_NAMES.get(key, f"pod:{key}"), as_text(value))
            for key, value in sorted(item.items())
            if key not in DISTRIBUTION_MAPPED and value not in (None, "", [])
        )
        size = byte_size(item.get("byteSize"))
        distributions.append(Distribution(str(item.get("title") or ""), url, fmt, media, size, kept))
    usable = sorted((d for d in distributions if d.url), key=lambda d: (d.url, d.title))
    warnings += [f"distribution {d.title or d.format!r} has no URL: skipped" for d in distributions if not d.url]
    return Entry(identifier, marker, metadata, usable, warnings)


def is_data_json(value: Any) -> bool:
    """DCAT-US: a top-level dataset list, with no JSON-LD context or Project Open Data's own."""
    if not isinstance(value, dict) or not isinstance(value.get("dataset"), list):
        return False
    context = value.get("@context")
    return (
        context is None
        or "project-open-data" in str(context)
        or "project-open-data" in str(value.get("conformsTo", ""))
    )
