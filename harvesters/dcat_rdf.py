"""Reading a DCAT graph (DCAT-AP 2/3 in any RDF syntax): its datasets, their distributions, Hydra paging."""

import hashlib
from datetime import date
from urllib.parse import urljoin

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, SKOS, TIME
from rdflib.term import Node

from harvesters.dcat_vocabulary import Distribution, Entry, byte_size, file_extension, mapped, parse_date

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = (Namespace("http://schema.org/"), Namespace("https://schema.org/"))
ADMS = Namespace("http://www.w3.org/ns/adms#")
PREFIXES = {
    str(DCTERMS): "dct",
    str(DCAT): "dcat",
    str(ADMS): "adms",
    str(FOAF): "foaf",
    str(OWL): "owl",
    str(SKOS): "skos",
    str(RDFS): "rdfs",
    "http://data.europa.eu/r5r/": "dcatap",
    "http://www.w3.org/ns/prov#": "prov",
    "http://www.w3.org/ns/dqv#": "dqv",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://www.w3.org/ns/locn#": "locn",
    str(VCARD): "vcard",
    "http://spdx.org/rdf/terms#": "spdx",
    "http://dcat-ap.de/def/dcatde/": "dcatde",
}
LABELS = (FOAF.name, VCARD.fn, VCARD["organization-name"], SKOS.prefLabel, RDFS.label, DCTERMS.title)
CONTACT_NAMES = (VCARD.fn, VCARD["organization-name"], VCARD.organisationName)
DURATION_UNITS = (("years", "Y"), ("months", "M"), ("weeks", "W"), ("days", "D"), ("hours", "H"))
# What the mapping reads into Terbuka's fields; every other property of a dataset is kept in extras.
MAPPED = {
    RDF.type,
    DCTERMS.identifier,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.modified,
    DCTERMS.license,
    DCTERMS.accrualPeriodicity,
    DCTERMS.temporal,
    DCTERMS.publisher,
    DCAT.keyword,
    DCAT.theme,
    DCAT.distribution,
    DCAT.contactPoint,
    DCAT.landingPage,
    ADMS.contactPoint,
}
DISTRIBUTION_MAPPED = {
    RDF.type,
    DCTERMS.title,
    DCTERMS.format,
    DCTERMS.license,
    DCAT.mediaType,
    DCAT.byteSize,
    DCAT.downloadURL,
    DCAT.accessURL,
}


