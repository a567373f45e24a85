"""CKAN's dictionaries (package, resource, organization, group, tag, license) built from published records.

Ids are Terbuka's numbers as strings; CKAN clients treat ids as opaque. The Satu Data metadata that CKAN
has no field for travels as extras under the names regional CKAN portals use (Kode Wilayah, Periode Update
Data…), so a CKAN harvester reads it back; the dataset's own extras are kept and win on a name clash.
"""

from datetime import datetime
from typing import Any

from catalog.interop.published import Published, dataset_page, download_url
from catalog.models import License, Organization, Release, Resource, Theme

VALIDATION_STATUS = {True: "success", False: "failure", None: "unknown"}


def ckan_time(value: datetime | None) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without a zone."""
    return None if value is None else value.replace(tzinfo=None).isoformat()


def satu_data_extras(record: Published) -> list[dict[str, str]]:
    dataset = record.dataset
    derived = {
        "Periode Update Data": dataset.update_frequency.value,
        "Data Prioritas": "ya" if dataset.is_priority else "tidak",
        "Produsen Data": dataset.organization.name,
    }
    if dataset.spatial_coverage:
        derived["Kode Wilayah"] = ", ".join(dataset.spatial_coverage)
    if dataset.temporal_start:
        derived["temporal_start"] = dataset.temporal_start.isoformat()
    if dataset.temporal_end:
        derived["temporal_end"] = dataset.temporal_end.isoformat()
    own = {key.strip().lower() for key in dataset.extras}
    merged = {key: value for key, value in derived.items() if key.lower() not in own} | dict(dataset.extras)
    return [{"key": key, "value": str(value)} for key, value in sorted(merged.items())]


def organization_dict(organization: Organization, *, package_count: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(organization.id),
        "name": organization.slug,
        "title": organization.name,
        "display_name": organization.name,
        "description": organization.description,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(organization.created),
        "revision_id": None,
        "extras": [{"key": "abbreviation", "value": organization.abbreviation}] if organization.abbreviation else [],
    }
    if package_count is not None:
        found["package_count"] = package_count
    return found


def group_dict(theme: Theme, *, package_count: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(theme.id),
        "name": theme.slug,
        "title": theme.name,
        "display_name": theme.name,
        "description": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
    }
    if package_count is not None:
        found["package_count"] = package_count
    return found


def resource_dict(dataset_id: int | None, release: Release, resource: Resource) -> dict[str, Any]:
    published = ckan_time(release.published_at)
    return {
        "id": str(resource.id),
        "package_id": str(dataset_id),
        "name": resource.name,
        "description": "",
        "url": download_url(release, resource),
        "url_type": "upload" if resource.sha256 else None,
        "format": resource.format,
        "mimetype": resource.media_type,
        "mimetype_inner": None,
        "size": resource.byte_size,
        "hash": resource.sha256 or "",
        "position": resource.position,
        "created": ckan_time(release.created),
        "last_modified": published,
        "metadata_modified": published,
        "state": "active",
        "resource_type": None,
        "cache_url": None,
        "datastore_active": False,
        "schema": resource.schema_ref or resource.table_schema or "",
        "validation_status": VALIDATION_STATUS[resource.validation_valid],
        "release": release.number,
    }


def package_dict(record: Published, licenses: dict[str, License]) -> dict[str, Any]:
    dataset, release = record.dataset, record.release
    license_ = licenses.get(dataset.license_id)
    tags = sorted(dataset.tags, key=lambda t: t.name)
    themes = sorted(dataset.themes, key=lambda t: t.slug)
    resources = [resource_dict(dataset.id, release, r) for r in release.resources]
    return {
        "id": str(dataset.id),
        "name": dataset.slug,
        "title": dataset.title,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "url": dataset_page(dataset.slug),
        "version": str(release.number),
        "license_id": dataset.license_id,
        "license_title": license_.title if license_ else dataset.license_id,
        "license_url": license_.url if license_ else None,
        "isopen": bool(license_ and license_.is_open),
        "author": dataset.organization.name,
        "author_email": None,
        "maintainer": dataset.contact_name,
        "maintainer_email": dataset.contact_email,
        "creator_user_id": None,
        "metadata_created": ckan_time(dataset.created),
        "metadata_modified": ckan_time(max(dataset.modified, record.published_at)),
        "owner_org": str(dataset.organization_id),
        "organization": organization_dict(dataset.organization),
        "tags": [
            {"id": str(t.id), "name": t.name, "display_name": t.name, "state": "active", "vocabulary_id": None}
            for t in tags
        ],
        "num_tags": len(tags),
        "groups": [group_dict(t) for t in themes],
        "resources": resources,
        "num_resources": len(resources),
        "extras": satu_data_extras(record),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def license_dict(license_: License) -> dict[str, Any]:
    return {
        "id": license_.id,
        "title": license_.title,
        "url": license_.url or "",
        "is_okd_compliant": license_.is_open,
        "is_osi_compliant": False,
        "od_conformance": "approved" if license_.is_open else "not reviewed",
        "osd_conformance": "not reviewed",
        "status": "active",
        "maintainer": "",
        "family": "",
        "domain_content": True,
        "domain_data": True,
        "domain_software": False,
    }
