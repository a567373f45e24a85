"""The query API over a published table: every filter, sort, aggregate and output shape."""

import json
from typing import Any

import pytest

from tests.datastore.conftest import Published


def rows(published: Published, **params: Any) -> list[dict[str, Any]]:
    response = published.get(f"/api/v1/datastore/{published.resource_id}", **params)
    assert response.status_code == 200, response.text
    return list(response.json()["records"])


def test_fields_have_types_and_the_schema_descriptions(published: Published) -> None:
    body = published.get(f"/api/v1/datastore/{published.resource_id}", limit=0).json()
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["kasus"]["type"] == "integer" and fields["kasus"]["description"] == "Jumlah kasus DBD"
    assert fields["tanggal"]["sql_type"] == "DATE"
    assert fields["kode_kelurahan"]["title"] == "Kode Kelurahan"
    assert body["total"] == 12 and body["records"] == []


def test_equality_and_in_filters(published: Published) -> None:
    found = rows(published, filters=json.dumps({"kecamatan": "Pontianak Barat"}))
    assert [r["kelurahan"] for r in found] == ["Sungai Jawi Dalam", "Pal Lima"]
    found = rows(published, filters=json.dumps({"kasus": [3, "5", 7], "rawat_inap": False}))
    assert [r["kasus"] for r in found] == [3, 5]
    found = rows(published, filters=json.dumps({"insiden": None}))
    assert [r["kelurahan"] for r in found] == ["Siantan Hulu"]


def test_ranges_on_numbers_and_dates(published: Published) -> None:
    found = rows(published, ranges=json.dumps({"kasus": {"gte": 10}, "tanggal": {"lt": "2024-07-01"}}))
    assert [r["kasus"] for r in found] == [12, 21, 14]
    found = rows(published, ranges=json.dumps({"insiden": {"gt": 1000, "lte": 1234.5}}))
    assert [r["insiden"] for r in found] == [1234.5, 1001.0]


def test_full_text_q_over_text_fields(published: Published) -> None:
    assert [r["kelurahan"] for r in rows(published, q="demam")] == ["Siantan Hulu", "Batu Layang"]
    assert [r["kelurahan"] for r in rows(published, q="DEMAM dengue")] == ["Batu Layang"]
    assert rows(published, q="tidak-ada-kata-ini") == []


def test_fields_sort_limit_offset_and_total(published: Published) -> None:
    body = published.get(
        f"/api/v1/datastore/{published.resource_id}", fields="kelurahan,kasus", sort="kasus desc", limit=3, offset=1
    ).json()
    assert body["records"] == [
        {"kelurahan": "Sungai Bangkong", "kasus": 18},
        {"kelurahan": "Batu Layang", "kasus": 14},
        {"kelurahan": "Benua Melayu Darat", "kasus": 12},
    ]
    assert body["total"] == 12
    by_two = rows(published, fields="kecamatan,kasus", sort="kecamatan,-kasus", limit=3)
    assert [(r["kecamatan"], r["kasus"]) for r in by_two] == [
        ("Pontianak Barat", 21),
        ("Pontianak Barat", 5),
        ("Pontianak Kota", 18),
    ]


def test_sort_puts_missing_values_last(published: Published) -> None:
    assert rows(published, sort="insiden desc", limit=12)[-1]["kelurahan"] == "Siantan Hulu"
    assert rows(published, sort="insiden", limit=12)[-1]["kelurahan"] == "Siantan Hulu"


def test_distinct(published: Published) -> None:
    body = published.get(f"/api/v1/datastore/{published.resource_id}", fields="kecamatan", distinct="true").json()
    assert body["total"] == 6
    assert [r["kecamatan"] for r in body["records"]][:2] == ["Pontianak Barat", "Pontianak Kota"]


def test_group_by_with_every_aggregate(published: Published) -> None:
    body = published.get(
        f"/api/v1/datastore/{published.resource_id}",
        group_by="kecamatan",
        aggregate="count,sum:kasus,avg:kasus,min:tanggal,max:insiden,count:insiden",
        sort="sum_kasus desc",
    ).json()
    first = body["records"][0]
    assert first == {
        "kecamatan": "Pontianak Barat",
        "count": 2,
        "sum_kasus": 26,
        "avg_kasus": 13.0,
        "min_tanggal": "2024-05-10",
        "max_insiden": 2001.75,
        "count_insiden": 2,
    }
    assert body["total"] == 6
    utara = next(r for r in body["records"] if r["kecamatan"] == "Pontianak Utara")
    assert utara["count_insiden"] == 1  # count of a field skips its missing values
    types = {f["name"]: f["type"] for f in body["fields"]}
    assert types["avg_kasus"] == "number" and types["sum_kasus"] == "integer" and types["min_tanggal"] == "date"


