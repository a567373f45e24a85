"""Data Prioritas: the pembina's endorsement is fixed by what was submitted, and the flag is the reviewers' decision."""

from sqlmodel import Session, select

from catalog.models import Activity, Dataset
from tests.catalog.conftest import Catalogue

SLUG = "disdukcapil-penduduk"


def _make_priority(catalogue: Catalogue) -> None:
    response = catalogue.client.patch(
        f"/api/v1/datasets/{SLUG}", json={"is_priority": True}, headers=catalogue.walidata.headers
    )
    assert response.status_code == 200 and response.json()["is_priority"] is True, response.text


def test_endorsement_is_required_by_the_submitted_snapshot(catalogue: Catalogue, session: Session) -> None:
    _make_priority(catalogue)
    release = catalogue.upload(catalogue.disdukcapil, SLUG)
    assert catalogue.act(catalogue.disdukcapil, release["id"], "submit").status_code == 200
    # The dataset's flag turned off behind the workflow's back: the submitted release still needs the pembina.
    dataset = session.exec(select(Dataset).where(Dataset.slug == SLUG)).one()
    dataset.is_priority = False
    session.add(dataset)
    session.commit()
    refused = catalogue.act(catalogue.walidata, release["id"], "approve")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "pembina_review_required"
    assert catalogue.act(catalogue.pembina, release["id"], "endorse").status_code == 200
    approved = catalogue.act(catalogue.walidata, release["id"], "approve")
    assert approved.status_code == 200 and approved.json()["endorsed_by"] == "bps"


def test_a_producer_cannot_skip_the_pembina(catalogue: Catalogue) -> None:
    _make_priority(catalogue)
    release = catalogue.upload(catalogue.disdukcapil, SLUG)
    assert catalogue.act(catalogue.disdukcapil, release["id"], "submit").status_code == 200
    assert catalogue.act(catalogue.walidata, release["id"], "approve").status_code == 409
    by_producer = catalogue.client.patch(
        f"/api/v1/datasets/{SLUG}", json={"is_priority": False}, headers=catalogue.disdukcapil.headers
    )
    assert by_producer.status_code == 403
    while_waiting = catalogue.client.patch(
        f"/api/v1/datasets/{SLUG}", json={"is_priority": False}, headers=catalogue.walidata.headers
    )
    assert while_waiting.status_code == 409 and while_waiting.json()["error"]["code"] == "review_pending"
    assert catalogue.client.get(f"/api/v1/datasets/{SLUG}", headers=catalogue.walidata.headers).json()["is_priority"]
    refused = catalogue.act(catalogue.walidata, release["id"], "approve")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "pembina_review_required"


def test_the_priority_decision_is_logged_and_other_edits_stay_the_producers(
    catalogue: Catalogue, session: Session
) -> None:
    catalogue.publish(SLUG)  # the pembina decides on what it can see
    by_producer = catalogue.client.patch(
        f"/api/v1/datasets/{SLUG}", json={"is_priority": True}, headers=catalogue.disdukcapil.headers
    )
    assert by_producer.status_code == 403
    by_pembina = catalogue.client.patch(
        f"/api/v1/datasets/{SLUG}", json={"is_priority": True}, headers=catalogue.pembina.headers
    )
    assert by_pembina.status_code == 200, by_pembina.text
    decisions = session.exec(select(Activity).where(Activity.action == "dataset.priority")).all()
    assert [(d.actor_name, d.detail) for d in decisions] == [("bps", {"from": False, "to": True})]
    # Sending the flag as it already is, with other edits, is the producer's ordinary edit.
    same = catalogue.client.patch(
        f"/api/v1/datasets/{SLUG}",
        json={"is_priority": True, "description": "Per semester."},
        headers=catalogue.disdukcapil.headers,
    )
    assert same.status_code == 200, same.text
    assert (
        catalogue.client.patch(
            f"/api/v1/datasets/{SLUG}", json={"description": "x"}, headers=catalogue.pembina.headers
        ).status_code
        == 403
    )
