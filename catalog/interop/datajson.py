"""DCAT-US (Project Open Data v1.1) ``data.json``: every field its catalog schema requires.

bureauCode and programCode are US federal codes the schema requires of every dataset; a city has none, so
they carry the zero codes "000:00" and "000:000". contactPoint needs an email: the dataset's contact, else
TERBUKA_CONTACT_EMAIL (the walidata's public address).
"""

from typing import Any

from catalog.interop.published import Published, dataset_page, download_url, public_base
from catalog.models import License, UpdateFrequency
from catalog.settings import get_settings

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
PERIODS = {
    UpdateFrequency.harian: "R/P1D",
    UpdateFrequency.mingguan: "R/P1W",
    UpdateFrequency.bulanan: "R/P1M",
    UpdateFrequency.triwulanan: "R/P3M",
    UpdateFrequency.semesteran: "R/P6M",
    UpdateFrequency.tahunan: "R/P1Y",
    UpdateFrequency.tidak_tentu: "irregular",
}
CITY = "Pemerintah Kota Pontianak"


def iso(value: Any) -> str:
    return str(value.replace(microsecond=0).isoformat().replace("+00:00", "Z"))


def dataset_entry(record: Published, licenses: dict[str, License]) -> dict[str, Any]:
    dataset, organization = record.dataset, record.organization
    license_ = licenses.get(dataset.license_id)
    themes = sorted(t.name for t in dataset.themes)
    keywords = sorted(t.name for t in dataset.tags) or themes or [organization.abbreviation or organization.name]
    email = dataset.contact_email or get_settings().contact_email
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": dataset.title,
        "description": dataset.description or dataset.title,
        "keyword": keywords,
        "modified": iso(dataset.modified),
        "issued": iso(dataset.created),
        "publisher": {
            "@type": "org:Organization",
            "name": organization.name,
            "subOrganizationOf": {"@type": "org:Organization", "name": CITY},
        },
        "contactPoint": {"@type": "vcard:Contact", "fn": dataset.contact_name or organization.name},
        "identifier": dataset_page(dataset.slug),
        "accessLevel": "public",
        "bureauCode": ["000:00"],
        "programCode": ["000:000"],
        "accrualPeriodicity": PERIODS[dataset.update_frequency],
        "landingPage": dataset_page(dataset.slug),
        "language": ["id"],
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": resource.name,
                "downloadURL": download_url(record.release, resource),
                "mediaType": resource.media_type,
                **({"format": resource.format} if resource.format else {}),
            }
            for resource in record.release.resources
        ],
    }
    if email:
        entry["contactPoint"]["hasEmail"] = f"mailto:{email}"
    if license_ and license_.url:
        entry["license"] = license_.url
    if themes:
        entry["theme"] = themes
    if dataset.spatial_coverage:
        entry["spatial"] = ", ".join(dataset.spatial_coverage)
    if dataset.temporal_start and dataset.temporal_end:
        entry["temporal"] = f"{dataset.temporal_start.isoformat()}/{dataset.temporal_end.isoformat()}"
    return entry


def catalog(records: list[Published], licenses: dict[str, License]) -> dict[str, Any]:
    return {
        "@context": f"{SCHEMA}/catalog.jsonld",
        "@id": f"{public_base()}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": SCHEMA,
        "describedBy": f"{SCHEMA}/catalog.json",
        "dataset": [dataset_entry(record, licenses) for record in records],
    }
