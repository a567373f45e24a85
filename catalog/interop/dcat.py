"""DCAT-AP 3.0 descriptions of the published catalogue, as an rdflib graph (Turtle, RDF/XML, JSON-LD).

Every object a DCAT-AP range asks a class of is typed (dct:LicenseDocument, dct:Frequency, skos:Concept…),
so the official SHACL shapes validate the output without inference. Themes are Terbuka's own concepts and,
where one matches, the EU data theme; frequencies and file types are the EU authority tables' URIs.
Large catalogues are paged with Hydra (hydra:PartialCollectionView, hydra:next).

A description is written triple by triple into a ``Sink``: Turtle's writer, which turns each into text as
it comes, or an rdflib graph for RDF/XML and JSON-LD. Filling a graph costs several times more than
writing Turtle, and a page's worth of triples held at once keeps Python's collector busy.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, SKOS
from rdflib.term import Node

from catalog.interop import turtle
from catalog.interop.published import Published, dataset_page, download_url, public_base
from catalog.models import License, Organization, Resource, UpdateFrequency

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT_VERSION = URIRef(f"{DCAT}version")  # DCAT 3, newer than rdflib's closed DCAT namespace
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCIES = {
    UpdateFrequency.harian: "DAILY",
    UpdateFrequency.mingguan: "WEEKLY",
    UpdateFrequency.bulanan: "MONTHLY",
    UpdateFrequency.triwulanan: "QUARTERLY",
    UpdateFrequency.semesteran: "ANNUAL_2",
    UpdateFrequency.tahunan: "ANNUAL",
    UpdateFrequency.tidak_tentu: "IRREG",
}
# Terbuka theme → EU data theme, only where the two mean the same (the DCAT harvester maps them back).
EU_THEMES = {
    "ekonomi": "ECON",
    "pendidikan": "EDUC",
    "lingkungan": "ENVI",
    "pemerintahan": "GOVE",
    "kesehatan": "HEAL",
    "sosial": "SOCI",
    "transportasi": "TRAN",
}
SYNTAXES = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
LANGUAGE = "id"


class Sink(Protocol):
    """Where a description goes: an rdflib graph or Turtle's writer."""

    def add(self, triple: tuple[Node, Node, Node], /) -> object: ...


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("vcard", VCARD),
        ("spdx", SPDX),
        ("hydra", HYDRA),
        ("adms", ADMS),
        ("owl", OWL),
    ):
        graph.bind(prefix, namespace)
    return graph


PREFIXES = {prefix: str(namespace) for prefix, namespace in new_graph().namespaces()}  # rdflib's and ours


def text(value: str) -> Literal:
    return Literal(value, lang=LANGUAGE)


def moment(value: datetime | date) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.replace(tzinfo=None, microsecond=0).isoformat() + "Z", datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


def catalog_uri() -> URIRef:
    return URIRef(f"{public_base()}/catalog")


def organization_uri(organization: Organization) -> URIRef:
    return URIRef(f"{public_base()}/organization/{organization.slug}")


def add_organization(graph: Sink, organization: Organization) -> URIRef:
    node = organization_uri(organization)
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, FOAF.name, text(organization.name)))
    if organization.abbreviation:
        graph.add((node, SKOS.altLabel, text(organization.abbreviation)))
    return node


def add_license(graph: Sink, license_: License | None) -> URIRef | None:
    if license_ is None or not license_.url:
        return None
    node = URIRef(license_.url)
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    graph.add((node, DCTERMS.title, Literal(license_.title)))
    graph.add((node, DCTERMS.identifier, Literal(license_.id)))
    return node


def add_theme(graph: Sink, slug: str, name: str) -> list[URIRef]:
    scheme = URIRef(f"{public_base()}/theme")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, text("Tema Satu Data Kota Pontianak")))
    own = URIRef(f"{public_base()}/theme/{slug}")
    graph.add((own, RDF.type, SKOS.Concept))
    graph.add((own, SKOS.prefLabel, text(name)))
    graph.add((own, SKOS.inScheme, scheme))
    nodes = [own]
    if slug in EU_THEMES:
        eu = URIRef(f"{EU}data-theme/{EU_THEMES[slug]}")
        graph.add((eu, RDF.type, SKOS.Concept))
        graph.add((eu, SKOS.prefLabel, Literal(EU_THEMES[slug].title(), lang="en")))
        nodes.append(eu)
    return nodes


