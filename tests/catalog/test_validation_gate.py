"""A release with validation errors cannot be submitted; the walidata publishes it only with a justification."""

import json
from typing import Any

from tests.catalog.conftest import Catalogue

STRICT = {
    "fields": [
        {"name": "kode_kecamatan", "type": "string", "constraints": {"pattern": "61\\.71\\.0[1-6]"}},
        {"name": "kecamatan", "type": "string", "constraints": {"required": True}},
        {"name": "laki_laki", "type": "integer", "constraints": {"maximum": 50000}},
        {"name": "perempuan", "type": "integer"},
    ]
}


def test_invalid_release_is_blocked_then_published_with_justification(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.disdukcapil, "disdukcapil-penduduk", schema=json.dumps(STRICT))
    assert release["resources"][0]["validation_valid"] is False
    report = catalogue.client.get(
        f"/api/v1/releases/{release['id']}/validation", headers=catalogue.walidata.headers
    ).json()
    summary = report["resources"][0]["summary"]
    assert report["valid"] is False and summary["counts"] == {"constraint-error": 2}
    assert {e["rowNumber"] for e in summary["first"]["constraint-error"]} == {3, 4}

    refused = catalogue.act(catalogue.disdukcapil, release["id"], "submit")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "validation_failed"
    no_reason = catalogue.act(catalogue.walidata, release["id"], "approve")
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "justification_required"

    why = "Angka dari SIAK; selisih dicek bersama Disdukcapil"
    published = catalogue.act(catalogue.walidata, release["id"], "approve", why)
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert published.json()["approval_justification"] == why
    log = catalogue.client.get("/api/v1/datasets/disdukcapil-penduduk/activity").json()["items"]
    assert log[0]["action"] == "release.approve" and log[0]["detail"]["note"] == why

    full = catalogue.client.get(report["resources"][0]["report_url"])
    assert full.status_code == 200
    errors = [e for task in full.json()["tasks"] for e in task["errors"]]
    assert sorted((e["type"], e["rowNumber"], e["fieldName"]) for e in errors) == [
        ("constraint-error", 3, "laki_laki"),
        ("constraint-error", 4, "laki_laki"),
    ]


def test_valid_release_passes_the_gate(catalogue: Catalogue) -> None:
    relaxed = {
        **STRICT,
        "fields": [
            *STRICT["fields"][:2],
            {"name": "laki_laki", "type": "integer"},
            {"name": "perempuan", "type": "integer"},
        ],
    }
    release = catalogue.upload(catalogue.disdukcapil, "disdukcapil-penduduk", schema=json.dumps(relaxed))
    assert release["resources"][0]["validation_valid"] is True
    assert catalogue.act(catalogue.disdukcapil, release["id"], "submit").status_code == 200
    approved = catalogue.act(catalogue.walidata, release["id"], "approve")
    assert approved.json()["approval_justification"] is None


def test_unknown_schema_is_refused_and_stores_nothing(catalogue: Catalogue) -> None:
    response = catalogue.client.post(
        "/api/v1/datasets/disdukcapil-penduduk/releases",
        headers=catalogue.disdukcapil.headers,
        files=[("files", ("p.csv", b"a\n1\n", "text/csv"))],
        data={"schema": "tidak-ada/9.9"},
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_schema"
    broken = catalogue.client.post(
        "/api/v1/datasets/disdukcapil-penduduk/releases",
        headers=catalogue.disdukcapil.headers,
        files=[("files", ("p.csv", b"a\n1\n", "text/csv"))],
        data={"schema": "{not json"},
    )
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_schema"
    unusable = catalogue.client.post(
        "/api/v1/datasets/disdukcapil-penduduk/releases",
        headers=catalogue.disdukcapil.headers,
        files=[("files", ("p.csv", b"a\n1\n", "text/csv"))],
        data={"schema": json.dumps({"fields": [{"name": "a", "constraints": {"pattern": "(["}}]})},
    )
    assert unusable.status_code == 422 and unusable.json()["error"]["code"] == "unknown_schema"
    assert "pattern '([' is not a regular expression" in unusable.json()["error"]["message"]
    assert (
        catalogue.client.get(
            "/api/v1/datasets/disdukcapil-penduduk/releases", headers=catalogue.disdukcapil.headers
        ).json()
        == []
    )


def test_registry_schema_checks_codes_against_the_region_table(catalogue: Catalogue) -> None:
    header = "tahun;semester;kode_kecamatan;kecamatan;laki_laki;perempuan;jumlah;kepala_keluarga\n"
    good = header + "2024;1;61.71.02;Pontianak Timur;50320;49875;100195;30110\n"
    release = catalogue.upload(
        catalogue.disdukcapil,
        "disdukcapil-penduduk",
        good.encode("cp1252"),
        name="penduduk.csv",
        schema="penduduk-kecamatan",
    )
    assert release["resources"][0]["validation_valid"] is True
    assert release["resources"][0]["schema_ref"] == "penduduk-kecamatan"

    bad = header + "2024;1;61.71.07;Pontianak Timur;50320;49875;100195;\n2024;3;61.71.01;Pontianak Selatan;1;2;3;\n"
    invalid = catalogue.upload(
        catalogue.disdukcapil,
        "disdukcapil-penduduk",
        bad.encode(),
        name="penduduk.csv",
        schema="penduduk-kecamatan/1.0",
    )
    summary = catalogue.client.get(
        f"/api/v1/releases/{invalid['id']}/validation", headers=catalogue.disdukcapil.headers
    ).json()["resources"][0]["summary"]
    found = {(e["type"], e["rowNumber"], e.get("fieldName")) for errors in summary["first"].values() for e in errors}
    assert ("constraint-error", 2, "kode_kecamatan") in found  # 61.71.07 is not a kecamatan of Pontianak
    assert ("constraint-error", 3, "semester") in found
    assert catalogue.act(catalogue.disdukcapil, invalid["id"], "submit").json()["error"]["code"] == "validation_failed"


def _response_schema(openapi: dict[str, Any], path: str) -> dict[str, Any]:
    ref = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return dict(openapi["components"]["schemas"][ref.rsplit("/", 1)[1]])


def test_openapi_describes_validation_and_quality_responses(catalogue: Catalogue) -> None:
    openapi = catalogue.client.get("/openapi.json").json()
    components = openapi["components"]["schemas"]
    validation = _response_schema(openapi, "/api/v1/releases/{release_id}/validation")
    assert set(validation["properties"]) == {"release_id", "valid", "approval_justification", "resources"}
    resource = components["ResourceValidation"]["properties"]
    assert {"resource_id", "name", "schema", "valid", "summary", "report_url"} == set(resource)
    error = components["ReportError"]
    assert {"type", "message", "rowNumber", "fieldName", "cells"} <= set(error["properties"])
    assert {"type", "message", "note"} <= set(error["required"]) and "rowNumber" not in error["required"]
    quality = _response_schema(openapi, "/api/v1/datasets/{slug}/quality")
    assert set(quality["properties"]) == {"dataset", "score", "breakdown"}
    assert set(components["QualityBreakdown"]["properties"]) == {
        "valid_data",
        "metadata",
        "timeliness",
        "open_license",
        "open_format",
    }
