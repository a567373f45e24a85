"""The quality score explains every point it gives or withholds."""

from datetime import timedelta

from sqlmodel import Session

from catalog.models import utcnow
from catalog.services.datasets import get_dataset
from catalog.services.quality import quality_score
from tests.catalog.conftest import Catalogue


def test_score_and_breakdown(catalogue: Catalogue, session: Session) -> None:
    catalogue.publish("disdukcapil-penduduk")
    body = catalogue.client.get("/api/v1/datasets/disdukcapil-penduduk/quality").json()
    parts = body["breakdown"]
    assert parts["valid_data"]["points"] == 30
    assert parts["open_license"] == {"points": 10, "max": 10, "explanation": "license cc0-1.0 is open"}
    assert parts["open_format"]["points"] == 15
    assert parts["timeliness"]["points"] == 20
    # Tags, themes and spatial coverage are set; description, contact, temporal and method are not.
    assert parts["metadata"]["points"] == 12.5 and "contact" in parts["metadata"]["explanation"]
    assert body["score"] == round(30 + 12.5 + 20 + 10 + 15)

    dataset = get_dataset(session, slug="disdukcapil-penduduk")
    late = quality_score(session, dataset=dataset, now=utcnow() + timedelta(days=300))
    timeliness = late["breakdown"]["timeliness"]
    assert timeliness["points"] == 10 and "overdue" in timeliness["explanation"]
    very_late = quality_score(session, dataset=dataset, now=utcnow() + timedelta(days=400))
    assert very_late["breakdown"]["timeliness"]["points"] == 0


def test_closed_license_and_no_release_score_low(catalogue: Catalogue) -> None:
    catalogue.client.patch(
        "/api/v1/datasets/dinkes-puskesmas", json={"license_id": "notspecified"}, headers=catalogue.dinkes.headers
    )
    body = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/quality", headers=catalogue.dinkes.headers).json()
    assert body["breakdown"]["open_license"]["points"] == 0
    assert body["breakdown"]["timeliness"]["explanation"] == "never published"
    assert body["breakdown"]["valid_data"]["points"] == 0
    assert body["score"] < 20
