"""Fidelity on DCAT documents nobody here wrote: ckanext-dcat's examples (DCAT-AP 1.x to 3, DCAT-AP-ES, DCAT-AP.de)
served on 127.0.0.1 and checked field by field (sources and licences: fixtures/public/README.md)."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph
from sqlmodel import Session, select

from catalog.models import Dataset, HarvestItem, Organization, Resource, UpdateFrequency
from harvesters.dcat_rdf import RdfCatalogue
from harvesters.sources import run_source
from tests.harvesters import helpers
from tests.harvesters.helpers import loopback_only_dns, releases_of, serve_folder

PUBLIC = Path(__file__).parent / "fixtures" / "public"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    loopback_only_dns(monkeypatch)


@pytest.fixture
def public(database_url: str) -> Iterator[str]:
    with serve_folder(PUBLIC) as url:
        yield url


@pytest.fixture
def organization(session: Session) -> str:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika Kota Pontianak"))
    session.commit()
    return "diskominfo"


def harvest(session: Session, organization: str, url: str) -> int:
    source_id, job = helpers.harvest(session, organization=organization, type="dcat", url=url, publish="auto")
    assert job.status == "finished", job.error
    assert job.counts["errors"] == 0, job.counts
    return source_id


def dataset(session: Session, slug: str) -> Dataset:
    session.expire_all()
    return session.exec(select(Dataset).where(Dataset.slug == slug)).one()


def resources(session: Session, slug: str) -> dict[str, tuple[str, str, int | None, str | None]]:
    """Resource name → (format, media type, byte size, link URL) of the dataset's only release."""
    (release,) = releases_of(session, slug)
    found: list[Resource] = release.resources
    return {r.name: (r.format, r.media_type, r.byte_size, r.url) for r in found}


def warnings(session: Session, remote_id: str) -> list[str]:
    item = session.exec(select(HarvestItem).where(HarvestItem.remote_id == remote_id)).one()
    assert item.status == "ok"
    return [error["message"] for error in item.errors]


def test_links_keep_the_declared_title_format_media_type_and_description(
    public: str, session: Session, organization: str
) -> None:
    """catalog.rdf: 'https://external.site.org/' declared html is an HTML page, not a Lotus Organizer file."""
    harvest(session, organization, f"{public}/ckanext-dcat/catalog.rdf")
    assert resources(session, "example-dataset-2") == {
        "A distribution for this dataset as an external website": (
            "HTML",
            "text/html",
            None,
            "https://external.site.org/",
        ),
        "A distribution for this dataset in PDF format": (  # dct:format [ a dct:IMT; rdf:value "application/pdf" ]
            "PDF",
            "application/pdf",
            None,
            "https://data.some.org/the/actual/catalog/datasets/2/resources/2.pdf",
        ),
    }
    assert resources(session, "example-dataset-1")["A distribution for this dataset in CSV format"][:2] == (
        "CSV",
        "text/csv",
    )
    second = dataset(session, "example-dataset-2")
    assert second.description.endswith("Some special characters: Łódź")
    contact = ("Publishing Organization for dataset 2", "contact@another.org")
    assert (second.contact_name, second.contact_email) == contact
    assert sorted(t.name for t in second.tags) == ["education", "sloths", "stats"]
    assert second.license_id == "notspecified"  # none declared: nothing to warn about
    assert second.extras == {
        "dcat:distribution[https://data.some.org/the/actual/catalog/datasets/2/resources/2.pdf]:dct:description": (
            "A longer description for the distribution"
        ),
        "dcat:distribution[https://data.some.org/the/actual/catalog/datasets/2/resources/2.pdf]:dct:identifier": (
            "https://data.some.org/catalog/datasets/2/distribution/2"
        ),
        "dcat:distribution[https://external.site.org/]:dct:description": "A longer description for the distribution",
        "dcat:distribution[https://external.site.org/]:dct:identifier": (
            "https://data.some.org/catalog/datasets/2/distribution/1"
        ),
        "dcat:uri": "https://data.some.org/catalog/datasets/2",
        "dct:issued": "2012-06-21",
        "dct:language": "en",
        "dct:publisher": "Publishing Organization for dataset 2",
    }
    first = dataset(session, "example-dataset-1")
    assert first.license_id == "notspecified"
    assert first.extras["dct:license"] == "https://data.some.org/link/to/license"
    assert (
        "licence 'https://data.some.org/link/to/license' unknown: set to notspecified, kept in extras as dct:license"
        in warnings(session, "https://data.some.org/catalog/datasets/1")
    )


