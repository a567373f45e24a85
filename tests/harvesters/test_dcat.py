"""Harvesting DCAT catalogues served on 127.0.0.1: three RDF syntaxes, Hydra pages, data.json, broken feeds."""

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from sqlmodel import Session, col, select

from catalog.models import Dataset, HarvestItem, HarvestJob, Organization, ReleaseState, UpdateFrequency
from harvesters import dcat, dcat_rdf, dcat_vocabulary
from harvesters.sources import run_source
from tests.harvesters import helpers
from tests.harvesters.helpers import releases_of

FIXTURES = Path(__file__).parent / "fixtures" / "dcat"
DCAT_AP_EXAMPLES = Path(__file__).resolve().parents[1] / "conformance" / "dcat-ap-3.0.1" / "examples"
PLACEHOLDER = "http://data.pontianak.test"
CSV_FILES = {
    "/files/penduduk.csv": b"kecamatan,jumlah\nPontianak Timur,100195\nPontianak Barat,135351\n",
    "/files/puskesmas.csv": b"nama,kecamatan\nPuskesmas Kampung Bali,Pontianak Timur\n",
    "/files/pasar.csv": b"nama,kecamatan\nPasar Flamboyan,Pontianak Kota\n",
    "/files/sekolah.csv": b"kecamatan,sd_negeri,sd_swasta\nPontianak Selatan,21,9\n",
    "/files/rute.csv": b"koridor,halte_awal,halte_akhir\n1,Terminal Batu Layang,Bundaran Untan\n",
}
ROUTES: dict[str, tuple[bytes, str]] = {}
REQUESTED: list[str] = []


class Portal(BaseHTTPRequestHandler):
    base = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        REQUESTED.append(self.path)
        if self.path in ROUTES:
            (body, kind), status = ROUTES[self.path], 200
        elif self.path.startswith("/tanpa-akhir/"):
            number = int(self.path.rsplit("/", 1)[-1])
            body, kind, status = endless_page(number), "text/turtle", 200
        else:
            body, kind, status = b"not found", "text/plain", 404
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def endless_page(number: int) -> bytes:
    return f"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<{Portal.base}/katalog> a dcat:Catalog .
