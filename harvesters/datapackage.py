"""Frictionless Data Packages: one ``datapackage.json`` (a URL, a local path or its directory) is one dataset.

The package's release holds every resource: files next to the descriptor, absolute URLs
(downloaded, or kept as links when they cannot be had) and inline ``data`` (rows as CSV, other
JSON as a JSON file). Each resource's own Table Schema (inline or by relative path/URL) travels
with its file and validates it. A resource path that leaves the package directory fails the item.
The change marker is the package's ``version`` (or ``modified``), else the descriptor's sha256:
publishers bump it when the data change.
"""

import csv
import hashlib
import json
import posixpath
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from catalog.models import REGION_CODE
from catalog.services.ckan_vocabulary import LICENSES
from catalog.services.files import safe_name
from catalog.services.links import LinkDescription
from catalog.services.reference import LICENSES as KNOWN_LICENSES
from catalog.services.reference import THEMES
from catalog.settings import get_settings
from harvesters.base import FetchedItem, Harvester, RemoteItem
from harvesters.http import FetchError
from schemas.registry import REFERENCE_TABLES, resolve_schema

DESCRIPTOR = "datapackage.json"
MAPPED = {
    "name",
    "title",
    "description",
    "keywords",
    "licenses",
    "resources",
    "temporal",
    "spatial",
    "profile",
    "$schema",
}
# What a resource's file carries itself; every other key of a resource (title, description, licenses…) is kept.
RESOURCE_MAPPED = {"name", "path", "data", "format", "mediatype", "mediaType", "encoding", "schema", "profile"}
LICENSE_URLS = {(lic.url or "").split("://")[-1].rstrip("/"): lic.id for lic in KNOWN_LICENSES if lic.url}


def local_path(url: str) -> Path | None:
    """The filesystem path a source URL names, or None for http(s); only under TERBUKA_HARVEST_LOCAL_ROOTS."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return None
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
    elif len(parts.scheme) > 1:
        raise FetchError(f"{url}: a source is an http(s) URL, a file:// URL or a local path")
    else:
        path = Path(url)
    roots = [Path(r.strip()).resolve() for r in get_settings().harvest_local_roots.split(",") if r.strip()]
    if not any(path.resolve().is_relative_to(root) for root in roots):
        raise FetchError(
            f"{url}: local folders can be harvested only under TERBUKA_HARVEST_LOCAL_ROOTS "
            f"({', '.join(map(str, roots)) or 'not set'})"
        )
    return path


def copy_into(source: Path, directory: Path) -> Path:
    """A copy of a local file in the harvest's work directory (the import deletes what it took)."""
    if not source.is_file():
        raise FetchError(f"{source}: no such file")
    with tempfile.NamedTemporaryFile(dir=directory, prefix="harvest-", delete=False) as out:
        target = Path(out.name)
    try:
        shutil.copyfile(source, target)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise FetchError(f"{source}: cannot be read: {exc}") from exc
    return target


def license_for(name: str | None, path: str | None = None) -> str | None:
    """A Terbuka license id from a license name (SPDX or CKAN style) or its URL; None if unknown."""
    lowered = str(name or "").strip().lower()
    if lowered in {lic.id for lic in KNOWN_LICENSES}:
        return lowered
    if lowered in LICENSES:
        return LICENSES[lowered]
    return LICENSE_URLS.get(str(path or "").split("://")[-1].rstrip("/"))


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120].strip("-")
    return slug if len(slug) >= 3 else f"data-{slug}".strip("-")


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def inside(relative: str) -> str:
    """``relative`` normalised, refusing absolute paths and ``..`` that leave the package directory."""
    normal = posixpath.normpath(relative.replace("\\", "/"))
    if relative.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", relative) or normal.split("/")[0] == "..":
        raise FetchError(f"path {relative!r} leaves the package directory")
    return normal


