"""CKAN portals (2.9–2.11): the action API's package_search, paged, and the regional Satu Data extras."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from catalog.models import REGION_CODE, UpdateFrequency
from catalog.services.files import safe_name
from catalog.services.reference import THEMES
from harvesters.base import FetchedItem, Harvester, RemoteItem
from harvesters.http import FetchError

LICENSES = {
    "cc-by": "cc-by-4.0", "cc-by-4.0": "cc-by-4.0", "cc-by-sa": "cc-by-sa-4.0", "cc-by-sa-4.0": "cc-by-sa-4.0",
    "cc-zero": "cc0-1.0", "cc0-1.0": "cc0-1.0", "odc-odbl": "odbl-1.0", "odbl-1.0": "odbl-1.0",
}
FREQUENCIES = [("harian", UpdateFrequency.harian), ("minggu", UpdateFrequency.mingguan),
               ("bulan", UpdateFrequency.bulanan), ("triwulan", UpdateFrequency.triwulanan),
               ("semester", UpdateFrequency.semesteran), ("tahun", UpdateFrequency.tahunan)]
PAGE = 100


def license_id(ckan_id: str | None) -> str:
    return LICENSES.get((ckan_id or "").strip().lower(), "notspecified")


def frequency(text: str) -> UpdateFrequency:
    lowered = text.lower()
    return next((value for word, value in FREQUENCIES if word in lowered), UpdateFrequency.tidak_tentu)


class CkanHarvester(Harvester):
    def _action(self, name: str, **params: Any) -> Any:
        url = f"{self.source.url.rstrip('/')}/api/3/action/{name}?{urlencode(params)}"
        envelope = self.client.get_json(url)
        if not isinstance(envelope, dict) or not envelope.get("success"):
            raise FetchError(f"{url}: CKAN did not answer success: {str(envelope)[:200]}")
        return envelope["result"]

    def gather(self) -> list[RemoteItem]:
        """All packages, paged; a remote that caps rows below ours is followed by what it returned."""
        fq = " ".join(f"{key}:{value}" for key, value in sorted(self.source.filters.items()))
        items: list[RemoteItem] = []
        self._packages: dict[str, dict[str, Any]] = {}
        while True:
            result = self._action("package_search", q="*:*", fq=fq, rows=PAGE, start=len(items),
                                  sort="name asc")
            page = result.get("results", [])
            for package in page:
                self._packages[package["id"]] = package
                items.append(RemoteItem(package["id"], package.get("metadata_modified", "")))
            if not page or len(items) >= int(result.get("count", 0)):
                return items

    def fetch(self, item: RemoteItem) -> FetchedItem:
        package = self._packages.get(item.remote_id) or self._action("package_show", id=item.remote_id)
        extras = {e["key"]: str(e.get("value", "")) for e in package.get("extras", []) if e.get("key")}
        codes = [c.strip() for c in re.split(r"[,;]", extras.get("Kode Wilayah", "")) if c.strip()]
        groups = {g.get("name", "") for g in package.get("groups", [])}
        fetched = FetchedItem(metadata={
            "slug": package["name"], "title": package.get("title") or package["name"],
            "description": package.get("notes") or "", "license_id": license_id(package.get("license_id")),
            "update_frequency": frequency(extras.get("Periode Update Data", "")),
            "spatial_coverage": [c for c in codes if REGION_CODE.fullmatch(c)],
            "tags": [t["name"] for t in package.get("tags", [])],
            "themes": sorted(groups & set(THEMES)), "extras": extras,
        })
        for number, resource in enumerate(package.get("resources", []), start=1):
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
