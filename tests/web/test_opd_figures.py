"""The OPD page's figures, counted by the database, equal the ones computed dataset by dataset."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from catalog import db
from catalog.models import Organization, utcnow
from catalog.web import figures
from catalog.web.opd_figures import opd_compliance, opd_datasets
from tests.web.conftest import Site


@pytest.mark.parametrize("days_later", [0, 200, 400, 800])
def test_sql_figures_equal_the_per_dataset_ones(site: Site, days_later: int) -> None:
    now = utcnow() + timedelta(days=days_later)  # later on, datasets fall overdue one frequency after another
    with Session(db.get_engine()) as session:
        organizations = session.exec(select(Organization)).all()
        seen_overdue = 0
        for organization in organizations:
            statuses = figures.dataset_statuses(session, organization_id=organization.id, now=now)
            expected = figures.compliance(organization, statuses)
            counted = opd_compliance(session, organization, now=now)
            assert counted.metadata_share == pytest.approx(expected.metadata_share), organization.slug
            assert replace(counted, metadata_share=0) == replace(expected, metadata_share=0), organization.slug
            listed = opd_datasets(session, organization, page=1, now=now)
            assert [(d.slug, d.published_at, d.next_due, d.on_time) for d in listed] == [
                (s.dataset.slug, s.release.published_at if s.release else None, s.next_due, s.on_time)
                for s in statuses[:20]
            ]
            seen_overdue += counted.overdue
        assert (seen_overdue > 0) == (days_later > 200)


def test_opd_page_pages_its_datasets(site: Site) -> None:
    with site.client() as http:
        html = http.get("/opd/dinkes").text
        assert "<strong>2</strong> dataset" in html and 'href="/dataset/uji-keamanan"' in html
        assert "rancangan-belum-terbit" not in html
        assert 'href="/dataset/daftar-puskesmas"' not in http.get("/opd/dinkes", params={"page": 2}).text