class DataPackageHarvester(Harvester):
    reads_local_paths = True

    def _location(self) -> str | Path:
        path = local_path(self.source.url)
        if path is not None:
            return path / DESCRIPTOR if path.is_dir() else path
        url = self.source.url
        return url if urlsplit(url).path.endswith(".json") else f"{url.rstrip('/')}/{DESCRIPTOR}"

    def gather(self) -> list[RemoteItem]:
        self.location = self._location()
        if isinstance(self.location, Path):
            if not self.location.is_file():
                raise FetchError(f"{self.location}: no {DESCRIPTOR} there")
            try:
                raw = self.location.read_bytes()
            except OSError as exc:
                raise FetchError(f"{self.location}: cannot be read: {exc}") from exc
        else:
            document = self.client.get_bytes(self.location)
            self.location, raw = document.url, document.content
        try:
            package = json.loads(raw)
        except ValueError as exc:
            raise FetchError(f"{self.location}: not JSON: {exc}") from exc
        if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
            raise FetchError(f"{self.location}: a Data Package is a JSON object with a 'resources' list")
        self.package = package
        version = package.get("version") or package.get("modified")
        marker = f"version:{version}" if version else f"sha256:{hashlib.sha256(raw).hexdigest()}"
        return [RemoteItem(str(package.get("name") or self.source.url), marker)]

    def fetch(self, item: RemoteItem) -> FetchedItem:
        package = self.package
        fetched = FetchedItem(metadata=self._metadata(package, item.remote_id))
        licenses = package.get("licenses")
        first = licenses[0] if isinstance(licenses, list) and licenses and isinstance(licenses[0], dict) else {}
        name, path = first.get("name") or first.get("id"), first.get("path") or first.get("url")
        fetched.metadata["license_id"] = license_for(name, path) or "notspecified"
        if first and fetched.metadata["license_id"] == "notspecified":
            fetched.metadata["extras"]["licenses"] = as_text(licenses)
            fetched.warnings.append(
                f"license {name or path or as_text(first)!r} unknown: set to notspecified, kept in extras as licenses"
            )
        self._temporal(package.get("temporal"), fetched)
        taken: set[str] = set()
        for number, resource in enumerate(package["resources"], start=1):
            if not isinstance(resource, dict):
                raise FetchError(f"resource {number} is not a JSON object")
            label = str(resource.get("name") or f"resource-{number}")
            fetched.metadata["extras"].update(
                {
                    f"resource[{label}]:{key}": as_text(value)
                    for key, value in resource.items()
                    if key not in RESOURCE_MAPPED and value not in (None, "", [])
                }
            )
            try:
                self._resource(resource, label, taken, fetched)
            except FetchError as exc:
                raise FetchError(f"resource {label!r}: {exc}") from exc
        return fetched

    def _metadata(self, package: dict[str, Any], remote_id: str) -> dict[str, Any]:
        given = package.get("keywords")
        keywords = [str(k).strip() for k in given if str(k).strip()] if isinstance(given, list) else []
        spatial = package.get("spatial")
        codes = [str(c).strip() for c in (spatial if isinstance(spatial, list) else [spatial or ""])]
        extras = {key: as_text(value) for key, value in package.items() if key not in MAPPED and value is not None}
        if spatial and not all(REGION_CODE.fullmatch(code) for code in codes):
            extras["spatial"] = as_text(spatial)
        name = str(package.get("name") or "")
        title = str(package.get("title") or name or remote_id)[:300]
        return {
            "slug": slugify(name or Path(urlsplit(str(self.location)).path).parent.name),
            "title": title if len(title) >= 3 else f"Data {title}",
            "description": str(package.get("description") or ""),
            "spatial_coverage": [code for code in codes if REGION_CODE.fullmatch(code)],
            "tags": keywords,
            "themes": sorted(set(keywords) & set(THEMES)),
            "extras": extras,
        }

    def _temporal(self, temporal: Any, fetched: FetchedItem) -> None:
        if not isinstance(temporal, dict):
            return
        for key in ("start", "end"):
            if temporal.get(key):
                try:
                    fetched.metadata[f"temporal_{key}"] = date.fromisoformat(str(temporal[key])[:10])
                except ValueError:
                    fetched.warnings.append(f"temporal {key} {temporal[key]!r} is not an ISO date: ignored")

    def _resource(self, resource: dict[str, Any], label: str, taken: set[str], fetched: FetchedItem) -> None:
        path = resource.get("path")
        if isinstance(path, list):
            fetched.warnings.append(f"resource {label!r} has {len(path)} parts: multipart resources are skipped")
            return
        schema = None if resource.get("schema") is None else self._schema(resource["schema"], fetched, label)
        if path is None and "data" in resource:
            wanted, file = self._inline(resource["data"], schema, label)
        elif isinstance(path, str) and urlsplit(path).scheme in ("http", "https"):
            try:
                download = self.client.download(path, self.workdir)
                if download is None:
                    raise FetchError(f"{path}: the server sent no content")
            except FetchError as exc:
                fetched.urls.append(path)
                fetched.links[path] = LinkDescription(
                    str(resource.get("title") or label),
                    str(resource.get("format") or "").upper(),
                    str(resource.get("mediatype") or resource.get("mediaType") or ""),
                    resource["bytes"] if isinstance(resource.get("bytes"), int) else None,
                )
                fetched.warnings.append(f"resource {label!r} kept as a link: {exc}")
                return
            wanted, file = posixpath.basename(urlsplit(path).path) or label, download.path
        elif isinstance(path, str) and path:
            wanted, file = posixpath.basename(inside(path)), self._relative_file(path)
        else:
            raise FetchError("has neither a 'path' nor inline 'data'")
        fmt = str(resource.get("format") or "").lower()
        name = self._name(f"{wanted}.{fmt}" if fmt and "." not in wanted else wanted, taken)
        fetched.files.append((name, file))
        if schema is not None:
            fetched.schemas[name] = schema

    def _name(self, wanted: str, taken: set[str]) -> str:
        name = safe_name(wanted)
        stem, dot, suffix = name.rpartition(".")
        number = 1
        while name in taken:
            number += 1
            name = f"{stem}-{number}.{suffix}" if dot else f"{name}-{number}"
        taken.add(name)
        return name

    def _relative_file(self, relative: str) -> Path:
        normal = inside(relative)
        if isinstance(self.location, Path):
            return copy_into(self._local(self.location, normal), self.workdir)
        download = self.client.download(urljoin(self.location, quote(normal)), self.workdir)
        if download is None:
            raise FetchError(f"{relative}: the server sent no content")
        return download.path

    @staticmethod
    def _local(descriptor: Path, normal: str) -> Path:
        """A file of a local package, followed through symbolic links but never out of its directory."""
        root = descriptor.parent.resolve()
        target = (root / normal).resolve()
        if not target.is_relative_to(root):
            raise FetchError(f"path {normal!r} leaves the package directory")
        return target

    def _schema_file(self, reference: str) -> Any:
        if urlsplit(reference).scheme in ("http", "https"):
            return self.client.get_json(reference)
        if not isinstance(self.location, Path):
            return self.client.get_json(urljoin(self.location, quote(inside(reference))))
        target = self._local(self.location, inside(reference))
        if not target.is_file():
            raise FetchError(f"schema {reference!r}: no such file in the package directory")
        try:
            return json.loads(target.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise FetchError(f"schema {reference!r}: not JSON: {exc}") from exc

    def _inline(self, data: Any, schema: dict[str, Any] | None, label: str) -> tuple[str, Path]:
        """Inline rows (lists, or objects keyed by field) as a CSV file; any other JSON as a JSON file."""
        with tempfile.NamedTemporaryFile(
            "w", dir=self.workdir, prefix="harvest-", delete=False, newline="", encoding="utf-8"
        ) as out:
            if not isinstance(data, list) or not all(isinstance(row, (list, dict)) for row in data):
                json.dump(data, out, ensure_ascii=False)
                return f"{label}.json", Path(out.name)
            rows: list[list[Any]] = [row for row in data if isinstance(row, list)]
            records = [row for row in data if isinstance(row, dict)]
            if records:
                fields = [f["name"] for f in (schema or {}).get("fields", [])]
                header = list(dict.fromkeys([*fields, *(key for record in records for key in record)]))
                rows = [header, *([record.get(key, "") for key in header] for record in records)]
            csv.writer(out, lineterminator="\n").writerows(rows)
        return f"{label}.csv", Path(out.name)

    def _schema(self, schema: Any, fetched: FetchedItem, label: str) -> dict[str, Any]:
        if isinstance(schema, str):
            schema = self._schema_file(schema)
        if not isinstance(schema, dict):
            raise FetchError("schema: a Table Schema is a JSON object")
        try:
            checked = dict(resolve_schema(schema))
        except ValueError as exc:
            raise FetchError(f"schema: {exc}") from exc
        keys = [
            fk
            for fk in checked.get("foreignKeys", [])
            if isinstance(fk, dict) and fk.get("reference", {}).get("resource") in ("", *REFERENCE_TABLES)
        ]
        if len(keys) < len(checked.get("foreignKeys", [])):
            checked["foreignKeys"] = keys
            fetched.warnings.append(f"resource {label!r}: foreign keys to other resources are not checked")
        return checked