def test_dcat_ap_es_format_node_skos_publisher_and_duration_frequency(
    public: str, session: Session, organization: str
) -> None:
    """datos.gob.es: dct:format is an IRI node (a dct:IMT with rdf:value), the publisher a skos:Concept, the
    frequency a dct:Frequency whose rdf:value is a time:DurationDescription of one year."""
    harvest(session, organization, f"{public}/ckanext-dcat/dataset_gob_es.ttl")
    found = dataset(session, "300676-0-deporte-encuesta-escuelas")
    assert resources(session, found.slug) == {
        "Estudio de satisfacción temporada 2023-2024": (
            "XLS",
            "application/vnd.ms-excel",
            43008,
            "https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas.xlsx",
        )
    }
    assert found.title.startswith("Estudio de Satisfacción con el Programa")
    assert found.update_frequency == UpdateFrequency.tahunan
    assert (found.contact_name, found.contact_email) == ("Ayuntamiento de Madrid", None)
    assert sorted(t.name for t in found.tags) == ["deporte escolar", "escuelas", "promoción"]
    assert found.license_id == "notspecified"
    assert found.extras == {
        "dcat:theme": "http://datos.gob.es/kos/sector-publico/sector/deporte",
        "dcat:uri": "https://datos.gob.es/catalogo/l01280796-estudio-de-satisfaccion-con-el-programa-de-escuelas-"
        "municipales-de-promocion-deportiva-en-centros-escolares",
        "dct:issued": "2024-04-15T09:08:02+02:00",
        "dct:language": "es",
        "dct:license": "https://datos.madrid.es/egob/catalogo/aviso-legal",
        "dct:publisher": "Ayuntamiento de Madrid",
    }
    remote_id = "https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas"  # its dct:identifier
    assert any("aviso-legal' unknown" in w for w in warnings(session, remote_id))


def test_dcat_ap_1_contact_point_spatial_conformance_language_and_issued(
    public: str, session: Session, organization: str
) -> None:
    """Nobel Media's DCAT-AP 1.x record: adms:contactPoint, dct:spatial with a label, conformsTo, issued."""
    harvest(session, organization, f"{public}/ckanext-dcat/dataset_sweden.rdf")
    found = dataset(session, "ds1")
    assert (found.contact_name, found.contact_email) == ("Nobel Media AB", "info@nobelmedia.org")
    assert (found.temporal_start, found.temporal_end) == (date(1905, 3, 1), date(2013, 1, 5))
    assert found.update_frequency == UpdateFrequency.harian
    assert sorted(t.name for t in found.tags) == ["nobel prize", "prize", "science"]
    assert resources(session, "ds1") == {
        "Linked Data endpoint": ("RDF", "application/rdf+xml", None, "http://data.nobelprize.org/")
    }
    assert found.extras == {
        "dcat:distribution[http://data.nobelprize.org/]:dct:description": (
            "Provides browsable linked data and a SPARQL endpoint."
        ),
        "dcat:landingPage": "http://data.nobelprize.org/",
        "dcat:theme": "http://eurovoc.europa.eu/100142",
        "dcat:uri": "http://nobelprize.org/datasets/dcat#ds1",
        "dct:conformsTo": "http://www.nobelprize.org/nobel_organizations/nobelmedia/nobelprize_org/developer/"
        "manual-linkeddata/terms.html",
        "dct:issued": "2014-01-15",
        "dct:language": "http://publications.europa.eu/resource/authority/language/ENG",
        "dct:license": "http://creativecommons.org/licenses/by-nc/3.0/",
        "dct:publisher": "Nobel Media AB",
        "dct:spatial": "http://sws.geonames.org/2673730 (Stockholm)",
    }
    assert any("by-nc/3.0/' unknown" in w for w in warnings(session, "http://nobelprize.org/datasets/dcat#ds1"))


def test_publisher_mailbox_is_the_contact_and_imt_blank_nodes_give_the_format(
    public: str, session: Session, organization: str
) -> None:
    harvest(session, organization, f"{public}/ckanext-dcat/dataset_afs.ttl")
    found = dataset(session, "test-dataset-1")
    assert (found.contact_name, found.contact_email) == ("Name of the Publishing Organization", "contact@some.org")
    assert resources(session, found.slug) == {
        "Test resource CSV file": ("CSV", "text/csv", None, "http://url.to.csv.file"),
        "Test resource HTML file": ("HTML", "text/html", None, "http://url.to.html.page"),
    }
    assert found.extras["dc:language"] == "ca | en | es"
    assert found.extras["dct:issued"] == "2012-05-10"
    assert found.extras["dct:license"] == "https://url.to.license"


