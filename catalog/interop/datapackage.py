"""Frictionless Data Package of a dataset's current release, with each table's schema and dialect inlined.

A resource's schema is the one it was validated against (inline or from the registry), else one inferred
from the stored file; its dialect (delimiter, encoding, header row) is sniffed from the stored file, so
``frictionless validate`` reads the data exactly as Terbuka did.
"""

import re
import zipfile
from pathlib import Path
from typing import IO, Any

from catalog.interop.published import Published, dataset_page, download_url
from catalog.models import License, Resource
from catalog.services.files import file_store
from schemas.registry import infer_schema, resolve_schema
from schemas.sniff import EXCEL_FORMATS, sniff_dialect

TABULAR = {"csv", "tsv", *EXCEL_FORMATS, "xls"}


def resource_name(resource: Resource, taken: set[str]) -> str:
    """A Data Package resource name (lower case, ``[a-z0-9._-]``), unique within the package."""
    base = re.sub(r"[^a-z0-9._-]+", "-", Path(resource.name).stem.lower()).strip("-.") or f"berkas-{resource.id}"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    taken.add(name)
    return name


def table_schema(resource: Resource, path: Path) -> dict[str, Any]:
    if resource.table_schema:
        return resolve_schema(resource.table_schema)
    if resource.schema_ref:
        return resolve_schema(resource.schema_ref)
    return infer_schema(path)


def dialect_of(path: Path, fmt: str) -> dict[str, Any]:
    sniffed = sniff_dialect(path, fmt)
    dialect: dict[str, Any] = {"headerRows": [sniffed.header_row]} if sniffed.header_row != 1 else {}
    if fmt not in EXCEL_FORMATS:
        dialect |= {"delimiter": sniffed.delimiter, "quoteChar": sniffed.quote_char}
    return dialect


def resource_descriptor(
    record: Published, resource: Resource, name: str, path_in_package: str | None
) -> dict[str, Any]:
    fmt = resource.format.lower()
    descriptor: dict[str, Any] = {
        "name": name,
        "title": resource.name,
        "path": path_in_package or download_url(record.release, resource),
        "format": fmt,
        "mediatype": resource.media_type,
    }
    if resource.byte_size is not None:
        descriptor["bytes"] = resource.byte_size
    if resource.sha256:
        descriptor["hash"] = f"sha256:{resource.sha256}"
        stored = file_store().open(resource.sha256)
        if fmt in TABULAR:
            descriptor["profile"] = "tabular-data-resource"
            descriptor["schema"] = table_schema(resource, stored)
            dialect = dialect_of(stored, fmt)
            if dialect:
                descriptor["dialect"] = dialect
            if fmt not in EXCEL_FORMATS:
                descriptor["encoding"] = sniff_dialect(stored, fmt).encoding.replace("utf-8-sig", "utf-8")
    return descriptor


def zip_path(name: str, resource: Resource) -> str:
    return f"data/{name}.{resource.format.lower() or 'bin'}"


def package(record: Published, licenses: dict[str, License], *, local_paths: bool = False) -> dict[str, Any]:
    """The descriptor; with ``local_paths`` its resources point into the zip's ``data/`` folder."""
    dataset, organization = record.dataset, record.organization
    license_ = licenses.get(dataset.license_id)
    taken: set[str] = set()
    resources = []
    for resource in record.release.resources:
        name = resource_name(resource, taken)
        local = zip_path(name, resource) if local_paths and resource.sha256 else None
        resources.append(resource_descriptor(record, resource, name, local))
    tabular = bool(resources) and all(r.get("profile") == "tabular-data-resource" for r in resources)
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package" if tabular else "data-package",
        "name": dataset.slug,
        "id": dataset_page(dataset.slug),
        "title": dataset.title,
        "description": dataset.description,
        "homepage": dataset_page(dataset.slug),
        "version": str(record.release.number),
        "created": record.published_at.isoformat(),
        "keywords": sorted(t.name for t in dataset.tags),
        "contributors": [{"title": organization.name, "role": "publisher"}],
        "resources": resources,
    }
    if license_ is not None:
        descriptor["licenses"] = [
            {"name": license_.id, "title": license_.title, **({"path": license_.url} if license_.url else {})}
        ]
    return descriptor


def write_zip(record: Published, licenses: dict[str, License], target: IO[bytes]) -> None:
    """The package with its stored files under ``data/``; linked (not stored) resources keep their URL."""
    import json

    descriptor = package(record, licenses, local_paths=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        for resource, entry in zip(record.release.resources, descriptor["resources"], strict=True):
            if resource.sha256:
                archive.write(file_store().open(resource.sha256), entry["path"])
