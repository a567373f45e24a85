"""DCAT-AP 3.0 output: valid against the official SHACL shapes, paged with Hydra, negotiated on the dataset
address, and read back by Terbuka's own DCAT harvester."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SH
from sqlmodel import Session, col, update

from catalog.models import Dataset
from tests.interop.conftest import Published
from tests.interop.test_ckan_federation import harvest_with_peer

CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance" / "dcat-ap-3.0.1"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open: rdflib's closed DCAT warns when pytest looks inside


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The DCAT-AP 3.0.1 shapes with their range checks (SEMICeu, CC-BY 4.0; see SOURCE.md there).

    The published ranges.ttl points at some property shapes it never defines (no sh:path); pyshacl refuses
    those references, so they are dropped: they constrain nothing."""
    graph = Graph().parse(CONFORMANCE / "dcat-ap-SHACL.ttl").parse(CONFORMANCE / "ranges.ttl")
    for shape, prop in list(graph.subject_objects(SH.property)):
        if graph.value(prop, SH.path) is None:
            graph.remove((shape, SH.property, prop))
    return graph


def violations(graph: Graph, shapes: Graph) -> list[str]:
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    assert isinstance(report, Graph)
    return [
        f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
        f"{report.value(result, SH.resultMessage)}"
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(result, SH.resultSeverity) == SH.Violation
    ]


def test_catalogue_and_datasets_have_no_dcat_ap_violations(published: Published, shapes: Graph) -> None:
    client = published.catalogue.client
    for syntax, path in (("turtle", "/catalog.ttl"), ("xml", "/catalog.rdf"), ("json-ld", "/catalog.jsonld")):
        response = client.get(path)
        assert response.status_code == 200
        graph = Graph().parse(data=response.content, format=syntax)
        assert violations(graph, shapes) == []
        datasets = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
        assert datasets == {
            "http://testserver/dataset/dinkes-puskesmas",
            "http://testserver/dataset/disdukcapil-penduduk",
        }
    dataset = Graph().parse(data=client.get("/dataset/dinkes-puskesmas.ttl").content, format="turtle")
    assert violations(dataset, shapes) == []


def test_a_dataset_in_three_syntaxes_is_one_graph(published: Published) -> None:
    client = published.catalogue.client
    turtle = Graph().parse(data=client.get("/dataset/dinkes-puskesmas.ttl").content, format="turtle")
    xml = Graph().parse(data=client.get("/dataset/dinkes-puskesmas.rdf").content, format="xml")
    jsonld = Graph().parse(data=client.get("/dataset/dinkes-puskesmas.jsonld").content, format="json-ld")
    assert isomorphic(turtle, xml) and isomorphic(turtle, jsonld)
    node = URIRef("http://testserver/dataset/dinkes-puskesmas")
    assert str(turtle.value(node, DCTERMS.title)) == "Daftar Puskesmas Kota Pontianak"
    distributions = list(turtle.objects(node, DCAT.distribution))
    assert len(distributions) == 1
    assert str(turtle.value(distributions[0], DCAT.byteSize)) == str(
        published.puskesmas_release["resources"][0]["byte_size"]
    )
    assert client.get("/dataset/dinkes-draf-rahasia.ttl").status_code == 404


def test_a_catalogue_page_in_three_syntaxes_is_one_graph(published: Published) -> None:
    client = published.catalogue.client

    def page(extension: str, syntax: str) -> Graph:  # its Hydra view is its own address: named alike here
        content = client.get(f"/catalog.{extension}").content.replace(f"/catalog.{extension}?".encode(), b"/catalog?")
        return Graph().parse(data=content, format=syntax)

    turtle, xml, jsonld = page("ttl", "turtle"), page("rdf", "xml"), page("jsonld", "json-ld")
    assert len(turtle) > 100 and isomorphic(turtle, xml) and isomorphic(turtle, jsonld)


def test_catalogue_counts_and_dates_only_published_datasets(published: Published, session: Session) -> None:
    client = published.catalogue.client
    session.exec(
        update(Dataset)
        .where(col(Dataset.slug) == "dinkes-draf-rahasia")
        .values(modified=datetime(2099, 1, 1, tzinfo=UTC))
    )
    session.commit()
    graph = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    newest = max(
        datetime.fromisoformat(client.get(f"/api/v1/datasets/{slug}").json()["modified"])
        for slug in ("dinkes-puskesmas", "disdukcapil-penduduk")
    )
    catalog = URIRef("http://testserver/catalog")
    assert graph.value(catalog, DCTERMS.modified).toPython() == newest.replace(microsecond=0)
    assert int(next(graph.objects(None, HYDRA.totalItems))) == 2
    assert len(json.loads(client.get("/data.json").content)["dataset"]) == 2


