"""Reading a DCAT graph (DCAT-AP 2/3 in any RDF syntax): its datasets, their distributions, Hydra paging."""

import hashlib
from datetime import date
from urllib.parse import urljoin

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS
from rdflib.term import Node

from harvesters.dcat_vocabulary import Distribution, Entry, file_extension, mapped, parse_date

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = (Namespace("http://schema.org/"), Namespace("https://schema.org/"))


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
