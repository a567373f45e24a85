"""CKAN portals (2.9–2.11) through ckanapi's RemoteCKAN, with every request on the guarded client.

A run lists every package id with its metadata_modified (package_search, paged, only those two fields),
then fetches what changed: in pages with ``fq=metadata_modified:[since TO *]`` when an earlier run
finished, else in full pages. A portal whose search is broken is read with package_list + package_show.
The regional Satu Data metadata is read from CKAN extras or, with ckanext-scheming, top-level fields.
"""

import re
import threading
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ckanapi import RemoteCKAN
from ckanapi.errors import CKANAPIError, ServerIncompatibleError

from catalog.models import REGION_CODE
from catalog.services.ckan_vocabulary import LICENSES, frequency
from catalog.services.files import safe_name
from harvesters.base import FetchedItem, Harvester, RemoteItem
from harvesters.http import Document, FetchError, SafeClient
from harvesters.portal import fq_filters, settings_of, themes_of

CORE_FIELDS = {
    "id",
    "name",
    "title",
    "notes",
    "url",
    "version",
    "state",
    "type",
    "private",
    "owner_org",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license_id",
    "license_title",
    "license_url",
    "metadata_created",
    "metadata_modified",
    "creator_user_id",
    "num_tags",
    "num_resources",
    "isopen",
    "organization",
    "groups",
    "tags",
    "resources",
    "extras",
    "relationships_as_object",
    "relationships_as_subject",
}
PAGE = 100
LISTING_PAGE = 1000
CLOCK_SKEW = timedelta(hours=1)  # incremental queries reach back this far before the last run


def license_id(ckan_id: str | None) -> str:
    return LICENSES.get((ckan_id or "").strip().lower(), "notspecified")


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name).strip().lower()


def satu_data_fields(package: dict[str, Any]) -> dict[str, str]:
    """CKAN extras plus the custom top-level string fields a ckanext-scheming portal shows instead."""
    fields = {e["key"]: str(e.get("value", "")) for e in package.get("extras") or [] if e.get("key")}
    for name, value in package.items():
        if name not in CORE_FIELDS and isinstance(value, str | int | float) and not isinstance(value, bool):
            fields.setdefault(name, str(value))
    return fields


class _Answer:
    """The slice of requests.Response that RemoteCKAN reads."""

    def __init__(self, document: Document) -> None:
        self.document = document

    @property
    def status_code(self) -> int:
        return self.document.status

    @property
    def text(self) -> str:
        return self.document.content.decode("utf-8", "replace")


class _GuardedSession:
    """The slice of requests.Session that RemoteCKAN uses, answered by SafeClient (SSRF guard, retries, limits).

    Each thread sees the last answer it got itself, so fetches may run in several threads."""

    def __init__(self, client: SafeClient) -> None:
        self.client = client
        self._answers = threading.local()

    @property
    def last(self) -> Document | None:
        return getattr(self._answers, "last", None)

    def get(self, url: str, params: dict[str, Any] | None = None, **_: Any) -> _Answer:
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None}, doseq=True)
        self._answers.last = self.client.get_bytes(f"{url}?{query}" if query else url, errors_too=True)
        return _Answer(self._answers.last)

    def close(self) -> None:
        pass