def compact(predicate: Node) -> str:
    """'http://purl.org/dc/terms/issued' → 'dct:issued'; an unknown namespace keeps the whole IRI."""
    for namespace, prefix in PREFIXES.items():
        if str(predicate).startswith(namespace):
            return f"{prefix}:{str(predicate)[len(namespace) :]}"
    return str(predicate)


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

    def values(self, node: Node, *predicates: URIRef) -> list[Node]:
        return sorted({o for p in predicates for o in self.graph.objects(node, p)}, key=str)

    def datasets(self) -> list[Node]:
        typed = set(self.graph.subjects(RDF.type, DCAT.Dataset)) | set(self.graph.objects(None, DCAT.dataset))
        return sorted(typed, key=str)

    def keywords(self, node: Node) -> tuple[list[str], list[str]]:
        """(tags, other-language keywords): those in the best language present (Indonesian, English, …) and
        untagged ones become tags, so one catalogue in two languages does not tag everything twice."""
        literals = self.literals(node, DCAT.keyword)
        best = min((language_rank(literal) for literal in literals), default=2)
        chosen = [literal for literal in literals if language_rank(literal) in (best, 2)]
        return [str(k) for k in chosen], [f"{k}@{k.language}" for k in literals if k not in chosen]

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

    def label(self, node: Node) -> str:
        """A node's name: a literal's text, else its label in the graph (foaf:name, vcard:fn, skos:prefLabel…)."""
        if isinstance(node, Literal):
            return str(node).strip()
        return self.text(node, *LABELS)

    def shown(self, node: Node) -> str:
        """A value as kept in extras: a literal's text, an IRI with its label, a blank node's labelled values."""
        if isinstance(node, Literal):
            return str(node).strip()
        label = self.label(node)
        if isinstance(node, URIRef):
            return f"{node} ({label})" if label and label != str(node) else str(node)
        parts = [
            f"{compact(p)}={self.shown(o)}"
            for p, o in sorted(self.graph.predicate_objects(node), key=lambda pair: (str(pair[0]), str(pair[1])))
            if p != RDF.type and not isinstance(o, BNode)
        ]
        return "; ".join(parts) or label

    def email(self, node: Node, *predicates: URIRef) -> str:
        for value in self.values(node, *predicates):
            text = self.text(value, VCARD.value, VCARD.hasValue) if isinstance(value, BNode) else str(value)
            if text.strip():
                return text.strip().removeprefix("mailto:")
        return ""

    def contact(self, node: Node) -> tuple[str, str]:
        """The contact point (DCAT-AP 2/3 or adms:contactPoint of DCAT-AP 1.x) with the smallest (name, e-mail)
        among those with an e-mail, so the choice never depends on blank-node order; else the publisher."""
        contacts = sorted(
            (not email, name, email)
            for contact in self.values(node, DCAT.contactPoint, ADMS.contactPoint)
            for name, email in [(self.text(contact, *CONTACT_NAMES), self.email(contact, VCARD.hasEmail, VCARD.email))]
            if name or email
        )
        if contacts:
            return contacts[0][1], contacts[0][2]
        publishers = sorted(
            (not email, name, email)
            for publisher in self.values(node, DCTERMS.publisher)
            for name, email in [(self.label(publisher), self.email(publisher, FOAF.mbox))]
        )
        return (publishers[0][1], publishers[0][2]) if publishers else ("", "")

    def identifier(self, node: Node) -> str:
        """dct:identifier as a literal or an IRI, else the dataset's own IRI."""
        given = sorted(str(v).strip() for v in self.values(node, DCTERMS.identifier) if not isinstance(v, BNode))
        return next((v for v in given if v), str(node) if isinstance(node, URIRef) else "")

    def entry(self, node: Node) -> Entry:
        identifier = self.identifier(node)
        modified = self.text(node, DCTERMS.modified)
        digest = "" if modified and identifier else self.description_hash(node)
        publisher_name = min((self.label(p) for p in self.values(node, DCTERMS.publisher)), default="")
        distributions = [self.distribution(d) for d in self.values(node, DCAT.distribution)]
        licenses = [
            self.license(v)
            for d in [node, *self.values(node, DCAT.distribution)]
            for v in self.values(d, DCTERMS.license)
        ]
        extras = {
            "dct:publisher": publisher_name,
            "dcat:landingPage": " ".join(str(page) for page in self.values(node, DCAT.landingPage)),
            **self.unmapped(node, MAPPED),
        }
        if isinstance(node, URIRef):
            extras["dcat:uri"] = str(node)
        keywords, other_keywords = self.keywords(node)
        extras["dcat:keyword"] = " | ".join(other_keywords)
        warnings: list[str] = []
        metadata = mapped(
            identifier=identifier or digest,
            title=self.text(node, DCTERMS.title),
            description=self.text(node, DCTERMS.description),
            keywords=keywords,
            themes=[
                (str(t), [str(label) for label in self.literals(t, SKOS.prefLabel)])
                for t in self.values(node, DCAT.theme)
            ],
            licenses=licenses,
            frequency=self.frequency(node),
            temporal=self.temporal(node),
            contact=self.contact(node),
            extras=extras,
            warnings=warnings,
            places=[
                next((str(n) for n in self.literals(place, SKOS.notation)), str(place))
                for place in self.values(node, DCTERMS.spatial)
            ],
        )
        usable = sorted((d for d in distributions if d.url), key=lambda d: (d.url, d.title))
        warnings += [f"distribution {d.title or d.format!r} has no URL: skipped" for d in distributions if not d.url]
        return Entry(identifier or digest, modified or digest, metadata, usable, warnings)

    def unmapped(self, node: Node, known: set[URIRef]) -> dict[str, str]:
        """Every statement about a dataset or distribution that has no field in Terbuka, and the other
        languages of its title and description, as extras keyed by the property's compact name."""
        kept: dict[str, list[str]] = {}
        for predicate in sorted(set(self.graph.predicates(node)), key=str):
            if predicate in known:
                continue
            shown = sorted({self.shown(value) for value in self.graph.objects(node, predicate)})
            kept[compact(predicate)] = [value for value in shown if value]
        for predicate in (DCTERMS.title, DCTERMS.description):
            chosen = self.text(node, predicate)
            for literal in self.literals(node, predicate):
                if str(literal).strip() != chosen:
                    kept.setdefault(f"{compact(predicate)}@{literal.language or ''}", []).append(str(literal).strip())
        return {key: " | ".join(values) for key, values in kept.items() if values}

    def license(self, value: Node) -> str:
        if isinstance(value, URIRef | Literal):
            return str(value).strip()
        return self.text(value, DCTERMS.identifier, DCTERMS.title, RDFS.label)

    def duration(self, node: Node) -> str:
        """A time:DurationDescription (time:years 1.0 …) as an ISO 8601 duration ('P1.0Y'); '' if it is none."""
        parts = {unit: self.text(node, TIME[name]) for name, unit in DURATION_UNITS}
        if not any(parts.values()):
            return ""
        date_part = "".join(f"{value}{unit}" for unit, value in parts.items() if value and unit in "YMWD")
        return f"P{date_part}" + (f"T{parts['H']}H" if parts["H"] else "")

    def frequency(self, node: Node) -> str:
        """A frequency IRI or literal, the rdf:value of a dct:Frequency, or a time:DurationDescription."""
        for value in self.values(node, DCTERMS.accrualPeriodicity):
            for candidate in [value, *self.values(value, RDF.value)]:
                if not isinstance(candidate, Literal) and self.duration(candidate):
                    return self.duration(candidate)
            inner = self.text(value, RDF.value)
            if inner or isinstance(value, BNode):
                return inner
            return str(value).strip()
        return ""

    def temporal(self, node: Node) -> tuple[date | None, date | None]:
        starts, ends = [], []
        for period in self.values(node, DCTERMS.temporal):
            start = self.text(period, DCAT.startDate, *(ns.startDate for ns in SCHEMA))
            end = self.text(period, DCAT.endDate, *(ns.endDate for ns in SCHEMA))
            starts += [d for d in [parse_date(start)] if d]
            ends += [d for d in [parse_date(end, end=True)] if d]
        return min(starts, default=None), max(ends, default=None)

    def format_value(self, value: Node) -> str:
        """dct:format as a literal, an IRI (an EU file type) or a node with rdf:value (dct:IMT, DCAT-AP-ES)."""
        if isinstance(value, Literal):
            return str(value).strip()
        inner = self.text(value, RDF.value) or self.text(value, RDFS.label, SKOS.prefLabel)
        return inner or ("" if isinstance(value, BNode) else str(value))

    def distribution(self, node: Node) -> Distribution:
        urls = self.values(node, DCAT.downloadURL) or self.values(node, DCAT.accessURL)
        url = str(urls[0]).strip() if urls else ""
        formats = sorted(self.format_value(f) for f in self.values(node, DCTERMS.format))
        media = next((self.format_value(m) for m in self.values(node, DCAT.mediaType)), "")
        fmt = file_extension(formats[0] if formats else "", media, url)
        if not media and formats and "/" in formats[0] and not formats[0].startswith("http"):
            media = formats[0]  # dct:format "text/csv" or an IMT's rdf:value is a media type
        size = next((byte_size(v) for v in self.values(node, DCAT.byteSize)), None)
        kept = tuple(sorted(self.unmapped(node, DISTRIBUTION_MAPPED).items()))
        return Distribution(self.text(node, DCTERMS.title), url, fmt, media, size, kept)


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
