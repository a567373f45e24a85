"""schema.org ``Dataset`` JSON-LD of a published dataset, the document search engines read.

``dataset_jsonld`` is a plain function: the API serves it alone and the portal embeds the same document
in the dataset's page (``<script type="application/ld+json">``).
"""

from typing import Any

from catalog.interop.published import Published, dataset_page, download_url, public_base
from catalog.models import License
from schemas.wilayah import KOTA_PONTIANAK, regions


def place(codes: list[str]) -> dict[str, Any]:
    """The covered area: Kota Pontianak, or the regions named, with the Kemendagri codes as identifiers."""
    known = regions()
    names = [known[code].name for code in codes if code in known]
    whole_city = KOTA_PONTIANAK in codes or not names
    return {
        "@type": "Place",
        "name": "Kota Pontianak" if whole_city else ", ".join(names),
        "identifier": codes,
        "containedInPlace": {"@type": "City", "name": "Kota Pontianak", "identifier": KOTA_PONTIANAK},
    }


def dataset_jsonld(record: Published, licenses: dict[str, License]) -> dict[str, Any]:
    dataset, organization, release = record.dataset, record.organization, record.release
    license_ = licenses.get(dataset.license_id)
    creator = {
        "@type": "GovernmentOrganization",
        "name": organization.name,
        "url": f"{public_base()}/opd/{organization.slug}",
        **({"alternateName": organization.abbreviation} if organization.abbreviation else {}),
    }
    document: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": dataset_page(dataset.slug),
        "url": dataset_page(dataset.slug),
        "identifier": dataset_page(dataset.slug),
        "name": dataset.title,
        "description": dataset.description or dataset.title,
        "keywords": sorted(t.name for t in dataset.tags) + sorted(t.name for t in dataset.themes),
        "inLanguage": "id",
        "isAccessibleForFree": True,
        "version": str(release.number),
        "dateCreated": dataset.created.isoformat(),
        "dateModified": dataset.modified.isoformat(),
        "datePublished": record.published_at.isoformat(),
        "creator": creator,
        "publisher": creator,
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": "Terbuka — Satu Data Kota Pontianak",
            "url": f"{public_base()}/",
        },
        "distribution": [
            {
                "@type": "DataDownload",
                "name": resource.name,
                "contentUrl": download_url(release, resource),
                "encodingFormat": resource.media_type,
                **({"contentSize": f"{resource.byte_size} B"} if resource.byte_size is not None else {}),
            }
            for resource in release.resources
        ],
    }
    if license_ and license_.url:
        document["license"] = license_.url
    if dataset.temporal_start or dataset.temporal_end:
        start = dataset.temporal_start.isoformat() if dataset.temporal_start else ".."
        end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
        document["temporalCoverage"] = f"{start}/{end}"
    if dataset.spatial_coverage:
        document["spatialCoverage"] = place(dataset.spatial_coverage)
    if dataset.contact_email or dataset.contact_name:
        document["creator"] = {
            **creator,
            "contactPoint": {
                "@type": "ContactPoint",
                "contactType": "data",
                **({"name": dataset.contact_name} if dataset.contact_name else {}),
                **({"email": dataset.contact_email} if dataset.contact_email else {}),
            },
        }
    return document