<{Portal.base}/tanpa-akhir/{number}> a hydra:PartialCollectionView ; hydra:next <{number + 1}> .""".encode()


def serve(path: str, fixture: str, content_type: str) -> None:
    text = (FIXTURES / fixture).read_text(encoding="utf-8").replace(PLACEHOLDER, Portal.base)
    ROUTES[path] = (text.encode(), content_type)


@pytest.fixture
def portal(database_url: str) -> Iterator[str]:
    from catalog import settings

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    Portal.base = f"http://127.0.0.1:{server.server_address[1]}"
    ROUTES.clear()
    REQUESTED.clear()
    for path, body in CSV_FILES.items():
        ROUTES[path] = (body, "text/csv")
    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Portal.base
    server.shutdown()
    server.server_close()


@pytest.fixture
def organization(session: Session) -> str:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika Kota Pontianak"))
    session.commit()
    return "diskominfo"


def harvest(session: Session, organization: str, url: str) -> tuple[int, HarvestJob]:
    return helpers.harvest(session, organization=organization, type="dcat", url=url, publish="auto")


def imported(session: Session) -> dict[str, dict[str, Any]]:
    session.expire_all()
    found = {}
    for dataset in session.exec(select(Dataset)).all():
        (release,) = releases_of(session, dataset.slug)
        found[dataset.slug] = {
            "title": dataset.title,
            "license": dataset.license_id,
            "frequency": dataset.update_frequency,
            "tags": sorted(t.name for t in dataset.tags),
            "themes": sorted(t.slug for t in dataset.themes),
            "temporal": (dataset.temporal_start, dataset.temporal_end),
            "contact": (dataset.contact_name, dataset.contact_email),
            "state": release.state,
            "files": sorted((r.name, r.url is None) for r in release.resources),
        }
    return found


@pytest.mark.parametrize(
    ("fixture", "path", "content_type"),
    [
        ("katalog.ttl", "/katalog.ttl", "text/turtle; charset=utf-8"),
        ("katalog.rdf", "/katalog.rdf", "application/octet-stream"),  # chosen by the file extension
        ("katalog.jsonld", "/dcat", "text/plain"),  # neither says: every syntax is tried
    ],
)
def test_the_same_catalogue_in_turtle_rdfxml_and_jsonld_imports_the_same_datasets(
    portal: str, session: Session, organization: str, fixture: str, path: str, content_type: str
) -> None:
    serve(path, fixture, content_type)
    _, job = harvest(session, organization, portal + path)
    assert job.status == "finished", job.error
    assert job.counts == {"seen": 3, "created": 3, "updated": 0, "unchanged": 0, "removed": 0, "errors": 0}
    assert imported(session) == {
        "jumlah-penduduk-kecamatan": {
            "title": "Jumlah Penduduk Menurut Kecamatan",
            "license": "cc-by-4.0",
            "frequency": UpdateFrequency.semesteran,
            "tags": ["kependudukan", "penduduk kecamatan"],
            "themes": ["kependudukan"],
            "temporal": (date(2024, 1, 1), date(2024, 12, 31)),
            "contact": ("Bidang Data Disdukcapil", "data.disdukcapil@pontianak.go.id"),
            "state": ReleaseState.published,
            "files": [("Penduduk per Kecamatan 2024.csv", True)],
        },
        "daftar-puskesmas": {
            "title": "Daftar Puskesmas",
            "license": "cc0-1.0",
            "frequency": UpdateFrequency.bulanan,
            "tags": ["kesehatan", "puskesmas"],
            "themes": ["kesehatan"],
            "temporal": (None, None),
            "contact": (None, None),
            "state": ReleaseState.published,
            "files": [("puskesmas.csv", True)],
        },
        "titik-rawan-banjir": {
            "title": "Titik Rawan Banjir",
            "license": "odbl-1.0",
            "frequency": UpdateFrequency.tidak_tentu,
            "tags": ["banjir"],
            "themes": [],
            "temporal": (None, None),
            "contact": (None, None),
            "state": ReleaseState.published,
            "files": [("Titik Banjir", False)],
        },
    }
    penduduk = session.exec(select(Dataset).where(Dataset.slug == "jumlah-penduduk-kecamatan")).one()
    assert penduduk.description.startswith("Jumlah penduduk Kota Pontianak per kecamatan")
    assert penduduk.extras == {  # the English title, description and keyword are kept beside the Indonesian
        "dcat:keyword": "population@en",
        "dct:description@en": "Population of Pontianak by district.",
        "dct:title@en": "Population by District",
        "dct:publisher": "Dinas Kependudukan dan Pencatatan Sipil",
        "dcat:uri": f"{portal}/dataset/jumlah-penduduk-kecamatan",
    }
    banjir = session.exec(select(Dataset).where(Dataset.slug == "titik-rawan-banjir")).one()
    assert banjir.extras["dcat:theme"] == f"{portal}/tema/drainase"
    item = session.exec(select(HarvestItem).where(HarvestItem.remote_id == "titik-rawan-banjir")).one()
    assert item.status == "ok" and "kept as a link" in item.errors[0]["message"]
    assert "cannot resolve arsip.pontianak.invalid" in item.errors[0]["message"]  # a public name, kept as a link


def test_reharvest_is_a_noop_then_one_change_is_one_release_then_a_gone_dataset_is_flagged(
    portal: str, session: Session, organization: str
) -> None:
    serve("/katalog.ttl", "katalog.ttl", "text/turtle")
    source_id, first = harvest(session, organization, f"{portal}/katalog.ttl")
    assert first.counts["created"] == 3

    again = run_source(session, source_id=source_id)
    assert again.counts == {"seen": 3, "created": 0, "updated": 0, "unchanged": 3, "removed": 0, "errors": 0}
    assert [len(releases_of(session, slug)) for slug in ("jumlah-penduduk-kecamatan", "titik-rawan-banjir")] == [1, 1]

    body, kind = ROUTES["/katalog.ttl"]
    ROUTES["/katalog.ttl"] = (body.replace(b'"2025-01-15"^^xsd:date', b'"2025-07-15"^^xsd:date'), kind)
    ROUTES["/files/penduduk.csv"] = (CSV_FILES["/files/penduduk.csv"] + b"Pontianak Kota,120000\n", "text/csv")
    changed = run_source(session, source_id=source_id)
    assert changed.counts == {"seen": 3, "created": 0, "updated": 1, "unchanged": 2, "removed": 0, "errors": 0}
    assert [(r.number, r.state) for r in releases_of(session, "jumlah-penduduk-kecamatan")] == [
        (1, ReleaseState.published),
        (2, ReleaseState.published),
    ]
    assert len(releases_of(session, "daftar-puskesmas")) == 1

    graph = Graph().parse(data=ROUTES["/katalog.ttl"][0], format="turtle")
    gone = URIRef(f"{portal}/dataset/5b0f7c1e-2d4a-4c7e-9a51-3f1e8d2b6a90")
    graph.remove((gone, None, None))
    graph.remove((None, None, gone))
    ROUTES["/katalog.ttl"] = (graph.serialize(format="turtle").encode(), "text/turtle")
    vanished = run_source(session, source_id=source_id)
    assert vanished.counts == {"seen": 2, "created": 0, "updated": 0, "unchanged": 2, "removed": 1, "errors": 0}
    session.expire_all()
    puskesmas = session.exec(select(Dataset).where(Dataset.slug == "daftar-puskesmas")).one()
    assert puskesmas.removed_at_source is True
    assert [r.state for r in releases_of(session, "daftar-puskesmas")] == [ReleaseState.published]


def test_hydra_pages_are_followed_once_each(portal: str, session: Session, organization: str) -> None:
    serve("/hydra/halaman-1.ttl", "halaman-1.ttl", "text/turtle")
    serve("/hydra/halaman-2.ttl", "halaman-2.ttl", "text/turtle")
    _, job = harvest(session, organization, f"{portal}/hydra/halaman-1.ttl")
    assert job.status == "finished", job.error
    assert job.counts["created"] == 3 and job.counts["errors"] == 0
    assert [p for p in REQUESTED if p.startswith("/hydra/")] == ["/hydra/halaman-1.ttl", "/hydra/halaman-2.ttl"]
    found = imported(session)
    assert sorted(found) == ["daftar-pasar-tradisional", "daftar-puskesmas", "jumlah-penduduk-kecamatan"]
    assert found["jumlah-penduduk-kecamatan"]["license"] == "cc-by-4.0"
    assert found["daftar-pasar-tradisional"]["license"] == "notspecified"
    assert found["daftar-pasar-tradisional"]["themes"] == ["ekonomi"]
    assert found["daftar-pasar-tradisional"]["files"] == [("Pasar Tradisional.csv", True)]
    assert found["daftar-puskesmas"]["files"] == [("puskesmas.csv", True)]


def test_a_catalogue_that_never_ends_fails_at_the_page_cap(
    portal: str, session: Session, organization: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dcat, "MAX_PAGES", 4)
    _, job = harvest(session, organization, f"{portal}/tanpa-akhir/1")
    assert job.status == "failed" and "more than 4 pages" in (job.error or "")
    assert len(REQUESTED) == 4


def test_data_json_is_harvested(portal: str, session: Session, organization: str) -> None:
    serve("/data.json", "data.json", "application/json")
    _, job = harvest(session, organization, f"{portal}/data.json")
    assert job.status == "finished", job.error
    assert imported(session) == {
        "jumlah-sekolah-dasar": {
            "title": "Jumlah Sekolah Dasar per Kecamatan",
            "license": "cc-by-sa-4.0",
            "frequency": UpdateFrequency.tahunan,
            "tags": ["pendidikan", "sekolah dasar"],
            "themes": ["pendidikan"],
            "temporal": (date(2023, 7, 1), date(2024, 6, 30)),
            "contact": ("Subbag Program Disdikbud", "disdikbud@pontianak.go.id"),
            "state": ReleaseState.published,
            "files": [("Sekolah Dasar 2024.csv", True)],
        },
        "rute-bus-trans-pontianak": {
            "title": "Rute Bus Trans Pontianak",
            "license": "notspecified",
            "frequency": UpdateFrequency.triwulanan,
            "tags": ["transportasi umum"],
            "themes": [],
            "temporal": (None, None),
            "contact": ("Dinas Perhubungan Kota Pontianak", None),
            "state": ReleaseState.published,
            "files": [("rute.csv", True)],
        },
    }
    rute = session.exec(select(Dataset).where(Dataset.slug == "rute-bus-trans-pontianak")).one()
    assert rute.extras == {
        "dcat:theme": "Angkutan Kota",
        "dct:accessRights": "public",
        "dct:license": f"{portal}/lisensi/perwako-12-2021",  # an unknown licence is kept, with a warning
        "dct:publisher": "Dinas Perhubungan Kota Pontianak",
    }
    items = session.exec(select(HarvestItem).order_by(col(HarvestItem.remote_id))).all()
    assert [(i.remote_id, i.marker) for i in items] == [
        (f"{portal}/dataset/jumlah-sekolah-dasar", "2025-03-01"),
        ("rute-bus-trans-pontianak", "2025-04-20"),
    ]


def test_a_document_in_no_known_syntax_fails_the_job_and_imports_nothing(
    portal: str, session: Session, organization: str
) -> None:
    serve("/katalog", "rusak.html", "text/html; charset=utf-8")
    _, job = harvest(session, organization, f"{portal}/katalog")
    assert job.status == "failed"
    assert job.error is not None and job.error.startswith(
        f"{portal}/katalog: not a DCAT catalogue in Turtle, RDF/XML, JSON-LD or data.json (Content-Type text/html)"
    )
    assert "Turtle: " in job.error and "RDF/XML: " in job.error and "JSON-LD: " in job.error
    assert session.exec(select(Dataset)).all() == [] and session.exec(select(HarvestItem)).all() == []


def test_a_remote_jsonld_context_is_refused_and_never_fetched(portal: str, session: Session, organization: str) -> None:
    serve("/katalog.jsonld", "konteks-jauh.jsonld", "application/ld+json")
    ROUTES["/konteks/dcat.jsonld"] = (b'{"@context": {"@vocab": "http://www.w3.org/ns/dcat#"}}', "application/ld+json")
    _, job = harvest(session, organization, f"{portal}/katalog.jsonld")
    assert job.status == "failed" and "remote @context" in (job.error or "")
    assert REQUESTED == ["/katalog.jsonld"]
    assert session.exec(select(Dataset)).all() == []


def test_the_dcat_ap_3_examples_are_read() -> None:
    examples = sorted(DCAT_AP_EXAMPLES.glob("*.ttl"))
    assert examples, f"the DCAT-AP 3.0.1 examples are missing from {DCAT_AP_EXAMPLES}"
    graph = Graph()
    for example in examples:
        graph.parse(example)
    catalogue = dcat_rdf.RdfCatalogue(graph)
    entries = [catalogue.entry(node) for node in catalogue.datasets()]
    assert [(e.remote_id, e.metadata["slug"], e.metadata["title"]) for e in entries] == [
        ("https://data.gov.gr/id/dataset/BeePopulation", "beepopulation", "Bee population"),
        ("https://data.gov.gr/id/dataset/BeePopulation2022", "beepopulation2022", "Bee population 2022"),
        ("https://data.gov.gr/id/dataset/BeePopulation2023", "beepopulation2023", "Bee population 2023"),
    ]
    assert all(e.marker.startswith("sha256:") and not e.distributions for e in entries)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://publications.europa.eu/resource/authority/frequency/DAILY", UpdateFrequency.harian),
        ("http://publications.europa.eu/resource/authority/frequency/WEEKLY", UpdateFrequency.mingguan),
        ("http://publications.europa.eu/resource/authority/frequency/BIWEEKLY", UpdateFrequency.bulanan),
        ("http://publications.europa.eu/resource/authority/frequency/QUARTERLY", UpdateFrequency.triwulanan),
        ("http://publications.europa.eu/resource/authority/frequency/ANNUAL", UpdateFrequency.tahunan),
        ("http://publications.europa.eu/resource/authority/frequency/IRREG", UpdateFrequency.tidak_tentu),
        ("http://purl.org/cld/freq/semiannual", UpdateFrequency.semesteran),
        ("http://purl.org/cld/freq/biennial", UpdateFrequency.tidak_tentu),
        ("R/P1D", UpdateFrequency.harian),
        ("R/PT30M", UpdateFrequency.harian),
        ("R/P1W", UpdateFrequency.mingguan),
        ("R/P1M", UpdateFrequency.bulanan),
        ("R/P6M", UpdateFrequency.semesteran),
        ("P1Y", UpdateFrequency.tahunan),
        ("irregular", UpdateFrequency.tidak_tentu),
        ("Per Semester", UpdateFrequency.semesteran),
        ("", UpdateFrequency.tidak_tentu),
    ],
)
def test_update_frequencies(value: str, expected: UpdateFrequency) -> None:
    assert dcat_vocabulary.update_frequency(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://creativecommons.org/licenses/by/4.0/", "cc-by-4.0"),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.id", "cc-by-sa-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/legalcode", "cc0-1.0"),
        ("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", "cc-by-4.0"),
        ("http://publications.europa.eu/resource/authority/licence/ODBL", "odbl-1.0"),
        ("https://spdx.org/licenses/CC0-1.0", "cc0-1.0"),
        ("cc-by", "cc-by-4.0"),
        ("http://creativecommons.org/licenses/by-nc/4.0/", ""),  # unknown: the caller keeps it and warns
    ],
)
def test_licenses(value: str, expected: str) -> None:
    assert dcat_vocabulary.license_id([value]) == expected


def test_a_dataset_without_distributions_waits_for_its_data(portal: str, session: Session, organization: str) -> None:
    """Its metadata is imported with a note and no release; when a distribution appears it is published."""
    catalogue = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<{base}/katalog> a dcat:Catalog ; dcat:dataset <{base}/dataset/ruang-terbuka-hijau> .
<{base}/dataset/ruang-terbuka-hijau> a dcat:Dataset ; dct:identifier "ruang-terbuka-hijau" ;
    dct:title "Ruang Terbuka Hijau Kota Pontianak"@id ; dct:modified "{modified}" {distribution} ."""
    distribution = f"""; dcat:distribution [ a dcat:Distribution ; dct:title "rth.csv" ;
        dcat:downloadURL <{portal}/files/rth.csv> ; dct:format "CSV" ]"""
    ROUTES["/files/rth.csv"] = (b"nama,kecamatan\nTaman Alun Kapuas,Pontianak Kota\n", "text/csv")
    ROUTES["/katalog.ttl"] = (
        catalogue.format(base=portal, modified="2025-01-01", distribution="").encode(),
        "text/turtle",
    )
    source_id, job = harvest(session, organization, f"{portal}/katalog.ttl")
    assert job.counts["created"] == 1 and job.counts["errors"] == 0
    item = session.exec(select(HarvestItem)).one()
    assert item.status == "ok" and "waits for its data" in item.errors[0]["message"]
    assert releases_of(session, "ruang-terbuka-hijau") == []

    ROUTES["/katalog.ttl"] = (
        catalogue.format(base=portal, modified="2025-02-01", distribution=distribution).encode(),
        "text/turtle",
    )
    again = run_source(session, source_id=source_id)
    assert again.counts["updated"] == 1 and again.counts["errors"] == 0
    (release,) = releases_of(session, "ruang-terbuka-hijau")
    assert release.state == ReleaseState.published and [r.name for r in release.resources] == ["rth.csv"]


def test_places_that_are_region_codes_become_spatial_coverage() -> None:
    from harvesters.dcat_vocabulary import region_codes

    assert region_codes(["https://data.example/wilayah/61.71.01/", "61.71", "61.71.02.1001"]) == [
        "61.71.01",
        "61.71",
        "61.71.02.1001",
    ]
    # A page number, a named place or a geometry is no region code.
    assert region_codes(["https://data.example/page/12", "Kota Pontianak", "POLYGON((0 0,1 1,1 0,0 0))"]) == []
