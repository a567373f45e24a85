"""What each caller may see of unpublished work: listings, the activity log, caches, the pembina's scope,
and four eyes on publication (catalog/permissions.py)."""

from typing import Any

import pytest

from tests.catalog.conftest import Catalogue


def _slugs(catalogue: Catalogue, headers: dict[str, str], **params: Any) -> list[str]:
    response = catalogue.client.get("/api/v1/datasets", params={"include_unpublished": True, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(d["slug"] for d in response.json()["items"])


def test_unpublished_listings_show_only_what_the_caller_may_see(catalogue: Catalogue) -> None:
    anonymous = catalogue.client.get("/api/v1/datasets", params={"include_unpublished": True})
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "token_required"
    everything = ["dinkes-puskesmas", "disdukcapil-penduduk"]
    assert _slugs(catalogue, catalogue.walidata.headers) == everything
    assert _slugs(catalogue, catalogue.dinkes.headers) == ["dinkes-puskesmas"]
    assert _slugs(catalogue, catalogue.dinkes.headers, organization="disdukcapil") == []
    assert _slugs(catalogue, catalogue.pembina.headers) == []  # no Data Prioritas yet
    catalogue.publish("disdukcapil-penduduk")
    assert _slugs(catalogue, catalogue.dinkes.headers) == everything  # published ones are everyone's


def test_the_public_activity_log_shows_published_events_only(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas", name="rahasia-draf.csv")
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    assert catalogue.act(catalogue.walidata, release["id"], "return", "Kolom kecamatan salah").status_code == 200
    assert catalogue.act(catalogue.dinkes, release["id"], "reopen").status_code == 200
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    assert catalogue.act(catalogue.walidata, release["id"], "approve").status_code == 200

    def log(headers: dict[str, str]) -> list[str]:
        response = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/activity", headers=headers)
        assert response.status_code == 200
        return [entry["action"] for entry in response.json()["items"]]

    assert log({}) == ["release.approve"]
    assert log(catalogue.disdukcapil.headers) == ["release.approve"]
    body = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/activity").text
    assert "rahasia-draf" not in body and "Kolom kecamatan" not in body
    full = log(catalogue.dinkes.headers)
    assert full == log(catalogue.walidata.headers)
    assert {"release.create", "release.return", "release.reopen", "dataset.create"} <= set(full)


def test_drafts_are_never_cached_by_shared_caches(catalogue: Catalogue) -> None:
    draft = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    url = draft["resources"][0]["download_url"].removeprefix("http://testserver")
    private = catalogue.client.get(url, headers=catalogue.dinkes.headers)
    assert private.status_code == 200 and private.headers["cache-control"] == "private, no-store"
    report = catalogue.client.get(url.replace("/download", "/report"), headers=catalogue.dinkes.headers)
    assert report.headers["cache-control"] == "private, no-store"
    published = catalogue.publish("disdukcapil-penduduk")
    public_url = published["resources"][0]["download_url"].removeprefix("http://testserver")
    public = catalogue.client.get(public_url)
    assert public.headers["cache-control"] == "public, max-age=31536000, immutable"
    withdrawn = catalogue.act(catalogue.walidata, published["id"], "withdraw", "Data ganda")
    assert withdrawn.status_code == 200
    assert catalogue.client.get(public_url).headers["cache-control"] == "private, no-store"


def test_another_opds_draft_answers_404_like_an_unknown_id(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    for action in ("approve", "submit", "withdraw"):
        outsider = catalogue.act(catalogue.disdukcapil, release["id"], action, "catatan")
        unknown = catalogue.act(catalogue.disdukcapil, 999_999, action, "catatan")
        assert outsider.status_code == unknown.status_code == 404
        assert outsider.json()["error"]["code"] == unknown.json()["error"]["code"] == "release_not_found"
    patched = catalogue.client.patch(
        f"/api/v1/releases/{release['id']}", json={"notes": "x"}, headers=catalogue.disdukcapil.headers
    )
    assert patched.status_code == 404


def test_the_pembina_sees_drafts_of_priority_data_only(catalogue: Catalogue) -> None:
    ordinary = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    assert (
        catalogue.client.get(f"/api/v1/releases/{ordinary['id']}", headers=catalogue.pembina.headers).status_code == 404
    )
    assert (
        catalogue.client.get("/api/v1/datasets/dinkes-puskesmas", headers=catalogue.pembina.headers).status_code == 404
    )
    made = catalogue.client.patch(
        "/api/v1/datasets/disdukcapil-penduduk", json={"is_priority": True}, headers=catalogue.walidata.headers
    )
    assert made.status_code == 200
    priority = catalogue.upload(catalogue.disdukcapil, "disdukcapil-penduduk")
    seen = catalogue.client.get(f"/api/v1/releases/{priority['id']}", headers=catalogue.pembina.headers)
    assert seen.status_code == 200


@pytest.mark.parametrize("reviewer", ["admin", "walidata"])
def test_nobody_approves_a_release_they_created_or_submitted(catalogue: Catalogue, reviewer: str) -> None:
    account = getattr(catalogue, reviewer)
    if reviewer == "admin":  # the admin acts for every OPD: it can create and submit, but not then approve
        release = catalogue.upload(account, "dinkes-puskesmas")
        assert catalogue.act(account, release["id"], "submit").status_code == 200
    else:  # the walidata cannot submit; a release with errors goes from draft to approval, created by the producer
        release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
        assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
        release = {"id": release["id"]}
    response = catalogue.act(account, release["id"], "approve", "ok")
    if reviewer == "admin":
        assert response.status_code == 403 and response.json()["error"]["code"] == "own_release"
        assert catalogue.act(catalogue.walidata, release["id"], "approve").status_code == 200
    else:
        assert response.status_code == 200
