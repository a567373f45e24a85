"""DCAT-US (Project Open Data) data.json: its datasets, mapped as the RDF ones are."""

import hashlib
import json
from typing import Any

from harvesters.dcat_vocabulary import Distribution, Entry, file_extension, mapped, parse_date


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
        extras={k: v for k, v in extras.items() if v},
    )
    distributions = []
    for item in dataset.get("distribution") or []:
        if not isinstance(item, dict):
            continue
        url = str(item.get("downloadURL") or item.get("accessURL") or "")
        fmt = file_extension(str(item.get("format") or ""), str(item.get("mediaType") or ""), url)
        distributions.append(Distribution(str(item.get("title") or ""), url, fmt))
    return Entry(identifier, marker, metadata, sorted(d for d in distributions if d.url))


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
