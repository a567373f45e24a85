"""DCAT catalogues: DCAT-AP 2/3 in Turtle, RDF/XML or JSON-LD (Hydra-paged), and DCAT-US data.json.

gather() reads every page of the catalogue once and keeps each dataset's description; fetch() only
downloads the distributions. JSON-LD is parsed with inline contexts only: a document that points
to a remote @context is refused, since following it would reach out to a server nobody allowed.
"""

import hashlib
import json
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS
from rdflib.term import Node

from catalog.models import UpdateFrequency
from catalog.services.files import safe_name
from catalog.services.reference import THEMES
from harvesters import ckan
from harvesters.base import FetchedItem, Harvester, RemoteItem
from harvesters.http import Document, FetchError

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = (Namespace("http://schema.org/"), Namespace("https://schema.org/"))
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

LICENSE_URIS = {
    "creativecommons.org/licenses/by/4.0": "cc-by-4.0",
    "creativecommons.org/licenses/by-sa/4.0": "cc-by-sa-4.0",
    "creativecommons.org/publicdomain/zero/1.0": "cc0-1.0",
    "opendatacommons.org/licenses/odbl": "odbl-1.0",
    "opendatacommons.org/licenses/odbl/1.0": "odbl-1.0",
    "opendatacommons.org/licenses/odbl/1-0": "odbl-1.0",
    "publications.europa.eu/resource/authority/licence/cc_by_4_0": "cc-by-4.0",
    "publications.europa.eu/resource/authority/licence/cc_bysa_4_0": "cc-by-sa-4.0",
    "publications.europa.eu/resource/authority/licence/cc0": "cc0-1.0",
    "publications.europa.eu/resource/authority/licence/odbl": "odbl-1.0",
}
# Named periods of the EU frequency vocabulary and Dublin Core's freq, as days between updates.
PERIOD_DAYS = {
    "cont": 0,
    "continuous": 0,
    "update_cont": 0,
    "1min": 0,
    "5min": 0,
    "10min": 0,
    "15min": 0,
    "30min": 0,
    "hourly": 0,
    "bihourly": 0,
    "trihourly": 0,
    "12hrs": 0,
    "daily": 1,
    "daily_2": 1,
    "weekly_3": 2,
    "threetimesaweek": 2,
    "semiweekly": 3,
    "weekly_2": 3,
    "weekly": 7,
    "monthly_3": 10,
    "threetimesamonth": 10,
    "biweekly": 14,
    "semimonthly": 15,
    "monthly_2": 15,
    "monthly": 30,
    "bimonthly": 61,
    "quarterly": 91,
    "annual_3": 122,
    "threetimesayear": 122,
    "annual_2": 182,
    "semiannual": 182,
    "annual": 365,
    "biennial": 730,
    "triennial": 1095,
}
# The largest period each frequency covers: a dataset updated every two weeks is at least monthly.
FREQUENCY_BOUNDS = [
    (1, UpdateFrequency.harian),
    (7, UpdateFrequency.mingguan),
    (31, UpdateFrequency.bulanan),
    (92, UpdateFrequency.triwulanan),
    (183, UpdateFrequency.semesteran),
    (366, UpdateFrequency.tahunan),
]
NUMBER = r"(\d+(?:[.,]\d+)?)"
ISO_DURATION = re.compile(
    rf"(?:R\d*/)?P(?:{NUMBER}Y)?(?:{NUMBER}M)?(?:{NUMBER}W)?(?:{NUMBER}D)?"
    rf"(?:T(?:{NUMBER}H)?(?:[\d.,]+M)?(?:[\d.,]+S)?)?"
)
EU_THEMES = {
    "ECON": "ekonomi",
    "EDUC": "pendidikan",
    "ENVI": "lingkungan",
    "GOVE": "pemerintahan",
    "HEAL": "kesehatan",
    "SOCI": "sosial",
    "TRAN": "transportasi",
}
MEDIA_EXTENSIONS = {
    "text/csv": "csv",
    "application/json": "json",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/json;q=0.7, */*;q=0.1"


class Distribution(NamedTuple):
    title: str
    url: str
    format: str


@dataclass
class Entry:
    """One dataset as the catalogue describes it, mapped to Terbuka's metadata."""

    remote_id: str
    marker: str
    metadata: dict[str, Any]
    distributions: list[Distribution]


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def dataset_slug(identifier: str, title: str) -> str:
    """The identifier's last segment when it reads like a name (not a UUID or a hash), else the title."""
    slug = slugify(re.split(r"[/#:]", identifier.rstrip("/#:"))[-1])
    if len(slug) < 3 or not re.search(r"[a-z]", slug) or re.fullmatch(r"[0-9a-f-]{16,}", slug):
        slug = slugify(title)
    slug = slug[:120].strip("-")
    return slug if len(slug) >= 3 else f"dataset-{slug}".strip("-")


def license_id(values: list[str]) -> str:
    for value in values:
        key = re.sub(r"^https?://(www\.)?", "", value.strip().lower()).rstrip("/")
        key = re.sub(r"/(legalcode|deed\.[a-z-]+)$", "", key)
        found = LICENSE_URIS.get(key) or ckan.LICENSES.get(key) or ckan.LICENSES.get(key.rsplit("/", 1)[-1])
        if found:
            return found
    return "notspecified"


def period_days(value: str) -> float | None:
    text = value.strip()
    match = ISO_DURATION.fullmatch(text.upper())
    if match and re.search(r"\d", text.upper().partition("P")[2]):
        years, months, weeks, days, hours = (float((part or "0").replace(",", ".")) for part in match.groups())
        return years * 365 + months * 30.5 + weeks * 7 + days + hours / 24
    return PERIOD_DAYS.get(re.split(r"[/#]", text.rstrip("/"))[-1].lower())


def update_frequency(value: str) -> UpdateFrequency:
    """EU frequency URIs, Dublin Core freq, ISO 8601 durations (R/P1Y) or Indonesian words."""
    if not value:
        return UpdateFrequency.tidak_tentu
    days = period_days(value)
    if days is None:
        return ckan.frequency(value)
    return next((frequency for bound, frequency in FREQUENCY_BOUNDS if days <= bound), UpdateFrequency.tidak_tentu)


def theme_slugs(values: list[tuple[str, list[str]]]) -> tuple[list[str], list[str]]:
    """(value, labels) pairs → (Terbuka themes, values that match none)."""
    by_name = {slugify(name): slug for slug, name in THEMES.items()}
    matched, unmatched = set(), set()
    for value, labels in values:
        tail = re.split(r"[/#]", value.rstrip("/"))[-1]
        candidates = [slugify(text) for text in [tail, value, *labels]]
        found = next((c for c in candidates if c in THEMES), None) or next(
            (by_name[c] for c in candidates if c in by_name), None
        )
        if found is None and "/data-theme/" in value:
            found = EU_THEMES.get(tail.upper())
        if found:
            matched.add(found)
        else:
            unmatched.add(value)
    return sorted(matched), sorted(unmatched)


def parse_date(text: str, *, end: bool = False) -> date | None:
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def file_extension(fmt: str, media_type: str, url: str) -> str:
    """'CSV', an EU file-type URI, 'text/csv' or an IANA media-type URI → 'csv'; else the URL's suffix."""
    for value in (text.split(";")[0].strip().lower().rstrip("/") for text in (fmt, media_type)):
        mime = re.search(r"(?:^|/media-types/)([a-z]+/[a-z0-9.+-]+)$", value)
        if mime:
            extension = MEDIA_EXTENSIONS.get(mime[1]) or (mimetypes.guess_extension(mime[1]) or "").lstrip(".")
        else:
            extension = re.split(r"[/#]", value)[-1]
        if re.fullmatch(r"[a-z0-9]{1,10}", extension):
            return extension
    suffix = Path(urlsplit(url).path).suffix.lstrip(".").lower()
    return suffix if re.fullmatch(r"[a-z0-9]{1,10}", suffix) else ""


def mapped(
    *,
    identifier: str,
    title: str,
    description: str,
    keywords: list[str],
    themes: list[tuple[str, list[str]]],
    licenses: list[str],
    frequency: str,
    temporal: tuple[date | None, date | None],
    contact: tuple[str, str],
    extras: dict[str, str],
) -> dict[str, Any]:
    """The DatasetCreate fields for one dataset; every list sorted so the content hash is stable."""
    terbuka_themes, other_themes = theme_slugs(themes)
    if other_themes:
        extras = {**extras, "dcat:theme": ", ".join(other_themes)}
    tags = {slugify(keyword)[:100].strip("-") for keyword in keywords}
    return {
        "slug": dataset_slug(identifier, title),
        "title": title or identifier,
        "description": description,
        "license_id": license_id(licenses),
        "update_frequency": update_frequency(frequency),
        "temporal_start": temporal[0],
        "temporal_end": temporal[1],
        "contact_name": contact[0] or None,
        "contact_email": contact[1].removeprefix("mailto:") or None,
        "tags": sorted(tag for tag in tags if tag),
        "themes": terbuka_themes,
        "extras": dict(sorted(extras.items())),
    }


def language_rank(literal: Literal) -> int:
    language = (literal.language or "").lower()
    if language == "id" or language.startswith("id-"):
        return 0
    return 1 if language.startswith("en") else 2 if not language else 3


class RdfCatalogue:
    """Reads the datasets of a DCAT graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def literals(self, node: Node, *predicates: URIRef) -> list[Literal]:
        found = {o for p in predicates for o in self.graph.objects(node, p) if isinstance(o, Literal)}
        return sorted(found, key=lambda literal: (language_rank(literal), str(literal)))

    def text(self, node: Node, *predicates: URIRef) -> str:
        literals = self.literals(node, *predicates)
        return str(literals[0]).strip() if literals else ""

    def values(self, node: Node, predicate: URIRef) -> list[Node]:
        return sorted(set(self.graph.objects(node, predicate)), key=str)

    def datasets(self) -> list[Node]:
        typed = set(self.graph.subjects(RDF.type, DCAT.Dataset)) | set(self.graph.objects(None, DCAT.dataset))
        return sorted(typed, key=str)

    def keywords(self, node: Node) -> list[str]:
        literals = self.literals(node, DCAT.keyword)
        best = min((language_rank(literal) for literal in literals), default=2)
        return [str(k) for k in literals if language_rank(k) in (best, 2)]

    def description_hash(self, node: Node) -> str:
        """A digest of the dataset's triples and, two steps out, of what it points to (distributions, contacts…)."""
        closure, todo, seen = Graph(), [(node, 0)], {node}
        while todo:
            subject, depth = todo.pop()
            for s, p, o in self.graph.triples((subject, None, None)):
                closure.add((s, p, o))
                if (
                    depth < 2
                    and p != RDF.type
                    and isinstance(o, URIRef | BNode)
                    and o not in seen
                    and (o, RDF.type, DCAT.Dataset) not in self.graph
                ):
                    seen.add(o)
                    todo.append((o, depth + 1))
        lines = sorted(line for line in to_canonical_graph(closure).serialize(format="nt").splitlines() if line)
        return "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def name_and_email(self, node: Node) -> tuple[str, str]:
        for contact in self.values(node, DCAT.contactPoint):
            emails = [self.text(e, VCARD.value) or str(e) for e in self.values(contact, VCARD.hasEmail)]
            return self.text(contact, VCARD.fn, VCARD["organization-name"]), emails[0] if emails else ""
        return "", ""

    def entry(self, node: Node) -> Entry:
        identifier = self.text(node, DCTERMS.identifier) or (str(node) if isinstance(node, URIRef) else "")
        modified = self.text(node, DCTERMS.modified)
        digest = "" if modified and identifier else self.description_hash(node)
        publisher_name = next(
            (
                str(p).strip() if isinstance(p, Literal) else self.text(p, FOAF.name, VCARD.fn)
                for p in self.values(node, DCTERMS.publisher)
            ),
            "",
        )
        contact_name, email = self.name_and_email(node)
        distributions = [self.distribution(d) for d in self.values(node, DCAT.distribution)]
        licenses = [
            self.license(v)
            for d in [node, *self.values(node, DCAT.distribution)]
            for v in self.values(d, DCTERMS.license)
        ]
        extras = {
            "dct:publisher": publisher_name,
            "dcat:landingPage": " ".join(str(page) for page in self.values(node, DCAT.landingPage)),
        }
        if isinstance(node, URIRef):
            extras["dcat:uri"] = str(node)
        metadata = mapped(
            identifier=identifier or digest,
            title=self.text(node, DCTERMS.title),
            description=self.text(node, DCTERMS.description),
            keywords=self.keywords(node),
            themes=[
                (str(t), [str(label) for label in self.literals(t, SKOS.prefLabel)])
                for t in self.values(node, DCAT.theme)
            ],
            licenses=licenses,
            frequency=self.frequency(node),
            temporal=self.temporal(node),
            contact=(contact_name or publisher_name, email),
            extras={k: v for k, v in extras.items() if v},
        )
        usable = sorted(d for d in distributions if d.url)
        return Entry(identifier or digest, modified or digest, metadata, usable)

    def license(self, value: Node) -> str:
        return str(value) if isinstance(value, URIRef) else self.text(value, DCTERMS.identifier, DCTERMS.title)

    def frequency(self, node: Node) -> str:
        for value in self.values(node, DCTERMS.accrualPeriodicity):
            return self.text(value, RDF.value) if isinstance(value, BNode) else str(value)
        return ""

    def temporal(self, node: Node) -> tuple[date | None, date | None]:
        starts, ends = [], []
        for period in self.values(node, DCTERMS.temporal):
            start = self.text(period, DCAT.startDate, *(ns.startDate for ns in SCHEMA))
            end = self.text(period, DCAT.endDate, *(ns.endDate for ns in SCHEMA))
            starts += [d for d in [parse_date(start)] if d]
            ends += [d for d in [parse_date(end, end=True)] if d]
        return min(starts, default=None), max(ends, default=None)

    def distribution(self, node: Node) -> Distribution:
        urls = self.values(node, DCAT.downloadURL) or self.values(node, DCAT.accessURL)
        url = str(urls[0]) if urls else ""
        fmt = next(
            (
                self.text(f, RDF.value, SKOS.prefLabel) if isinstance(f, BNode) else str(f)
                for f in self.values(node, DCTERMS.format)
            ),
            "",
        )
        media = next((str(m) for m in self.values(node, DCAT.mediaType)), "")
        return Distribution(self.text(node, DCTERMS.title), url, file_extension(fmt, media, url))


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


def hydra_views(page: Graph) -> set[Node]:
    """The Hydra nodes that may carry a next link: typed collections and views, or any hydra:view."""
    kinds = (HYDRA.PagedCollection, HYDRA.PartialCollectionView)
    typed = {subject for kind in kinds for subject in page.subjects(RDF.type, kind)}
    return typed | set(page.objects(None, HYDRA.view))


def is_catalogue(page: Graph) -> bool:
    return (None, RDF.type, DCAT.Catalog) in page or bool(RdfCatalogue(page).datasets()) or bool(hydra_views(page))


def next_page(page: Graph, url: str) -> str:
    """hydra:next (PartialCollectionView) or hydra:nextPage (PagedCollection, often a plain literal)."""
    links = sorted(
        str(link)
        for subject in hydra_views(page)
        for predicate in (HYDRA.next, HYDRA.nextPage)
        for link in page.objects(subject, predicate)
    )
    return urljoin(url, links[0]) if links else ""


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
                        self._keep(data_json_entry(dataset))
                break
            graph += page
            url = next_page(page, document.url)
        catalogue = RdfCatalogue(graph)
        for node in catalogue.datasets():
            self._keep(catalogue.entry(node))
        return [RemoteItem(entry.remote_id, entry.marker) for entry in self._entries.values()]

    def _keep(self, entry: Entry) -> None:
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
        return Graph().parse(data=document.content, format=syntax, publicID=document.url)

    def fetch(self, item: RemoteItem) -> FetchedItem:
        entry = self._entries.get(item.remote_id)
        if entry is None:
            raise FetchError(f"{item.remote_id}: not in the catalogue read by this harvest")
        fetched = FetchedItem(metadata=dict(entry.metadata))
        for number, distribution in enumerate(entry.distributions, start=1):
            name = safe_name(distribution.title or urlsplit(distribution.url).path.rstrip("/") or f"berkas-{number}")
            if distribution.format and not name.lower().endswith(f".{distribution.format}"):
                name = f"{name}.{distribution.format}"
            try:
                download = self.client.download(distribution.url, self.workdir)
            except FetchError as exc:
                fetched.urls.append(distribution.url)
                fetched.warnings.append(f"distribution {name!r} kept as a link: {exc}")
                continue
            if download is not None:
                fetched.files.append((name, download.path))
        return fetched
