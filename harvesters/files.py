"""File drops: a directory of CSV, XLSX, JSON and GeoJSON files, one dataset per file.

The source is a local directory (a path or file:// URL) or an HTTP index page, the plain HTML
listing of Apache, nginx autoindex or python's http.server; its links on the same host below the
index are followed, subfolders included. The remote id is the file's path relative to the root.
An optional ``terbuka.yaml`` at the root gives each file (or glob pattern) its metadata; a file it
does not describe gets a title from its name and is flagged for review. A malformed manifest fails
the whole job before anything is imported. The change marker is a local file's size and mtime, or
the sha256 of a file downloaded from an index (a listing carries no reliable dates), together with
the file's manifest entry, so an edited entry is harvested again.
"""

import fnmatch
import hashlib
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import yaml

from catalog.models import UpdateFrequency
from catalog.services.files import safe_name
from catalog.services.reference import THEMES
from harvesters.base import FetchedItem, Harvester, RemoteItem
from harvesters.datapackage import copy_into, license_for, local_path, slugify
from harvesters.http import FetchError
from schemas.registry import SchemaNotFound, get_schema

EXTENSIONS = {".csv", ".xlsx", ".xls", ".json", ".geojson"}
MANIFEST = "terbuka.yaml"
FIELDS = ("title", "description", "schema", "frequency", "tags", "themes", "license", "slug")
INFERRED = "metadata inferred: review before publishing"
MAX_DEPTH = 5
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{2,119}")


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def title_from(name: str) -> str:
    """'jumlah_penduduk_2024.csv' → 'Jumlah Penduduk 2024'."""
    words = re.split(r"[\s_\-.]+", posixpath.splitext(name)[0])
    title = " ".join(word[:1].upper() + word[1:] for word in words if word)[:300]
    return title if len(title) >= 3 else name


def _fail(where: str, message: str) -> FetchError:
    return FetchError(f"{MANIFEST}: {where}: {message}")


def _entry(where: str, entry: Any, allowed: tuple[str, ...] = FIELDS) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _fail(where, f"expected a mapping with any of {', '.join(allowed)}")
    unknown = sorted(str(key) for key in entry if key not in allowed)
    if unknown:
        raise _fail(where, f"unknown keys {', '.join(unknown)} (allowed: {', '.join(allowed)})")
    for key, value in entry.items():
        if key in ("tags", "themes"):
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise _fail(f"{where}.{key}", "expected a list of words")
        elif not isinstance(value, str):
            raise _fail(f"{where}.{key}", f"expected text, got {value!r}")
    if "title" in entry and not 3 <= len(entry["title"]) <= 300:
        raise _fail(f"{where}.title", "between 3 and 300 characters")
    if "schema" in entry:
        name, _, version = entry["schema"].partition("/")
        try:
            get_schema(name, version or None)
        except SchemaNotFound as exc:
            raise _fail(f"{where}.schema", str(exc)) from exc
    frequencies = [f.value for f in UpdateFrequency]
    if "frequency" in entry and entry["frequency"] not in frequencies:
        raise _fail(f"{where}.frequency", f"{entry['frequency']!r} is not one of {', '.join(frequencies)}")
    if "license" in entry and license_for(entry["license"]) is None:
        raise _fail(f"{where}.license", f"unknown license {entry['license']!r} (e.g. cc-by-4.0, cc0-1.0, odbl-1.0)")
    unknown_themes = sorted(set(entry.get("themes", [])) - set(THEMES))
    if unknown_themes:
        raise _fail(f"{where}.themes", f"unknown {', '.join(unknown_themes)} (known: {', '.join(THEMES)})")
    if "slug" in entry and not SLUG.fullmatch(entry["slug"]):
        raise _fail(f"{where}.slug", "3 to 120 of a-z, 0-9 and '-', starting with a letter or digit")
    return entry


def parse_manifest(raw: bytes) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The manifest's defaults and its entries by file name or glob pattern; FetchError when malformed."""
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FetchError(f"{MANIFEST} is not UTF-8 text: {exc}") from exc
    except yaml.YAMLError as exc:
        raise FetchError(f"{MANIFEST} is not valid YAML: {exc}") from exc
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or set(data) - {"defaults", "files"}:
        raise FetchError(f"{MANIFEST}: the top level is a mapping with 'files' and optionally 'defaults'")
    files = data.get("files") or {}
    if not isinstance(files, dict):
        raise _fail("files", "expected a mapping of file names or patterns to their metadata")
    entries = {str(pattern): _entry(f"files.{pattern}", entry) for pattern, entry in files.items()}
    for pattern, entry in entries.items():
        if "slug" in entry and any(char in pattern for char in "*?["):
            raise _fail(f"files.{pattern}.slug", "a slug names one dataset: give it for a file, not a pattern")
    defaults_fields = tuple(key for key in FIELDS if key not in ("title", "slug"))
    return _entry("defaults", data.get("defaults") or {}, defaults_fields), entries