def test_dataset_address_is_negotiated(published: Published) -> None:
    client = published.catalogue.client
    for accept, syntax in (
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("text/html;q=0.5, text/turtle;q=0.9", "turtle"),
    ):
        response = client.get("/dataset/dinkes-puskesmas", headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert "Accept" in response.headers["vary"]
        graph = Graph().parse(data=response.content, format=syntax)
        assert (URIRef("http://testserver/dataset/dinkes-puskesmas"), RDF.type, DCAT.Dataset) in graph
    html = client.get("/dataset/dinkes-puskesmas", headers={"Accept": "text/html"})
    assert not html.headers.get("content-type", "").startswith("text/turtle")


def test_catalogue_pages_follow_hydra_links(published: Published) -> None:
    client = published.catalogue.client
    url, seen, pages = "/catalog.ttl?per_page=1", set[str](), 0
    while url:
        graph = Graph().parse(data=client.get(url).content, format="turtle")
        pages += 1
        seen |= {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
        assert int(next(graph.objects(None, HYDRA.totalItems))) == 2
        following = list(graph.objects(None, HYDRA.next))
        url = str(following[0]).removeprefix("http://testserver") if following else ""
    assert pages == 2 and len(seen) == 2
    assert client.get("/catalog.ttl?per_page=1001").status_code == 422


@pytest.mark.parametrize("path", ["/catalog.ttl?per_page=1", "/catalog.jsonld", "/catalog.rdf"])
def test_terbuka_dcat_harvester_reads_it_back(served: str, tmp_path: Path, path: str) -> None:
    copy = harvest_with_peer("dcat", f"{served}{path}", tmp_path)["datasets"]
    assert set(copy) == {"dinkes-puskesmas", "disdukcapil-penduduk"}
    puskesmas = copy["dinkes-puskesmas"]
    assert puskesmas["title"] == "Daftar Puskesmas Kota Pontianak"
    assert puskesmas["description"] == "Lokasi dan layanan puskesmas di Kota Pontianak."
    assert puskesmas["license_id"] == "cc-by-4.0"
    assert puskesmas["update_frequency"] == "tahunan"
    assert puskesmas["tags"] == ["kesehatan", "puskesmas"]
    assert puskesmas["themes"] == ["kesehatan"]
    assert puskesmas["temporal_start"] == "2024-01-01" and puskesmas["temporal_end"] == "2024-12-31"
    assert puskesmas["contact_email"] == "data@dinkes.pontianak.go.id"
    assert puskesmas["spatial_coverage"] == ["61.71.01", "61.71.02"]  # from its …/wilayah/CODE places
    assert "dct:spatial" not in puskesmas["extras"]  # all of it mapped: nothing left over to keep
    assert puskesmas["files"] == [r["sha256"] for r in published_resources(served, "dinkes-puskesmas")]
    penduduk = copy["disdukcapil-penduduk"]
    assert penduduk["license_id"] == "cc0-1.0" and penduduk["update_frequency"] == "semesteran"
    assert penduduk["themes"] == ["kependudukan"]


def published_resources(url: str, slug: str) -> list[dict[str, str]]:
    import httpx

    current = httpx.get(f"{url}/api/v1/datasets/{slug}").json()["current_release"]
    releases = httpx.get(f"{url}/api/v1/datasets/{slug}/releases").json()
    return [r for release in releases if release["number"] == current for r in release["resources"]]


def test_jsonld_has_no_remote_context(published: Published) -> None:
    document = json.loads(published.catalogue.client.get("/catalog.jsonld").content)
    assert "http" not in json.dumps(document.get("@context", "")) if isinstance(document, dict) else True


def test_data_json_read_back_keeps_the_region_codes(served: str, tmp_path: Path) -> None:
    copy = harvest_with_peer("dcat", f"{served}/data.json", tmp_path)["datasets"]
    assert copy["dinkes-puskesmas"]["spatial_coverage"] == ["61.71.01", "61.71.02"]