def test_dcat_ap_de_service_links_keywords_spatial_and_access_rights(
    public: str, session: Session, organization: str
) -> None:
    """opendata-hro.de: WMS and WFS links get their format; 'ökonomie' stays 'ökonomie'; the geometry is kept."""
    harvest(session, organization, f"{public}/ckanext-dcat/dataset_gov_de.rdf")
    found = dataset(session, "liefer-und-abholservices-gastronomie")
    (release,) = releases_of(session, found.slug)
    links = {r.url: (r.format, r.media_type, r.byte_size) for r in release.resources}
    assert {r.name for r in release.resources} == {"Liefer- und Abholservices (Gastronomie)"}
    base = "https://geo.sv.rostock.de"
    assert links[f"{base}/geodienste/lieferservices/wms"] == ("WMS", "application/octet-stream", None)
    assert links[f"{base}/geodienste/lieferservices/wfs"] == ("WFS", "application/octet-stream", None)
    assert links[f"{base}/download/opendata/lieferservices/lieferservices.csv"] == ("CSV", "text/csv", 60744)
    assert links[f"{base}/download/opendata/lieferservices/lieferservices.json"] == (
        "GEOJSON",
        "application/geo+json",
        147253,
    )
    assert len(links) == 9
    assert "ökonomie" in {t.name for t in found.tags} and "handel-und-verbrauch" in {t.name for t in found.tags}
    assert [t.slug for t in found.themes] == ["ekonomi"]
    assert found.license_id == "cc0-1.0"
    assert found.contact_email == "geodienste@rostock.de"
    assert found.extras["dct:accessRights"] == "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
    assert found.extras["dct:conformsTo"] == "http://dcat-ap.de/def/dcatde/"
    assert found.extras["dct:issued"] == "2020-04-21T11:59:39.642528"
    assert "POLYGON ((11.9936 54.0486" in found.extras["dct:spatial"]
    assert (
        "locn:adminUnitL2=http://dcat-ap.de/def/politicalGeocoding/regionalKey/130030000000"
        in (found.extras["dct:spatial"])
    )
    assert found.extras["dcatde:geocodingDescription"] == "Rostock"
    checksum = f"dcat:distribution[{base}/download/opendata/lieferservices/lieferservices.csv]:spdx:checksum"
    assert "spdx:checksumValue=" in found.extras[checksum]


def test_a_record_without_modified_date_literal_frequency_and_places(
    public: str, session: Session, organization: str
) -> None:
    harvest(session, organization, f"{public}/ckanext-dcat/dataset_deri.ttl")
    found = dataset(session, "abandoned-vehicles")
    assert found.update_frequency == UpdateFrequency.tahunan  # "Annual"
    assert found.extras["dct:spatial"] == "Greater London"
    assert found.extras["dct:issued"] == "06/05/2009"
    assert found.extras["dcat:granularity"] == "Local Authority"
    assert (
        found.extras["dct:references"]
        == "http://www.defra.gov.uk/evidence/statistics/environment/waste/wrabanvehicles.htm"
    )


@pytest.mark.parametrize(
    "document",
    [
        "catalog.rdf",
        "dataset_afs.ttl",
        "dataset_deri.ttl",
        "dataset_gob_es.ttl",
        "dataset_gov_de.rdf",
        "dataset_sweden.rdf",
    ],
)
def test_an_unchanged_reharvest_creates_nothing(
    public: str, session: Session, organization: str, document: str
) -> None:
    source_id = harvest(session, organization, f"{public}/ckanext-dcat/{document}")
    again = run_source(session, source_id=source_id)
    seen = again.counts["seen"]
    assert seen >= 1 and again.counts == {
        "seen": seen,
        "created": 0,
        "updated": 0,
        "unchanged": seen,
        "removed": 0,
        "errors": 0,
    }


def test_an_iri_identifier_is_read() -> None:
    graph = Graph().parse(
        data="""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <https://data.example.org/d/1> a dcat:Dataset ; dct:title "Jumlah Penduduk" ;
            dct:identifier <https://data.example.org/id/jumlah-penduduk> ; dct:modified "2025-01-01" ;
            dcat:version "2.1" ; dct:isPartOf <https://data.example.org/seri/kependudukan> .""",
        format="turtle",
    )
    catalogue = RdfCatalogue(graph)
    (node,) = catalogue.datasets()
    entry = catalogue.entry(node)
    assert entry.remote_id == "https://data.example.org/id/jumlah-penduduk"
    assert entry.metadata["slug"] == "jumlah-penduduk"
    assert entry.metadata["extras"]["dcat:version"] == "2.1"
    assert entry.metadata["extras"]["dct:isPartOf"] == "https://data.example.org/seri/kependudukan"


def test_of_several_contacts_the_same_one_is_kept_whatever_the_blank_node_order() -> None:
    document = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
        <https://data.example.org/d/1> a dcat:Dataset ; dct:title "Jumlah Penduduk" ;
            dcat:contactPoint [ vcard:fn "Bidang Statistik" ; vcard:hasEmail <mailto:statistik@pontianak.go.id> ] ,
                [ vcard:fn "Bidang Data" ; vcard:hasEmail <mailto:data@pontianak.go.id> ] ,
                [ vcard:fn "Admin" ] ."""
    kept = set()
    for _ in range(12):
        catalogue = RdfCatalogue(Graph().parse(data=document, format="turtle"))
        metadata = catalogue.entry(catalogue.datasets()[0]).metadata
        kept.add((metadata["contact_name"], metadata["contact_email"]))
    assert kept == {("Bidang Data", "data@pontianak.go.id")}