class FileDropHarvester(Harvester):
    reads_local_paths = True
    concurrent_fetch = True

    def gather(self) -> list[RemoteItem]:
        self.defaults: dict[str, Any] = {}
        self.entries: dict[str, dict[str, Any]] = {}
        self.local: dict[str, Path] = {}
        self.downloaded: dict[str, Path | FetchError] = {}
        root = local_path(self.source.url)
        markers = self._gather_local(root) if root is not None else self._gather_http()
        items = []
        for relative, marker in sorted(markers.items()):
            described = json.dumps([self.defaults, self._entry_for(relative)], sort_keys=True)
            items.append(RemoteItem(relative, f"{marker}|{hashlib.sha256(described.encode()).hexdigest()[:16]}"))
        return items

    def _gather_local(self, root: Path) -> dict[str, str]:
        if not root.is_dir():
            raise FetchError(f"{root}: no such directory")
        if (root / MANIFEST).is_file():
            self.defaults, self.entries = parse_manifest((root / MANIFEST).read_bytes())
        markers = {}
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if (
                path.suffix.lower() not in EXTENSIONS
                or not path.is_file()
                or relative.startswith(".")
                or "/." in relative
                or not path.resolve().is_relative_to(root.resolve())
            ):
                continue
            stat = path.stat()
            self.local[relative] = path
            markers[relative] = f"{stat.st_size}:{stat.st_mtime_ns}"
        return markers

    def _gather_http(self) -> dict[str, str]:
        """Crawl the index and its subfolder pages, then download every file to compare it by content."""
        first = self.client.get_bytes(self.source.url)
        top = urlsplit(first.url)
        root = top.path if top.path.endswith("/") else f"{top.path}/"
        pages, seen = [(first, 0)], {top.path}
        files: dict[str, str] = {}
        manifest: str | None = None
        while pages:
            page, depth = pages.pop()
            parser = LinkParser()
            parser.feed(page.content.decode("utf-8", errors="replace"))
            for href in parser.links:
                parts = urlsplit(urljoin(page.url, href))
                if (parts.scheme, parts.netloc) != (top.scheme, top.netloc) or not parts.path.startswith(root):
                    continue
                url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
                relative = unquote(parts.path[len(root) :])
                if parts.path.endswith("/") and parts.path not in seen and depth < MAX_DEPTH:
                    seen.add(parts.path)
                    pages.append((self.client.get_bytes(url), depth + 1))
                elif relative == MANIFEST:
                    manifest = url
                elif (
                    posixpath.splitext(relative)[1].lower() in EXTENSIONS
                    and not relative.startswith(".")
                    and "/." not in relative
                ):
                    files[relative] = url
        if manifest:
            self.defaults, self.entries = parse_manifest(self.client.get_bytes(manifest).content)
        markers = {}
        for relative, url in files.items():
            try:
                download = self.client.download(url, self.workdir)
                if download is None:
                    raise FetchError(f"{url}: the server sent no content")
                self.downloaded[relative], markers[relative] = download.path, f"sha256:{download.sha256}"
            except FetchError as exc:
                self.downloaded[relative], markers[relative] = exc, "unavailable"
        return markers

    def _entry_for(self, relative: str) -> dict[str, Any] | None:
        if relative in self.entries:
            return self.entries[relative]
        return next((e for pattern, e in self.entries.items() if fnmatch.fnmatchcase(relative, pattern)), None)

    def fetch(self, item: RemoteItem) -> FetchedItem:
        relative = item.remote_id
        if relative in self.local:
            path = copy_into(self.local[relative], self.workdir)
        else:
            got = self.downloaded[relative]
            if isinstance(got, FetchError):
                raise got
            path = got
        entry = self._entry_for(relative)
        given = {**self.defaults, **(entry or {})}
        name = safe_name(posixpath.basename(relative))
        fetched = FetchedItem(
            metadata={
                "slug": given.get("slug") or slugify(posixpath.splitext(relative)[0]),
                "title": given.get("title") or title_from(name),
                "description": given.get("description", ""),
                "license_id": license_for(given["license"]) if "license" in given else "notspecified",
                "update_frequency": UpdateFrequency(given.get("frequency", UpdateFrequency.tidak_tentu)),
                "tags": given.get("tags", []),
                "themes": given.get("themes", []),
                "extras": {},
            },
            files=[(name, path)],
        )
        if "schema" in given:
            fetched.schemas[name] = given["schema"]
        if entry is None:
            fetched.metadata["extras"]["metadata_inferred"] = "true"
            fetched.warnings.append(INFERRED)
        return fetched
