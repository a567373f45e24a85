"""Every transition of the release workflow, allowed and refused; a refusal changes nothing."""

import pytest
from sqlmodel import Session, select

from catalog.models import Activity, Dataset, Release
from tests.catalog.conftest import Catalogue


def _state(catalogue: Catalogue, release_id: int) -> str:
    return str(catalogue.client.get(f"/api/v1/releases/{release_id}", headers=catalogue.admin.headers).json()["state"])


def test_full_path_draft_submitted_returned_draft_submitted_published_withdrawn(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    assert release["state"] == "draft" and release["number"] == 1
    steps = [
        (catalogue.dinkes, "submit", None, "submitted"),
        (catalogue.walidata, "return", "Kolom jenis kelamin belum lengkap", "returned"),
        (catalogue.dinkes, "reopen", None, "draft"),
        (catalogue.dinkes, "submit", None, "submitted"),
        (catalogue.walidata, "approve", None, "published"),
        (catalogue.walidata, "withdraw", "Data ganda dengan rilis lain", "withdrawn"),
    ]
    for account, action, note, expected in steps:
        response = catalogue.act(account, release["id"], action, note)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["state"] == expected
    final = catalogue.client.get(f"/api/v1/releases/{release['id']}").json()
    assert final["withdrawn_reason"] == "Data ganda dengan rilis lain"
    assert final["reviewed_by"] == "walidata" and final["submitted_by"] == "dinkes-data"


@pytest.mark.parametrize(
    ("actor", "action", "status", "code"),
    [
        ("disdukcapil", "submit", 404, "release_not_found"),  # another OPD's draft is not there for them
        ("walidata", "submit", 403, "role_not_allowed"),
        ("pembina", "submit", 404, "release_not_found"),  # not Data Prioritas: not there for the pembina
        ("dinkes", "approve", 403, "role_not_allowed"),
        ("walidata", "approve", 409, "invalid_transition"),
        ("walidata", "withdraw", 409, "invalid_transition"),
        ("walidata", "return", 409, "invalid_transition"),
        ("dinkes", "reopen", 409, "invalid_transition"),
    ],
)
def test_refused_on_a_draft(catalogue: Catalogue, actor: str, action: str, status: int, code: str) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    response = catalogue.act(getattr(catalogue, actor), release["id"], action, "catatan")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert _state(catalogue, release["id"]) == "draft"


@pytest.mark.parametrize(
    ("actor", "action", "status"),
    [
        ("dinkes", "approve", 403),
        ("disdukcapil", "approve", 404),  # another OPD's unpublished release is not there for them
        ("pembina", "approve", 404),  # nor, unless it is Data Prioritas, for the pembina
        ("dinkes", "return", 403),
        ("dinkes", "submit", 409),
        ("dinkes", "withdraw", 403),
        ("pembina", "return", 404),  # not Data Prioritas
        ("pembina", "endorse", 404),
    ],
)
def test_refused_on_a_submitted_release(catalogue: Catalogue, actor: str, action: str, status: int) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    response = catalogue.act(getattr(catalogue, actor), release["id"], action, "catatan")
    assert response.status_code == status, response.text
    assert _state(catalogue, release["id"]) == "submitted"


def test_return_and_withdraw_need_a_note(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    catalogue.act(catalogue.dinkes, release["id"], "submit")
    response = catalogue.act(catalogue.walidata, release["id"], "return", "   ")
    assert response.status_code == 422 and response.json()["error"]["code"] == "note_required"
    catalogue.act(catalogue.walidata, release["id"], "approve")
    response = catalogue.act(catalogue.walidata, release["id"], "withdraw")
    assert response.status_code == 422
    assert _state(catalogue, release["id"]) == "published"


def test_anonymous_cannot_act_and_cannot_see_drafts(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    response = catalogue.client.post(f"/api/v1/releases/{release['id']}/submit")
    assert response.status_code == 401
    assert catalogue.client.get(f"/api/v1/releases/{release['id']}").status_code == 404
    other_producer = catalogue.client.get(f"/api/v1/releases/{release['id']}", headers=catalogue.disdukcapil.headers)
    assert other_producer.status_code == 404


def test_priority_data_needs_the_pembina_before_publication(catalogue: Catalogue) -> None:
    made = catalogue.client.patch(  # Data Prioritas is the walidata's (or the pembina's) decision
        "/api/v1/datasets/dinkes-puskesmas", headers=catalogue.walidata.headers, json={"is_priority": True}
    )
    assert made.status_code == 200
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    catalogue.act(catalogue.dinkes, release["id"], "submit")
    refused = catalogue.act(catalogue.walidata, release["id"], "approve")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "pembina_review_required"
    queue = catalogue.client.get("/api/v1/review-queue", headers=catalogue.pembina.headers).json()
    assert [r["id"] for r in queue] == [release["id"]]
    assert catalogue.act(catalogue.pembina, release["id"], "endorse").json()["endorsed_by"] == "bps"
    assert catalogue.act(catalogue.walidata, release["id"], "approve").json()["state"] == "published"


def test_current_version_is_the_newest_published_release(catalogue: Catalogue) -> None:
    first = catalogue.publish("dinkes-puskesmas")
    second = catalogue.publish("dinkes-puskesmas", b"a,b\n1,2\n")
    assert catalogue.client.get("/api/v1/datasets/dinkes-puskesmas").json()["current_release"] == 2
    catalogue.act(catalogue.walidata, second["id"], "withdraw", "salah unggah")
    assert catalogue.client.get("/api/v1/datasets/dinkes-puskesmas").json()["current_release"] == 1
    # The withdrawn release's data stays downloadable by its release URL.
    withdrawn = catalogue.client.get(f"/api/v1/releases/{second['id']}").json()
    assert catalogue.client.get(withdrawn["resources"][0]["download_url"]).content == b"a,b\n1,2\n"
    catalogue.act(catalogue.walidata, first["id"], "withdraw", "diganti")
    assert catalogue.client.get("/api/v1/datasets/dinkes-puskesmas").status_code == 404
    assert catalogue.client.get("/api/v1/datasets").json()["total"] == 0


def test_every_change_is_in_the_activity_log(catalogue: Catalogue, session: Session) -> None:
    release = catalogue.publish("dinkes-puskesmas")
    log = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/activity", headers=catalogue.dinkes.headers).json()
    actions = [entry["action"] for entry in log["items"]]
    assert actions[:3] == ["release.approve", "release.submit", "release.create"]
    assert log["items"][0]["actor"] == "walidata"
    assert log["items"][0]["detail"] == {"number": 1, "from": "submitted", "to": "published", "note": None}
    entry = session.exec(select(Activity).where(Activity.object_id == release["id"])).first()
    assert entry is not None
    entry.action = "tampered"
    session.add(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        session.commit()


def test_refused_transition_leaves_no_trace(catalogue: Catalogue, session: Session) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    before = len(session.exec(select(Activity)).all())
    assert catalogue.act(catalogue.walidata, release["id"], "approve").status_code == 409
    session.expire_all()
    assert len(session.exec(select(Activity)).all()) == before
    stored = session.get(Release, release["id"])
    assert stored is not None and stored.metadata_snapshot["title"] == "Daftar Puskesmas Kota Pontianak"
    assert session.exec(select(Dataset)).first() is not None
