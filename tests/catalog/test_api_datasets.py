"""Listing, filtering, paging and editing datasets through /api/v1."""

from tests.catalog.conftest import Catalogue
from tests.conftest import Account


def test_lists_only_published_datasets_with_total_and_paging(catalogue: Catalogue) -> None:
    assert catalogue.client.get("/api/v1/datasets").json()["total"] == 0
    catalogue.publish("dinkes-puskesmas")
    catalogue.publish("disdukcapil-penduduk")
    page = catalogue.client.get("/api/v1/datasets", params={"per_page": 1, "sort": "title"}).json()
    assert page["total"] == 2 and page["per_page"] == 1
    assert [d["slug"] for d in page["items"]] == ["dinkes-puskesmas"]
    second = catalogue.client.get("/api/v1/datasets", params={"per_page": 1, "page": 2, "sort": "title"}).json()
    assert [d["slug"] for d in second["items"]] == ["disdukcapil-penduduk"]
    desc = catalogue.client.get("/api/v1/datasets", params={"sort": "-title"}).json()
    assert [d["slug"] for d in desc["items"]] == ["disdukcapil-penduduk", "dinkes-puskesmas"]


def test_filters(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    catalogue.publish("disdukcapil-penduduk")

    def slugs(**params: str) -> list[str]:
        response = catalogue.client.get("/api/v1/datasets", params=params)
        assert response.status_code == 200, response.text
        return sorted(d["slug"] for d in response.json()["items"])

    assert slugs(organization="dinkes") == ["dinkes-puskesmas"]
    assert slugs(tag="puskesmas") == ["dinkes-puskesmas"]
    assert slugs(theme="kependudukan") == ["disdukcapil-penduduk"]
    assert slugs(license="cc0-1.0") == ["disdukcapil-penduduk"]
    assert slugs(format="csv") == ["dinkes-puskesmas", "disdukcapil-penduduk"]
    assert slugs(format="xlsx") == []
    assert slugs(organization="nowhere") == []


def test_staff_can_list_unpublished(catalogue: Catalogue) -> None:
    response = catalogue.client.get("/api/v1/datasets", params={"include_unpublished": True})
    assert response.status_code == 401
    listed = catalogue.client.get(
        "/api/v1/datasets", params={"include_unpublished": True}, headers=catalogue.walidata.headers
    ).json()
    assert listed["total"] == 2 and listed["items"][0]["current_release"] is None


def test_create_and_update_dataset(catalogue: Catalogue) -> None:
    body = {
        "slug": "dinkes-posyandu",
        "organization": "dinkes",
        "title": "Daftar Posyandu",
        "description": "Posyandu aktif per kelurahan.",
        "update_frequency": "tahunan",
        "spatial_coverage": ["61.71.01", "61.71.02.1001"],
        "tags": ["Posyandu", "balita"],
        "themes": ["kesehatan"],
        "extras": {"Cara Pengumpulan Data": "Laporan puskesmas"},
    }
    created = catalogue.client.post("/api/v1/datasets", json=body, headers=catalogue.dinkes.headers)
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["balita", "posyandu"] and created.json()["license_id"] == "cc-by-4.0"
    updated = catalogue.client.patch(
        "/api/v1/datasets/dinkes-posyandu",
        json={"title": "Daftar Posyandu Aktif", "tags": ["posyandu"]},
        headers=catalogue.dinkes.headers,
    )
    assert updated.status_code == 200
    assert updated.json()["title"] == "Daftar Posyandu Aktif" and updated.json()["tags"] == ["posyandu"]


def test_create_dataset_refusals(catalogue: Catalogue) -> None:
    base = {"slug": "dinkes-rsud", "organization": "dinkes", "title": "Daftar RSUD"}
    post = catalogue.client.post
    assert post("/api/v1/datasets", json=base).status_code == 401
    assert post("/api/v1/datasets", json=base, headers={"Authorization": "Bearer tbk_wrong"}).json() == {
        "error": {"code": "invalid_token", "message": "the API token is not valid"}
    }
    assert post("/api/v1/datasets", json=base, headers=catalogue.disdukcapil.headers).status_code == 403
    unknown_org = post("/api/v1/datasets", json={**base, "organization": "dinas-x"}, headers=catalogue.admin.headers)
    assert unknown_org.status_code == 404 and unknown_org.json()["error"]["code"] == "organization_not_found"
    duplicate = post("/api/v1/datasets", json={**base, "slug": "dinkes-puskesmas"}, headers=catalogue.dinkes.headers)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "duplicate_slug"
    bad_region = post("/api/v1/datasets", json={**base, "spatial_coverage": ["6171"]}, headers=catalogue.dinkes.headers)
    assert bad_region.status_code == 422 and "Kemendagri" in bad_region.json()["error"]["message"]
    bad_freq = post("/api/v1/datasets", json={**base, "update_frequency": "kadang"}, headers=catalogue.dinkes.headers)
    assert bad_freq.status_code == 422
    bad_license = post("/api/v1/datasets", json={**base, "license_id": "wtfpl"}, headers=catalogue.dinkes.headers)
    assert bad_license.status_code == 422 and bad_license.json()["error"]["code"] == "unknown_license"
    for bad in ("Dinkes RSUD", "dinkes_rsud", "-rsud"):
        bad_slug = post("/api/v1/datasets", json={**base, "slug": bad}, headers=catalogue.dinkes.headers)
        assert bad_slug.status_code == 422 and "slug" in bad_slug.json()["error"]["message"]
    assert catalogue.client.get("/api/v1/datasets/dinkes-rsud", headers=catalogue.admin.headers).status_code == 404


def test_non_utf8_metadata_is_a_clear_400(catalogue: Catalogue) -> None:
    raw = b'{"slug": "dinkes-rsud", "organization": "dinkes", "title": "Rumah Sakit \xe9"}'
    response = catalogue.client.post(
        "/api/v1/datasets",
        content=raw,
        headers={**catalogue.dinkes.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unreadable_body"
    assert "UTF-8" in response.json()["error"]["message"]
    assert catalogue.client.get("/api/v1/datasets/dinkes-rsud", headers=catalogue.admin.headers).status_code == 404


def test_organizations_and_reference_lists(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    orgs = {o["slug"]: o for o in catalogue.client.get("/api/v1/organizations").json()}
    assert orgs["dinkes"]["abbreviation"] == "Dinkes" and orgs["dinkes"]["dataset_count"] == 1
    assert catalogue.client.get("/api/v1/organizations/dinkes").json()["name"] == "Dinas Kesehatan"
    assert catalogue.client.get("/api/v1/organizations/x").status_code == 404
    new = {"slug": "bpbd", "name": "Badan Penanggulangan Bencana Daerah", "abbreviation": "BPBD", "kind": "badan"}

    def create_as(account: Account) -> int:
        return catalogue.client.post("/api/v1/organizations", json=new, headers=account.headers).status_code

    assert [create_as(catalogue.walidata), create_as(catalogue.admin), create_as(catalogue.admin)] == [403, 201, 409]
    licenses = {lic["id"] for lic in catalogue.client.get("/api/v1/licenses").json()}
    assert {"cc-by-4.0", "cc0-1.0", "odbl-1.0", "cc-by-sa-4.0", "notspecified"} <= licenses
    assert "semesteran" in catalogue.client.get("/api/v1/frequencies").json()
    assert catalogue.client.get("/api/v1/me", headers=catalogue.dinkes.headers).json()["organization"] == "dinkes"


def test_errors_are_json_never_a_trace(catalogue: Catalogue) -> None:
    missing = catalogue.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad_page = catalogue.client.get("/api/v1/datasets", params={"page": 0})
    assert bad_page.status_code == 422 and bad_page.json()["error"]["code"] == "invalid_request"
    wrong_method = catalogue.client.delete("/api/v1/datasets")
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()


def test_every_route_is_documented(catalogue: Catalogue) -> None:
    spec = catalogue.client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), f"{method} {path} has no docstring"
    assert catalogue.client.get("/docs").status_code == 200


def test_values_the_database_refuses_are_422(catalogue: Catalogue, database_url: str) -> None:
    response = catalogue.client.get("/api/v1/datasets", params={"tag": "a\x00b"})
    if database_url.startswith("postgresql"):  # PostgreSQL refuses NUL in text; SQLite just finds nothing
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_value"
    else:
        assert response.status_code == 200 and response.json()["total"] == 0