class CkanHarvester(Harvester):
    concurrent_fetch = True
    places_organizations = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = _GuardedSession(self.client)
        self.ckan = RemoteCKAN(
            self.source.url.rstrip("/"), get_only=True, session=self.http, user_agent="Terbuka harvester"
        )
        self.ckan.base_url = "api/3/action/"
        self._packages: dict[str, dict[str, Any]] = {}

    def _action(self, name: str, **params: Any) -> Any:
        try:
            return self.ckan.call_action(name, params)
        except (CKANAPIError, ServerIncompatibleError) as exc:
            last = self.http.last
            if last is None:
                raise FetchError(f"{self.source.url}: CKAN {name} failed: {exc}") from exc
            what = (
                f"HTTP {last.status}"
                if last.status >= 400
                else f"expected a CKAN JSON answer, got {last.content_type or 'an unknown type'}"
            )
            raise FetchError(
                f"{last.url}: CKAN {name} failed: {what}: {last.content[:200].decode('utf-8', 'replace')}"
            ) from exc

    def _search(self, fq: str, **extra: Any) -> list[dict[str, Any]]:
        """Every package package_search returns for fq, following a remote that caps rows below ours."""
        found: list[dict[str, Any]] = []
        rows = extra.pop("rows", PAGE)
        while True:
            result = self._action("package_search", q="*:*", fq=fq, rows=rows, start=len(found), sort="id asc", **extra)
            page = result.get("results", [])
            found.extend(page)
            if not page or len(found) >= int(result.get("count", 0)):
                return found

    def _fq(self, *more: str) -> str:
        clauses = fq_filters(self.source.filters)
        return " ".join([*(f"{key}:{value}" for key, value in sorted(clauses.items())), *more])

    def gather(self) -> list[RemoteItem]:
        try:
            listing = self._search(self._fq(), fl=["id", "metadata_modified"], rows=LISTING_PAGE)
        except FetchError as exc:
            return self._gather_without_search(exc)
        items = [RemoteItem(p["id"], p.get("metadata_modified", "")) for p in listing]
        if listing and "name" in listing[0]:  # the remote ignored fl and sent whole packages
            self._packages = {p["id"]: p for p in listing}
            return items
        changed = {i.remote_id for i in items if self.known.get(i.remote_id) != i.marker}
        if changed and self.since is not None:
            since = (self.since - CLOCK_SKEW).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            fresh = self._search(self._fq(f"metadata_modified:[{since} TO *]"))
        elif changed:
            fresh = self._search(self._fq())
        else:
            fresh = []
        self._packages = {p["id"]: p for p in fresh if p["id"] in changed}
        return items

    def _gather_without_search(self, reason: FetchError) -> list[RemoteItem]:
        """package_list + package_show, for a portal whose search index is broken."""
        try:
            names = self._action("package_list")
        except FetchError:
            raise reason from None
        items = []
        for name in names:
            package = self._action("package_show", id=name)
            organization = (package.get("organization") or {}).get("name")
            wanted = self.source.filters.get("organization")
            if wanted and organization != wanted:
                continue
            self._packages[package["id"]] = package
            items.append(RemoteItem(package["id"], package.get("metadata_modified", "")))
        return items

    def fetch(self, item: RemoteItem) -> FetchedItem:
        package = self._packages.get(item.remote_id) or self._action("package_show", id=item.remote_id)
        extras = satu_data_fields(package)
        by_key = {_key(name): value for name, value in extras.items()}
        codes = [c.strip() for c in re.split(r"[,;]", by_key.get("kode wilayah", "")) if c.strip()]
        portal = settings_of(self.source)
        fetched = FetchedItem(
            metadata={
                "slug": package["name"],
                "title": package.get("title") or package["name"],
                "description": package.get("notes") or "",
                "license_id": license_id(package.get("license_id")),
                "update_frequency": frequency(by_key.get("periode update data", "")),
                "spatial_coverage": [c for c in codes if REGION_CODE.fullmatch(c)],
                "tags": [t["name"] for t in package.get("tags") or []],
                "themes": themes_of(package.get("groups") or [], portal.groups if portal else {}),
                "extras": extras,
                "contact_name": package.get("maintainer") or None,
                "contact_email": package.get("maintainer_email") or None,
            },
            organization=package.get("organization") or None,
        )
        for number, resource in enumerate(package.get("resources") or [], start=1):
            url = resource.get("url") or ""
            if not url:
                fetched.warnings.append(f"resource {number} has no URL")
                continue
            fmt = (resource.get("format") or Path(url).suffix.lstrip(".")).lower()
            name = safe_name(resource.get("name") or f"resource-{number}")
            if fmt and not name.lower().endswith(f".{fmt}"):
                name = f"{name}.{fmt}"
            try:
                download = self.client.download(url, self.workdir)
            except FetchError as exc:
                fetched.urls.append(url)
                fetched.warnings.append(f"resource {name!r} kept as a link: {exc}")
                continue
            if download is not None:
                fetched.files.append((name, download.path))
        return fetched
