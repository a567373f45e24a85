"""CKAN's read actions through ckanapi's RemoteCKAN (POST and GET) and raw HTTP: results, envelope, errors."""

from typing import Any

import httpx
import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, SearchQueryError, ValidationError

from tests.interop.conftest import Published


def test_search_with_filters_facets_and_paging(published: Published, live_server: str) -> None:
    for get_only in (False, True):
        ckan = RemoteCKAN(live_server, get_only=get_only)
        result = ckan.action.package_search(
            q="puskesmas",
            fq="organization:dinkes tags:kesehatan",
            **{"facet.field": ["organization", "res_format"], "facet.limit": 10},
        )
        assert result["count"] == 1
        assert result["results"][0]["name"] == "dinkes-puskesmas"
        assert result["facets"]["organization"] == {"dinkes": 1}
        assert result["search_facets"]["organization"]["items"][0]["display_name"] == "Dinas Kesehatan"
        everything = ckan.action.package_search(rows=1, start=1, sort="name asc", **{"facet.field": ["groups"]})
        assert everything["count"] == 2
        assert [p["name"] for p in everything["results"]] == ["disdukcapil-penduduk"]
        assert everything["facets"]["groups"] == {"kependudukan": 1, "kesehatan": 1}
        assert ckan.action.package_search(fq="organization:diskominfo")["count"] == 0


def test_search_as_a_harvester_sends_it(published: Published, live_server: str) -> None:
    ckan = RemoteCKAN(live_server)
    listing = ckan.action.package_search(
        q="*:*", fq="metadata_modified:[2000-01-01T00:00:00Z TO *]", fl=["id", "metadata_modified"], sort="id asc"
    )
    assert [set(p) for p in listing["results"]] == [{"id", "metadata_modified"}] * 2
    assert [p["id"] for p in listing["results"]] == sorted((p["id"] for p in listing["results"]), key=int)
    assert ckan.action.package_search(fq="metadata_modified:[2999-01-01T00:00:00Z TO *]")["count"] == 0
    assert ckan.action.package_search(fq="-organization:dinkes +dataset_type:dataset")["count"] == 1
    assert ckan.action.package_search(fq='res_format:"CSV" license_id:cc0-1.0')["count"] == 1


def test_lists_and_shows(published: Published, live_server: str) -> None:
    ckan = RemoteCKAN(live_server)
    assert ckan.action.package_list() == ["dinkes-puskesmas", "disdukcapil-penduduk"]
    full = ckan.action.current_package_list_with_resources()
    assert {p["name"] for p in full} == {"dinkes-puskesmas", "disdukcapil-penduduk"}
    organizations = ckan.action.organization_list(all_fields=True, sort="package_count desc")
    assert [o["package_count"] for o in organizations] == [1, 1, 0]
    assert ckan.action.organization_list() == ["dinkes", "disdukcapil", "diskominfo"]
    dinkes = ckan.action.organization_show(id="dinkes", include_datasets=True)
    assert [p["name"] for p in dinkes["packages"]] == ["dinkes-puskesmas"]
    groups = ckan.action.group_list(all_fields=True)
    assert {g["name"]: g["package_count"] for g in groups}["kesehatan"] == 1
    assert ckan.action.group_show(id="kependudukan")["title"] == "Kependudukan"
    assert ckan.action.tag_list() == ["kesehatan", "penduduk", "puskesmas"]
    assert ckan.action.tag_list(query="pu") == ["puskesmas"]
    resource_id = published.penduduk_release["resources"][0]["id"]
    assert ckan.action.resource_show(id=str(resource_id))["name"] == "data.csv"
    assert {lic["id"] for lic in ckan.action.license_list()} >= {"cc-by-4.0", "cc0-1.0"}
    assert ckan.action.status_show()["site_url"] == "http://testserver"
    assert ckan.action.site_read() is True
    assert "q" in ckan.action.help_show(name="package_search")


