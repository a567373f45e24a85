"""Fidelity on Project Open Data's v1.1 data.json example and frictionlessdata's example packages, served on
127.0.0.1 and checked field by field (sources and licences: fixtures/public/README.md); and the vocabulary rules
those documents exercise."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from catalog.models import Dataset, HarvestItem, Organization, UpdateFrequency
from catalog.services.links import LinkDescription
from catalog.services.releases import link_name, link_resource
from harvesters.dcat_vocabulary import Distribution, file_extension, link_format, tag_names
from harvesters.sources import run_source
from tests.harvesters import helpers
from tests.harvesters.helpers import loopback_only_dns, releases_of, serve_folder

PUBLIC = Path(__file__).parent / "fixtures" / "public"
WIDGETS = "https://data.agency.gov/datasets/widgets-statistics"


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


def harvest(session: Session, organization: str, type: str, url: str) -> int:
    source_id, job = helpers.harvest(session, organization=organization, type=type, url=url, publish="auto")
    assert job.status == "finished", job.error
    assert job.counts["errors"] == 0, job.counts
    return source_id


def dataset(session: Session, slug: str) -> Dataset:
    session.expire_all()
    return session.exec(select(Dataset).where(Dataset.slug == slug)).one()


def messages(session: Session, remote_id: str) -> list[str]:
    item = session.exec(select(HarvestItem).where(HarvestItem.remote_id == remote_id)).one()
    return [error["message"] for error in item.errors]


def test_data_json_keeps_links_spatial_issued_language_conformance_and_parent(
    public: str, session: Session, organization: str
) -> None:
    source_id = harvest(session, organization, "dcat", f"{public}/project-open-data/catalog-sample-extended.json")
    widgets = dataset(session, "h4pz56r2")
    (release,) = releases_of(session, widgets.slug)
    assert {r.name: (r.format, r.media_type, r.url) for r in release.resources} == {
        "widgets.csv": ("CSV", "text/csv", f"{WIDGETS}/widgets.csv"),
        "widgets-all.zip": ("ZIP", "application/zip", f"{WIDGETS}/widgets-all.zip"),
        "widgets-all.json": ("JSON", "application/json", "http://www.agency.gov/feeds/widgets-all.json"),
        "Widgets REST API": ("API", "application/octet-stream", "https://data.agency.gov/api/widgets-statistics/"),
    }
    assert widgets.license_id == "cc0-1.0"
    assert widgets.update_frequency == UpdateFrequency.tahunan
    assert (widgets.temporal_start, widgets.temporal_end) == (date(2009, 9, 1), date(2010, 5, 31))
    assert (widgets.contact_name, widgets.contact_email) == ("Jane Doe", "jane.doe@agency.gov")
    assert sorted(t.name for t in widgets.tags) == ["factory", "manufacturing", "widget"]
    extras = widgets.extras
    assert {key: extras[key] for key in ("dct:spatial", "dct:issued", "dct:language", "dct:conformsTo")} == {
        "dct:spatial": "United States",
        "dct:issued": "2011-11-22",
        "dct:language": "en-US",
        "dct:conformsTo": "http://www.agency.gov/widget-taxonomy/",
    }
    assert extras["dct:references"] == "http://agency.gov/docs/widgets-1.html http://agency.gov/docs/widgets-2.html"
    assert extras["dct:accessRights"] == "public"
    assert extras["pod:bureauCode"] == "018:10"
    assert '"name": "General Services Administration"' in extras["dct:publisher"]  # the parent organisations
    assert extras[f"dcat:distribution[{WIDGETS}/widgets-all.zip]:dct:description"] == (
        "Widgets data as a zipped CSV file with attached data dictionary"
    )
    json_feed = "dcat:distribution[http://www.agency.gov/feeds/widgets-all.json]"
    assert extras[f"{json_feed}:dct:conformsTo"] == "http://www.agency.gov/widget-data-standard/"
    assert extras[f"{json_feed}:pod:describedByType"] == "application/schema+json"

    child = dataset(session, "h49p2zkm")
    assert child.extras["dct:isPartOf"] == "widget-modulators"
    assert child.license_id == "notspecified"
    assert child.extras["dct:license"] == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert (
        "licence 'http://creativecommons.org/publicdomain/mark/1.0/' unknown: set to notspecified, "
        "kept in extras as dct:license" in messages(session, "http://dx.doi.org/10.7927/H49P2ZKM")
    )
    again = run_source(session, source_id=source_id)
    assert (again.counts["created"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 3)


@pytest.mark.parametrize(
    ("folder", "slug"), [("periodic-table", "period-table"), ("geo-location-fk", "geo-location-fk")]
)
def test_data_package_licences_in_the_id_and_url_form_are_read(
    public: str, session: Session, organization: str, folder: str, slug: str
) -> None:
    """Both declare [{"id": "CC0-1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"}]."""
    source_id = harvest(session, organization, "datapackage", f"{public}/frictionless/{folder}/datapackage.json")
    found = dataset(session, slug)
    assert found.license_id == "cc0-1.0"
    assert not [m for m in messages(session, slug) if "license" in m]
    again = run_source(session, source_id=source_id)
    assert (again.counts["created"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 1)


def test_data_package_resource_descriptions_are_kept(public: str, session: Session, organization: str) -> None:
    harvest(session, organization, "datapackage", f"{public}/frictionless/geo-location-fk/datapackage.json")
    found = dataset(session, "geo-location-fk")
    (release,) = releases_of(session, found.slug)
    assert sorted(r.name for r in release.resources) == ["gazetteer.csv", "offices.csv"]
    assert found.extras["resource[offices]:title"] == "Offices"
    assert found.extras["resource[offices]:description"] == "Hot Desk Offices"
    assert '"resource": "gazetteer"' in found.extras["resource[offices]:foreignKeys"]
    assert '"name": "CC-BY-4.0"' in found.extras["resource[gazetteer]:licenses"]


def test_link_names_have_no_query_and_no_percent_escapes() -> None:
    assert link_name("https://data.example.org/unduh/Data%20Penduduk%202024.csv?token=abc#baris") == (
        "Data Penduduk 2024.csv"
    )
    assert link_name("https://external.site.org/") == "external.site.org"


def test_a_link_takes_what_its_source_declares(database_url: str) -> None:
    from catalog.models import Release

    release = Release(id=1, dataset_id=1, number=1)
    guessed = link_resource(release, url="http://1.1.1.1/peta", position=0)
    declared = link_resource(
        release,
        url="http://1.1.1.1/peta",
        position=0,
        declared=LinkDescription("Peta Kecamatan", "WMS", "", None),
    )
    assert (guessed.name, guessed.format) == ("peta", "")
    homepage = link_resource(release, url="https://external.site.org/", position=0)
    assert (homepage.name, homepage.format, homepage.media_type) == (
        "external.site.org",
        "",
        "application/octet-stream",
    )  # not ORG, not application/vnd.lotus-organizer
    wms = ("Peta Kecamatan", "WMS", "application/octet-stream")
    assert (declared.name, declared.format, declared.media_type) == wms


def test_service_formats_win_over_the_media_type_of_their_answers() -> None:
    """GSA's data.json files declare Esri services as format 'Esri REST' with mediaType application/json."""
    esri = "https://maps.example.gov/arcgis/rest/services/Parcels/MapServer/0"
    assert file_extension("Esri REST", "application/json", esri) == "esri rest"
    assert link_format(Distribution("Esri Rest API", esri, "esri rest")) == "ESRI REST"
    assert file_extension("Zipped CSV", "application/zip", "https://x.org/all.zip") == "zip"
    assert file_extension("http://publications.europa.eu/resource/authority/file-type/WMS", "", "") == "wms"


def test_tags_keep_case_folded_accents_and_scripts() -> None:
    assert tag_names(["Ökonomie", " ökonomie ", "人口", "Дороги", "Sekolah  Dasar", ""]) == [
        "sekolah dasar",
        "ökonomie",
        "дороги",
        "人口",
    ]
