"""Two remote datasets that map to one slug are both imported, each under a slug that stays its own."""

from pathlib import Path

from sqlmodel import Session, col, select

from catalog.models import Dataset, HarvestItem, Organization
from harvesters.sources import run_source
from tests.harvesters.helpers import harvest, serve_folder

# Two datasets whose identifiers end alike and whose titles are one: the shape of ckanext-dcat's
# rdf_duplicate_titles example, written anew here.
CATALOGUE = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<http://data.pontianak.go.id/katalog> a dcat:Catalog ;
    dcat:dataset <http://dinkes.pontianak.go.id/set/dataset>, <http://dinsos.pontianak.go.id/set/dataset> .
<http://dinkes.pontianak.go.id/set/dataset> a dcat:Dataset ; dct:title "Data Tahunan" ;
    dct:identifier "http://dinkes.pontianak.go.id/set/dataset" ; dct:modified "2025-01-01" .
<http://dinsos.pontianak.go.id/set/dataset> a dcat:Dataset ; dct:title "Data Tahunan" ;
    dct:identifier "http://dinsos.pontianak.go.id/set/dataset" ; dct:modified "2025-01-01" .
"""


def _slugs(session: Session) -> dict[str, str]:
    session.expire_all()
    items = session.exec(select(HarvestItem).order_by(col(HarvestItem.remote_id))).all()
    return {item.remote_id: session.get(Dataset, item.dataset_id).slug for item in items if item.dataset_id}  # type: ignore[union-attr]


def test_a_slug_collision_gets_a_unique_stable_slug(database_url: str, session: Session, tmp_path: Path) -> None:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    (tmp_path / "katalog.ttl").write_text(CATALOGUE, encoding="utf-8")
    with serve_folder(tmp_path) as url:
        source_id, job = harvest(session, organization="diskominfo", type="dcat", url=f"{url}/katalog.ttl")
        assert job.counts["created"] == 2 and job.counts["errors"] == 0, session.exec(select(HarvestItem)).all()
        first = _slugs(session)
        assert sorted(first.values())[0] == "dataset"
        assert len(set(first.values())) == 2 and all(slug.startswith("dataset") for slug in first.values())

        (tmp_path / "katalog.ttl").write_text(CATALOGUE.replace("2025-01-01", "2025-07-01"), encoding="utf-8")
        again = run_source(session, source_id=source_id)
        assert again.counts["updated"] + again.counts["unchanged"] == 2 and again.counts["errors"] == 0
        assert _slugs(session) == first  # each item keeps its slug