def test_package_show_finds_by_name_then_number_and_shows_the_newest_published_release(
    published: Published, live_server: str
) -> None:
    catalogue, ckan = published.catalogue, RemoteCKAN(live_server)
    second = catalogue.publish("dinkes-puskesmas", b"nama,alamat\nPuskesmas Alianyang,Jl. Tabrani Ahmad\n")
    puskesmas = ckan.action.package_show(id="dinkes-puskesmas")
    assert puskesmas["version"] == str(second["number"]) == "2"
    assert [r["release"] for r in puskesmas["resources"]] == [2]
    assert [t["name"] for t in puskesmas["tags"]] == ["kesehatan", "puskesmas"]
    assert [g["name"] for g in puskesmas["groups"]] == ["kesehatan"]
    assert puskesmas["organization"]["name"] == "dinkes" and puskesmas["license_id"] == "cc-by-4.0"
    assert ckan.action.package_show(id=puskesmas["id"]) == puskesmas
    number_as_name = f"{int(puskesmas['id']):03d}"  # another dataset named like puskesmas's number
    created = catalogue.client.post(
        "/api/v1/datasets",
        headers=catalogue.disdukcapil.headers,
        json={"slug": number_as_name, "organization": "disdukcapil", "title": "Kelurahan per Kecamatan"},
    )
    assert created.status_code == 201, created.text
    catalogue.publish(number_as_name)
    assert ckan.action.package_show(id=number_as_name)["name"] == number_as_name  # the name wins
    assert ckan.action.package_show(id=str(int(number_as_name)))["name"] == "dinkes-puskesmas"
    penduduk = ckan.action.package_show(id="disdukcapil-penduduk")  # its release 2 still waits for review
    assert penduduk["version"] == "1" and [r["name"] for r in penduduk["resources"]] == ["data.csv"]
    assert (penduduk["license_id"], penduduk["license_title"]) == ("cc0-1.0", "CC0 1.0 Universal")


def test_unpublished_things_are_not_found(published: Published, live_server: str) -> None:
    ckan = RemoteCKAN(live_server)
    with pytest.raises(NotFound):
        ckan.action.package_show(id="dinkes-draf-rahasia")
    with pytest.raises(NotFound):
        ckan.action.resource_show(id=str(published.pending_release["resources"][0]["id"]))
    with pytest.raises(NotFound):
        ckan.action.organization_show(id="tidak-ada")
    assert "dinkes-draf-rahasia" not in ckan.action.package_list()
    assert ckan.action.package_search(q="rahasia")["count"] == 0


def test_bad_requests_get_ckan_errors(published: Published, live_server: str) -> None:
    ckan = RemoteCKAN(live_server)
    with pytest.raises(ValidationError) as invalid:
        ckan.action.package_search(rows=1001)
    assert "rows" in invalid.value.error_dict
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(fq="warna:merah")
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(sort="warna asc")
    with pytest.raises(NotAuthorized):
        RemoteCKAN(live_server, apikey="bukan-token").action.package_list()


def raw(live_server: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    response = httpx.request(kwargs.pop("method", "GET"), f"{live_server}{path}", **kwargs)
    return response.status_code, response.json()


def test_envelope_status_codes_and_both_addresses(published: Published, live_server: str) -> None:
    status, body = raw(live_server, "/api/3/action/package_show?id=dinkes-puskesmas")
    assert status == 200 and body["success"] is True and body["help"].endswith("help_show?name=package_show")
    assert raw(live_server, "/api/action/package_show?id=dinkes-puskesmas")[1]["result"] == body["result"]
    status, body = raw(live_server, "/api/3/action/package_show?id=tidak-ada")
    assert status == 404 and body["success"] is False and body["error"]["__type"] == "Not Found Error"
    status, body = raw(live_server, "/api/3/action/package_show")
    assert status == 409 and body["error"]["__type"] == "Validation Error" and body["error"]["id"] == ["Missing value"]
    status, body = raw(live_server, "/api/3/action/no_such_action")
    assert status == 400 and "Action name not known" in body["error"]["message"]
    status, body = raw(live_server, "/api/3/action/package_search", method="POST", content=b"{not json")
    assert status == 400 and body["success"] is False
    status, body = raw(live_server, "/api/3/action/package_search", method="POST", json={"q": "puskesmas"})
    assert status == 200 and body["result"]["count"] == 1
    status, body = raw(live_server, '/api/3/action/package_search?facet.field=["tags"]&facet.limit=1')
    assert body["result"]["facets"]["tags"] == {"kesehatan": 1}
    assert raw(live_server, "/api/3")[1] == {"version": 3}


def test_reads_posted_by_ckan_clients_are_not_counted_as_writes(published: Published) -> None:
    from fastapi.testclient import TestClient

    from catalog import settings
    from catalog.app import create_app

    settings.get_settings().rate_limit_writes_per_minute = 2
    with TestClient(create_app()) as client:
        for _ in range(5):
            assert client.post("/api/3/action/package_show", json={"id": "dinkes-puskesmas"}).status_code == 200
        statuses = [
            client.post("/api/action/package_patch", json={"id": "dinkes-puskesmas"}).status_code for _ in range(3)
        ]
    assert statuses == [403, 403, 429]
