"""CKAN's datastore_search and datastore_search_sql: CKAN's parameters and result shape."""

import json

from sqlmodel import Session

from catalog.datastore.ckan import ACTIONS, datastore_search, datastore_search_sql
from catalog.datastore.query import BadQuery
from catalog.datastore.sandbox import SqlRefused
from catalog.db import get_engine
from tests.datastore.conftest import Published


def test_datastore_search_has_ckans_shape(published: Published) -> None:
    resource_id = str(published.resource_id)
    with Session(get_engine()) as session:
        result = datastore_search(
            session,
            {
                "resource_id": resource_id,
                "filters": json.dumps({"rawat_inap": True}),
                "q": "demam",
                "fields": "kelurahan,kasus",
                "sort": "kasus desc",
                "limit": "1",
            },
        )
    assert result["records"] == [{"kelurahan": "Batu Layang", "kasus": 14}]
    assert result["total"] == 2 and result["limit"] == 1 and result["resource_id"] == resource_id
    assert result["fields"] == [
        {"id": "kelurahan", "type": "text", "info": {"label": "", "notes": "Nama kelurahan"}},
        {
            "id": "kasus",
            "type": "int",
            "info": {"label": "", "notes": "Jumlah kasus DBD"},
        },
    ]
    assert result["_links"]["start"].startswith("/api/3/action/datastore_search?")
    assert "offset=1" in result["_links"]["next"]
    assert result["records_format"] == "objects"


def test_datastore_search_defaults_distinct_and_lists(published: Published) -> None:
    with Session(get_engine()) as session:
        everything = datastore_search(session, {"resource_id": published.resource_id})
        kinds = datastore_search(
            session,
            {
                "resource_id": published.resource_id,
                "fields": ["kecamatan"],
                "distinct": True,
                "records_format": "lists",
            },
        )
    assert everything["total"] == 12 and everything["fields"][0] == {
        "id": "_id",
        "type": "int",
        "info": {"label": "", "notes": "row number in the file"},
    }
    assert everything["records"][0]["_id"] == 1
    assert kinds["total"] == 6 and kinds["records"][0] == ["Pontianak Barat"]


def test_datastore_search_sql_by_resource_id(published: Published) -> None:
    sql = f'SELECT kecamatan, sum(kasus) AS kasus FROM "{published.resource_id}" GROUP BY kecamatan ORDER BY kasus DESC'
    with Session(get_engine()) as session:
        result = ACTIONS["datastore_search_sql"](session, {"sql": sql})
    assert result["sql"] == sql
    assert result["records"][0] == {"kecamatan": "Pontianak Barat", "kasus": 26}
    assert result["fields"] == [{"id": "kecamatan", "type": "text"}, {"id": "kasus", "type": "int"}]
    assert "records_truncated" not in result


def test_bad_ckan_parameters_raise_catalog_errors(published: Published) -> None:
    with Session(get_engine()) as session:
        for data in ({"resource_id": "abc"}, {"resource_id": published.resource_id, "limit": "many"}):
            try:
                datastore_search(session, data)
            except BadQuery as error:
                assert error.status == 400
            else:
                raise AssertionError(data)
        try:
            datastore_search_sql(session, {"sql": f'DELETE FROM "{published.resource_id}"'})
        except SqlRefused as error:
            assert error.status == 400
        else:
            raise AssertionError("a DELETE ran")


def test_ckan_datastore_clients_get_their_answers_over_http(published: Published, live_server: str) -> None:
    from ckanapi import RemoteCKAN

    with RemoteCKAN(live_server) as ckan:
        found = ckan.action.datastore_search(resource_id=str(published.resource_id), q="demam", limit=1)
        assert found["total"] == 2 and len(found["records"]) == 1
        counted = ckan.action.datastore_search_sql(sql=f'SELECT count(*) AS n FROM "{published.resource_id}"')
        assert counted["records"] == [{"n": 12}]
