"""data.json (DCAT-US), Data Packages, schema.org JSON-LD and Atom feeds of the published catalogue."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.interop.conftest import Published

POD = Path(__file__).parent / "project-open-data-v1.1"
SDO = Namespace("https://schema.org/")
ATOM = "{http://www.w3.org/2005/Atom}"


def pod_validator() -> jsonschema.Draft4Validator:
    schemas = {path.name: json.loads(path.read_text()) for path in POD.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (schema["id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in schemas.values()
    )
    return jsonschema.Draft4Validator(
        schemas["catalog.json"], registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def test_data_json_is_a_valid_project_open_data_catalog(published: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog import settings

    settings.get_settings().contact_email = "walidata@pontianak.go.id"
    document = published.catalogue.client.get("/data.json").json()
    errors = sorted(pod_validator().iter_errors(document), key=str)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    entries = {d["identifier"].rsplit("/", 1)[-1]: d for d in document["dataset"]}
    assert set(entries) == {"dinkes-puskesmas", "disdukcapil-penduduk"}
    puskesmas = entries["dinkes-puskesmas"]
    assert puskesmas["contactPoint"]["hasEmail"] == "mailto:data@dinkes.pontianak.go.id"
    assert entries["disdukcapil-penduduk"]["contactPoint"]["hasEmail"] == "mailto:walidata@pontianak.go.id"
    assert puskesmas["temporal"] == "2024-01-01/2024-12-31"
    assert puskesmas["accrualPeriodicity"] == "R/P1Y"
    assert puskesmas["distribution"][0]["mediaType"] == "text/csv"


def test_schema_org_dataset_parses_as_json_ld(published: Published) -> None:
    response = published.catalogue.client.get("/dataset/dinkes-puskesmas.schema.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@context"] == "https://schema.org/"
    # rdflib would download the remote context; tests never download, so the same vocabulary is given inline.
    document["@context"] = {"@vocab": "https://schema.org/"}
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    node = URIRef("http://testserver/dataset/dinkes-puskesmas")
    assert (node, RDF.type, SDO.Dataset) in graph
    assert str(graph.value(node, SDO.name)) == "Daftar Puskesmas Kota Pontianak"
    assert str(graph.value(node, SDO.license)) == "https://creativecommons.org/licenses/by/4.0/"
    assert str(graph.value(node, SDO.temporalCoverage)) == "2024-01-01/2024-12-31"
    creator = graph.value(node, SDO.creator)
    assert str(graph.value(creator, SDO.name)) == "Dinas Kesehatan"
    assert (creator, RDF.type, SDO.GovernmentOrganization) in graph
    place = graph.value(node, SDO.spatialCoverage)
    assert str(graph.value(place, SDO.name)) == "Pontianak Selatan, Pontianak Timur"
    download = graph.value(node, SDO.distribution)
    assert str(graph.value(download, SDO.contentUrl)).endswith("/download")
    assert published.catalogue.client.get("/dataset/dinkes-draf-rahasia.schema.json").status_code == 404


def frictionless_validate(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "frictionless"), "validate", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=path.parent,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_data_package_zip_validates_with_frictionless(published: Published, tmp_path: Path) -> None:
    client = published.catalogue.client
    descriptor = client.get("/dataset/disdukcapil-penduduk/datapackage.json").json()
    assert descriptor["profile"] == "tabular-data-package"
    resource = descriptor["resources"][0]
    assert [f["name"] for f in resource["schema"]["fields"]] == [
        "kode_kecamatan",
        "kecamatan",
        "laki_laki",
        "perempuan",
    ]
    assert resource["path"].endswith("/download")
    archive = client.get("/dataset/disdukcapil-penduduk/datapackage.zip")
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    report = frictionless_validate(tmp_path / "datapackage.json")
    assert report["valid"] is True, json.dumps(report)[:2000]
    assert client.get("/dataset/dinkes-draf-rahasia/datapackage.json").status_code == 404


def test_data_package_with_download_paths_validates_against_the_server(served: str, tmp_path: Path) -> None:
    import httpx

    (tmp_path / "datapackage.json").write_bytes(
        httpx.get(f"{served}/dataset/dinkes-puskesmas/datapackage.json").content
    )
    report = frictionless_validate(tmp_path / "datapackage.json")
    assert report["valid"] is True, json.dumps(report)[:2000]


def entries(body: bytes) -> list[ElementTree.Element]:
    return ElementTree.fromstring(body).findall(f"{ATOM}entry")


def test_atom_feeds_list_published_releases_newest_first(published: Published) -> None:
    client = published.catalogue.client
    response = client.get("/feeds/releases.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    site = entries(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in site]
    assert titles == [
        "Jumlah Penduduk per Kecamatan — Dataset baru",
        "Daftar Puskesmas Kota Pontianak — Dataset baru",
    ]
    dinkes = entries(client.get("/feeds/opd/dinkes.atom").content)
    assert [e.findtext(f"{ATOM}id") for e in dinkes] == ["http://testserver/dataset/dinkes-puskesmas/rilis/1"]
    assert entries(client.get("/feeds/opd/diskominfo.atom").content) == []
    assert client.get("/feeds/opd/tidak-ada.atom").status_code == 404