def add_distribution(graph: Sink, record: Published, resource: Resource, license_node: URIRef | None) -> URIRef:
    node = URIRef(f"{dataset_page(record.dataset.slug)}/distribution/{resource.id}")
    url = URIRef(download_url(record.release, resource))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(resource.name)))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCTERMS.issued, moment(record.published_at)))
    graph.add((node, DCTERMS.modified, moment(record.published_at)))
    if resource.format:
        file_type = URIRef(f"{EU}file-type/{resource.format.upper()}")
        graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        graph.add((node, DCTERMS["format"], file_type))
    media = URIRef(f"https://www.iana.org/assignments/media-types/{resource.media_type}")
    graph.add((media, RDF.type, DCTERMS.MediaType))
    graph.add((node, DCAT.mediaType, media))
    if resource.byte_size is not None:
        graph.add((node, DCAT.byteSize, Literal(resource.byte_size, datatype=XSD.nonNegativeInteger)))
    if resource.sha256:
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(resource.sha256, datatype=XSD.hexBinary)))
    if resource.schema_ref:
        standard = URIRef(f"{public_base()}/api/v1/schemas/{resource.schema_ref}")
        graph.add((standard, RDF.type, DCTERMS.Standard))
        graph.add((node, DCTERMS.conformsTo, standard))
    if license_node is not None:
        graph.add((node, DCTERMS.license, license_node))
    return node


def add_dataset(graph: Sink, record: Published, licenses: dict[str, License]) -> URIRef:
    dataset, release = record.dataset, record.release
    node = URIRef(dataset_page(dataset.slug))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(node))))
    graph.add((node, DCTERMS.title, text(dataset.title)))
    graph.add((node, DCTERMS.description, text(dataset.description or dataset.title)))
    graph.add((node, DCTERMS.issued, moment(dataset.created)))
    graph.add((node, DCTERMS.modified, moment(dataset.modified)))
    graph.add((node, DCAT_VERSION, Literal(str(release.number))))
    if release.notes:
        graph.add((node, ADMS.versionNotes, text(release.notes)))
    graph.add((node, DCTERMS.publisher, add_organization(graph, dataset.organization)))
    frequency = URIRef(f"{EU}frequency/{FREQUENCIES[dataset.update_frequency]}")
    graph.add((frequency, RDF.type, DCTERMS.Frequency))
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    for tag in sorted(t.name for t in dataset.tags):
        graph.add((node, DCAT.keyword, text(tag)))
    for theme in dataset.themes:
        for concept in add_theme(graph, theme.slug, theme.name):
            graph.add((node, DCAT.theme, concept))
    for code in dataset.spatial_coverage:
        place = URIRef(f"{public_base()}/wilayah/{code}")
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, SKOS.notation, Literal(code)))
        graph.add((node, DCTERMS.spatial, place))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, moment(dataset.temporal_start)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, moment(dataset.temporal_end)))
    contact = BNode()
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(dataset.contact_name or dataset.organization.name)))
    if dataset.contact_email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
    license_node = add_license(graph, licenses.get(dataset.license_id))
    for resource in release.resources:
        graph.add((node, DCAT.distribution, add_distribution(graph, record, resource, license_node)))
    return node


def add_catalog(graph: Sink, *, modified: datetime | None) -> URIRef:
    node = catalog_uri()
    home = URIRef(f"{public_base()}/")
    publisher = URIRef(f"{public_base()}/#pemerintah-kota-pontianak")
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.title, text("Terbuka — Satu Data Kota Pontianak")))
    graph.add(
        (node, DCTERMS.description, text("Katalog data terbuka Pemerintah Kota Pontianak (Satu Data Indonesia)."))
    )
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, text("Pemerintah Kota Pontianak")))
    graph.add((node, FOAF.homepage, home))
    graph.add((home, RDF.type, FOAF.Document))
    language = URIRef(f"{EU}language/IND")
    graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
    graph.add((node, DCTERMS.language, language))
    if modified is not None:
        graph.add((node, DCTERMS.modified, moment(modified)))
    return node


def catalog_page(
    graph: Sink,
    records: list[Published],
    licenses: dict[str, License],
    *,
    page: int,
    last_page: int,
    total: int,
    page_url: Any,
    modified: datetime | None,
) -> None:
    """One page of the catalogue: the catalogue itself, its datasets on this page and the Hydra links."""
    catalog = add_catalog(graph, modified=modified)
    for record in records:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, record, licenses)))
    view = URIRef(page_url(page))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, URIRef(page_url(1))))
    graph.add((view, HYDRA.last, URIRef(page_url(last_page))))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    if page < last_page:
        graph.add((view, HYDRA.next, URIRef(page_url(page + 1))))
    if page > 1:
        graph.add((view, HYDRA.previous, URIRef(page_url(page - 1))))


def dataset_description(graph: Sink, record: Published, licenses: dict[str, License]) -> None:
    catalog = add_catalog(graph, modified=None)
    graph.add((catalog, DCAT.dataset, add_dataset(graph, record, licenses)))


def document(extension: str, describe: Callable[[Sink], None]) -> tuple[bytes, str]:
    """What ``describe`` writes, in the syntax of ``ttl``, ``rdf`` or ``jsonld``, with its media type."""
    syntax, media_type = SYNTAXES[extension]
    if syntax == "turtle":
        writer = turtle.Writer(PREFIXES)
        describe(writer)
        return writer.serialize(), media_type
    graph = new_graph()
    describe(graph)
    return graph.serialize(format=syntax, encoding="utf-8"), media_type
