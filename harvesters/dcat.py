"""DCAT catalogues: DCAT-AP 2/3 in Turtle, RDF/XML or JSON-LD (Hydra-paged), and DCAT-US data.json.

gather() reads every page of the catalogue once and keeps each dataset's description; fetch() only
downloads the distributions. JSON-LD is parsed with inline contexts only: a document that points
to a remote @context is refused, since following it would reach out to a server nobody allowed.
"""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rdflib import Graph

from catalog.services.files import safe_name
from catalog.services.links import LinkDescription
from catalog.services.releases import link_name
from harvesters.base import FetchedItem, Harvester, RemoteItem
from harvesters.datajson import data_json_entry, is_data_json
from harvesters.dcat_rdf import RdfCatalogue, is_catalogue, next_page
from harvesters.dcat_vocabulary import Entry, link_format, link_media_type
from harvesters.http import Document, FetchError
from harvesters.xml_safety import refuse_unsafe_xml

MAX_PAGES = 500

SYNTAXES = {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD"}
CONTENT_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
}
EXTENSIONS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".json": "json-ld"}
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/json;q=0.7, */*;q=0.1"


def remote_contexts(value: Any) -> list[str]:
    """Every @context or @import in a JSON-LD document that names a document instead of holding it."""
    found: list[str] = []
    if isinstance(value, list):
        for item in value:
            found += remote_contexts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@import" or (key == "@context" and isinstance(item, str)):
                found.append(str(item))
            elif key == "@context" and isinstance(item, list):
                found += [str(context) for context in item if isinstance(context, str)]
            found += remote_contexts(item)
    return found


class DcatHarvester(Harvester):
    concurrent_fetch = True

    def gather(self) -> list[RemoteItem]:
        """Every dataset on every page; the catalogue is read once and fetch() only downloads."""
        self._entries: dict[str, Entry] = {}
        graph, url, seen = Graph(), self.source.url, set[str]()
        while url and url not in seen:
            if len(seen) >= MAX_PAGES:
                raise FetchError(f"{self.source.url}: more than {MAX_PAGES} pages; stopped at {url}")
            seen.add(url)
            document = self.client.get_bytes(url, headers={"Accept": ACCEPT})
            page = self._parse(document)
            if isinstance(page, dict):
                for dataset in page["dataset"]:
                    if isinstance(dataset, dict):
                        self._add_entry(data_json_entry(dataset))
                break
            graph += page
            url = next_page(page, document.url)
        catalogue = RdfCatalogue(graph)
        for node in catalogue.datasets():
            self._add_entry(catalogue.entry(node))
        return [RemoteItem(entry.remote_id, entry.marker) for entry in self._entries.values()]

    def _add_entry(self, entry: Entry) -> None:
        self._entries.setdefault(entry.remote_id, entry)

    def _parse(self, document: Document) -> Graph | dict[str, Any]:
        """A graph, or a data.json object; by Content-Type, then by extension, then every syntax in turn."""
        kind = document.content_type.split(";")[0].strip().lower()
        first = CONTENT_TYPES.get(kind) or EXTENSIONS.get(Path(urlsplit(document.url).path).suffix.lower())
        failures = []
        for syntax in sorted(SYNTAXES, key=lambda name: name != first):
            try:
                parsed = self._parse_as(document, syntax)
            except FetchError:
                raise
            except Exception as exc:
                failures.append(f"{SYNTAXES[syntax]}: {' '.join(str(exc).split())[:160] or type(exc).__name__}")
                continue
            if isinstance(parsed, dict) or is_catalogue(parsed):
                return parsed
            failures.append(f"{SYNTAXES[syntax]}: parses, but holds no dcat:Catalog or dcat:Dataset")
        raise FetchError(
            f"{document.url}: not a DCAT catalogue in Turtle, RDF/XML, JSON-LD or data.json "
            f"(Content-Type {kind or 'none'}); " + "; ".join(failures)
        )

    def _parse_as(self, document: Document, syntax: str) -> Graph | dict[str, Any]:
        if syntax == "json-ld":
            data = json.loads(document.content)
            if is_data_json(data):
                return dict(data)
            remote = remote_contexts(data)
            if remote:
                raise FetchError(
                    f"{document.url}: JSON-LD refers to a remote @context ({remote[0]}), which is "
                    "never fetched; serve the catalogue with an inline context, or as Turtle or RDF/XML"
                )
        if syntax == "xml":
            refuse_unsafe_xml(document.content)
        return Graph().parse(data=document.content, format=syntax, publicID=document.url)

    def fetch(self, item: RemoteItem) -> FetchedItem:
        entry = self._entries.get(item.remote_id)
        if entry is None:
            raise FetchError(f"{item.remote_id}: not in the catalogue read by this harvest")
        fetched = FetchedItem(metadata=dict(entry.metadata), warnings=list(entry.warnings))
        extras = fetched.metadata["extras"] = dict(entry.metadata["extras"])
        for number, distribution in enumerate(entry.distributions, start=1):
            name = safe_name(distribution.title or link_name(distribution.url) or f"berkas-{number}")
            extras |= {f"dcat:distribution[{distribution.url}]:{key}": value for key, value in distribution.extras}
            try:
                download = self.client.download(distribution.url, self.workdir)
            except FetchError as exc:
                fetched.urls.append(distribution.url)
                fetched.links[distribution.url] = LinkDescription(
                    name, link_format(distribution), link_media_type(distribution), distribution.byte_size
                )
                fetched.warnings.append(f"distribution {name!r} kept as a link: {exc}")
                continue
            if download is not None:
                extension = distribution.format
                if re.fullmatch(r"[a-z0-9]{1,10}", extension) and not name.lower().endswith(f".{extension}"):
                    name = f"{name}.{extension}"
                fetched.files.append((name, download.path))
        fetched.metadata["extras"] = dict(sorted(extras.items()))
        return fetched
