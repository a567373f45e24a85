"""Read-only SQL: published tables by their names; every escape refused with a clear status, the service still up."""

from typing import Any

import pytest

from catalog import settings
from tests.datastore.conftest import SLUG, Published


def sql(published: Published, query: str, method: str = "GET") -> Any:
    client = published.catalogue.client
    if method == "POST":
        return client.post("/api/v1/datastore/sql", json={"sql": query})
    return client.get("/api/v1/datastore/sql", params={"sql": query})


def still_answering(published: Published) -> None:
    response = sql(published, f'SELECT count(*) AS n FROM "{published.resource_id}"')
    assert response.status_code == 200 and response.json()["records"] == [{"n": 12}]


def test_tables_by_resource_id_and_by_alias(published: Published) -> None:
    by_id = sql(
        published,
        f'SELECT kecamatan, sum(kasus) AS kasus FROM "{published.resource_id}" GROUP BY 1 ORDER BY 2 DESC LIMIT 1',
    )
    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["records"] == [{"kecamatan": "Pontianak Barat", "kasus": 26}]
    assert by_id.json()["truncated"] is False
    for name in (SLUG, f"{SLUG}/kasus-dbd-2024", f"{SLUG}@1/kasus-dbd-2024"):
        response = sql(published, f"SELECT count(*) AS n FROM \"{name}\" WHERE tanggal >= DATE '2024-07-01'", "POST")
        assert response.status_code == 200, response.text
        assert response.json()["records"] == [{"n": 4}]


def test_typed_values_and_field_types(published: Published) -> None:
    body = sql(
        published,
        f'WITH t AS (SELECT * FROM "{published.resource_id}") SELECT tanggal, insiden, rawat_inap FROM t LIMIT 1',
    ).json()
    assert body["records"] == [{"tanggal": "2024-01-31", "insiden": 1234.5, "rawat_inap": True}]
    assert [f["type"] for f in body["fields"]] == ["date", "number", "boolean"]


def test_row_cap_truncates(published: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBUKA_DATASTORE_SQL_ROW_CAP", "5")
    settings.get_settings.cache_clear()
    body = sql(published, f'SELECT * FROM "{published.resource_id}"').json()
    assert body["rows"] == 5 and body["truncated"] is True


ESCAPES = [
    ('DELETE FROM "{id}"', "sql_not_allowed"),
    ('UPDATE "{id}" SET kasus = 0', "sql_not_allowed"),
    ("CREATE TABLE x AS SELECT 1", "sql_not_allowed"),
    ('DROP VIEW "{id}"', "sql_not_allowed"),
    ("ATTACH '/tmp/x.db' AS x", "sql_not_allowed"),
    ("COPY (SELECT * FROM \"{id}\") TO '/tmp/terbuka-leak.csv'", "sql_not_allowed"),
    ("SELECT * FROM read_csv('/etc/passwd')", "sql_not_allowed"),
    ("SELECT * FROM '/etc/passwd'", "sql_unknown_table"),
    ("SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')", "sql_not_allowed"),
    ("INSTALL httpfs", "sql_not_allowed"),
    ("LOAD httpfs", "sql_not_allowed"),
    ("SET memory_limit = '64GB'", "sql_not_allowed"),
    ("SET enable_external_access = true", "sql_not_allowed"),
    ("PRAGMA database_list", "sql_not_allowed"),
    ("SELECT * FROM pragma_database_list()", "sql_not_allowed"),
    ("SELECT current_setting('memory_limit')", "sql_not_allowed"),
    ("SELECT * FROM duckdb_settings()", "sql_not_allowed"),
    ("SELECT * FROM query('SELECT 1')", "sql_not_allowed"),
    ("SELECT * FROM glob('/etc/*')", "sql_not_allowed"),
    ('DESCRIBE "{id}"', "sql_not_allowed"),
    ("SELECT * FROM (SHOW TABLES)", "sql_not_allowed"),
    ("SELECT 1; SELECT 2", "sql_one_statement"),
    ('SELECT 1; DROP VIEW "{id}"', "sql_one_statement"),
    ("SELECT * FROM \"{id}\" -- comment\n; ATTACH 'x'", "sql_one_statement"),
    ('SELECT * FROM main."{id}"', "sql_not_allowed"),
    ("SELECT * FROM nosuchtable", "sql_unknown_table"),
    ("SELEC 1", "sql_syntax_error"),
    ('SELECT nope FROM "{id}"', "sql_error"),
]


@pytest.mark.parametrize("query,code", ESCAPES)
def test_escapes_are_refused_and_the_service_still_answers(published: Published, query: str, code: str) -> None:
    response = sql(published, query.format(id=published.resource_id))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code
    still_answering(published)


def test_a_query_that_runs_forever_is_stopped(published: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBUKA_DATASTORE_SQL_TIMEOUT", "0.5")
    settings.get_settings.cache_clear()
    table = f'"{published.resource_id}"'
    # random() per row: DuckDB cannot shortcut it (a count(*) of a cross product it can answer at once).
    forever = "SELECT sum(random()) FROM " + ", ".join(f"{table} t{n}" for n in range(10))
    response = sql(published, forever)
    assert response.status_code == 408, response.text
    assert response.json()["error"]["code"] == "sql_timeout"
    recursive = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) FROM r"
    assert sql(published, recursive).status_code == 408
    still_answering(published)


def test_a_cartesian_product_that_eats_memory_is_stopped(published: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBUKA_DATASTORE_SQL_MEMORY", "64MB")
    settings.get_settings.cache_clear()
    table = f'"{published.resource_id}"'
    hungry = (
        f"SELECT string_agg(repeat(a.kelurahan, 2000), ',' ORDER BY random()) "
        f"FROM {table} a, {table} b, {table} c, {table} d"
    )
    response = sql(published, hungry)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "sql_memory_limit"
    still_answering(published)


def test_unpublished_and_withdrawn_tables_are_not_in_sql(published: Published) -> None:
    catalogue = published.catalogue
    assert catalogue.act(catalogue.walidata, published.release["id"], "withdraw", note="keliru").status_code == 200
    response = sql(published, f'SELECT * FROM "{published.resource_id}"')
    assert response.status_code == 400 and response.json()["error"]["code"] == "sql_unknown_table"
    assert sql(published, f'SELECT * FROM "{SLUG}"').status_code == 400


def test_text_no_database_can_take_is_a_400(published: Published) -> None:
    client = published.catalogue.client
    for escaped in ("\\u0000", "\\ud800"):  # JSON escapes: the client sends them as they are
        body = '{"sql": "SELECT \'' + escaped + "'\"}"
        response = client.post("/api/v1/datastore/sql", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400 and response.json()["error"]["code"] == "sql_syntax_error"
    for filters in ('{"kecamatan": "\\ud800"}', '{"kecamatan": "\\u0000"}'):
        response = published.get(f"/api/v1/datastore/{published.resource_id}", filters=filters)
        assert response.status_code == 400, response.text
    still_answering(published)