def test_aggregate_without_groups_and_with_filters(published: Published) -> None:
    found = rows(published, aggregate="sum:kasus,count", filters=json.dumps({"rawat_inap": True}))
    assert found == [{"sum_kasus": 87, "count": 7}]


def test_columnar_json(published: Published) -> None:
    body = published.get(
        f"/api/v1/datastore/{published.resource_id}", fields="kasus,rawat_inap", limit=2, shape="columns"
    ).json()
    assert body["columns"] == {"kasus": [12, 3], "rawat_inap": [True, False]}


def test_dataset_data_follows_the_current_release(published: Published) -> None:
    response = published.get("/api/v1/datasets/dinkes-puskesmas/data", filters=json.dumps({"kasus": 21}))
    assert response.status_code == 200
    assert response.json()["records"][0]["kelurahan"] == "Sungai Jawi Dalam"
    assert published.get("/api/v1/datasets/dinkes-puskesmas/data", resource="kasus-dbd-2024").status_code == 200
    assert published.get("/api/v1/datasets/dinkes-puskesmas/data", resource="other").status_code == 404
    assert published.get("/api/v1/datasets/no-such/data").status_code == 404


def test_table_list_gives_the_sql_names(published: Published) -> None:
    tables = published.get("/api/v1/datastore").json()["tables"]
    assert tables[0]["names"] == [
        str(published.resource_id),
        "dinkes-puskesmas@1/kasus-dbd-2024",
        "dinkes-puskesmas/kasus-dbd-2024",
        "dinkes-puskesmas",
    ]


def test_bad_requests_are_clear_400s(published: Published) -> None:
    path = f"/api/v1/datastore/{published.resource_id}"
    cases = [
        ({"filters": "{not json"}, "invalid_query"),
        ({"filters": "[1]"}, "invalid_query"),
        ({"filters": json.dumps({"nope": 1})}, "unknown_field"),
        ({"filters": json.dumps({"kasus": "banyak"})}, "invalid_query"),
        ({"ranges": json.dumps({"kasus": {"between": 1}})}, "invalid_query"),
        ({"sort": "nope desc"}, "invalid_query"),
        ({"fields": "kasus,nope"}, "unknown_field"),
        ({"aggregate": "median:kasus"}, "invalid_query"),
        ({"aggregate": "sum:kecamatan"}, "invalid_query"),
        ({"aggregate": "sum"}, "invalid_query"),
        ({"limit": 10_001}, "invalid_query"),
        ({"group_by": "nope"}, "unknown_field"),
    ]
    for params, code in cases:
        response = published.get(path, **params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"]["code"] == code, params
    assert published.get(path, limit=-1).status_code == 422
    assert published.get(path).status_code == 200


def test_portal_functions_preview_and_aggregate(published: Published) -> None:
    from sqlmodel import Session

    from catalog.datastore.query import aggregate, preview
    from catalog.datastore.tables import get_table
    from catalog.db import get_engine

    with Session(get_engine()) as session:
        table = get_table(session, resource_id=published.resource_id)
    first = preview(table, limit=2, sort="kasus desc")
    assert [row[5] for row in first.rows] == [21, 18] and first.total == 12
    chart = aggregate(table, group_by="kecamatan", function="sum", field_name="kasus")
    assert [c.name for c in chart.columns] == ["kecamatan", "sum_kasus"]
    assert dict(chart.rows)["Pontianak Timur"] == 7


def test_a_page_asked_again_is_kept_a_moment_and_a_large_one_is_not(
    published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.api import kept_answers
    from catalog.datastore import query

    runs = []
    real_run = query.run
    monkeypatch.setattr(query, "run", lambda *args: runs.append(1) or real_run(*args))
    path = f"/api/v1/datastore/{published.resource_id}"
    small = [published.get(path, limit=2, sort="kasus desc") for _ in range(3)]
    assert small[0].content == small[1].content == small[2].content and len(runs) == 1  # asked 3 times, queried once
    assert small[2].headers["content-type"] == "application/json"
    monkeypatch.setattr(kept_answers, "MAX_BODY", len(small[0].content))
    large = [published.get(path, limit=3).content for _ in range(2)]
    assert large[0] == large[1] and len(runs) == 3  # larger than what is kept: queried each time
