"""A published release never changes, through any endpoint."""

from tests.catalog.conftest import Catalogue


def test_published_release_cannot_be_modified(catalogue: Catalogue) -> None:
    release = catalogue.publish("dinkes-puskesmas")
    before = catalogue.client.get(f"/api/v1/releases/{release['id']}").json()
    rid, res_id = release["id"], release["resources"][0]["id"]
    headers = catalogue.dinkes.headers
    attempts = [
        catalogue.client.patch(f"/api/v1/releases/{rid}", json={"notes": "ubah"}, headers=headers),
        catalogue.client.post(
            f"/api/v1/releases/{rid}/resources", headers=headers, files=[("file", ("b.csv", b"a\n1\n", "text/csv"))]
        ),
        catalogue.client.delete(f"/api/v1/releases/{rid}/resources/{res_id}", headers=headers),
        catalogue.client.patch(f"/api/v1/releases/{rid}", json={"notes": "ubah"}, headers=catalogue.admin.headers),
        catalogue.act(catalogue.dinkes, rid, "submit"),
        catalogue.act(catalogue.walidata, rid, "approve"),
        catalogue.act(catalogue.walidata, rid, "return", "x"),
        catalogue.act(catalogue.dinkes, rid, "reopen"),
    ]
    for response in attempts:
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] in ("release_immutable", "invalid_transition")
    # Editing the dataset's metadata leaves the published snapshot alone.
    catalogue.client.patch("/api/v1/datasets/dinkes-puskesmas", json={"title": "Judul Baru"}, headers=headers)
    after = catalogue.client.get(f"/api/v1/releases/{rid}").json()
    assert after == before
    assert after["metadata_snapshot"]["title"] == "Daftar Puskesmas Kota Pontianak"


def test_corrections_are_new_releases(catalogue: Catalogue) -> None:
    first = catalogue.publish("dinkes-puskesmas")
    second = catalogue.publish("dinkes-puskesmas", b"kolom\nbaru\n")
    assert (first["number"], second["number"]) == (1, 2)
    history = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/releases").json()
    assert [r["number"] for r in history] == [2, 1]
    assert catalogue.client.get(history[1]["resources"][0]["download_url"]).status_code == 200


def test_draft_can_be_edited_by_its_producer(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    rid = release["id"]
    added = catalogue.client.post(
        f"/api/v1/releases/{rid}/resources",
        headers=catalogue.dinkes.headers,
        files=[("file", ("tambahan.csv", b"a,b\n1,2\n", "text/csv"))],
    )
    assert added.status_code == 201
    patched = catalogue.client.patch(
        f"/api/v1/releases/{rid}", json={"notes": "Semester I"}, headers=catalogue.dinkes.headers
    )
    assert patched.json()["notes"] == "Semester I" and len(patched.json()["resources"]) == 2
    foreign = catalogue.client.patch(
        f"/api/v1/releases/{rid}", json={"notes": "x"}, headers=catalogue.disdukcapil.headers
    )
    assert foreign.status_code == 404  # another OPD's draft is not there for them
    removed = catalogue.client.delete(
        f"/api/v1/releases/{rid}/resources/{added.json()['id']}", headers=catalogue.dinkes.headers
    )
    assert removed.status_code == 204
    assert (
        len(catalogue.client.get(f"/api/v1/releases/{rid}", headers=catalogue.dinkes.headers).json()["resources"]) == 1
    )


def test_submit_needs_resources(catalogue: Catalogue) -> None:
    response = catalogue.client.post(
        "/api/v1/datasets/dinkes-puskesmas/releases", headers=catalogue.dinkes.headers, data={"notes": "kosong"}
    )
    assert response.status_code == 201
    refused = catalogue.act(catalogue.dinkes, response.json()["id"], "submit")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "empty_release"
