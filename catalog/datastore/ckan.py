"""CKAN's ``datastore_search`` and ``datastore_search_sql`` actions: CKAN's parameters in, CKAN's result out.

Plain functions of a session and the action's ``data_dict``, for the CKAN Action API's dispatcher
(``ACTIONS``). A table is named by its resource id exactly as ``package_show`` gives it, so CKAN
DataStore clients and their SQL (``SELECT … FROM "<resource id>"``) work unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from catalog.datastore import query as datastore_query
from catalog.datastore.columns import Column
from catalog.datastore.query import BadQuery, TableQuery
from catalog.datastore.sandbox import run_sql
from catalog.datastore.tables import get_table

# CKAN's DataStore column types (PostgreSQL's) for the stored ones.
CKAN_TYPES = {
    "BIGINT": "int",
    "INTEGER": "int",
    "HUGEINT": "int",
    "DOUBLE": "numeric",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIME": "time",
}
ACTION_PATH = "/api/3/action/datastore_search"


def ckan_field(column: Column) -> dict[str, Any]:
    field: dict[str, Any] = {"id": column.name, "type": CKAN_TYPES.get(column.sql_type, "text")}
    if column.title or column.description:
        field["info"] = {"label": column.title, "notes": column.description}
    return field


def _object(value: Any, name: str) -> Any:
    if isinstance(value, str) and value.strip().startswith("{"):
        return datastore_query.parse_json_object(value, name)
    return value


def _integer(data: dict[str, Any], name: str, default: int) -> int:
    value = data.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BadQuery(f"{name} must be an integer") from exc


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes")


def datastore_search(session: Session, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's ``datastore_search``: resource_id, filters, q, fields, sort, limit, offset, distinct, include_total."""
    resource_id = str(data_dict.get("resource_id") or data_dict.get("id") or "")
    if not resource_id.isdigit():
        raise BadQuery("resource_id: a resource id as package_show gives it", code="invalid_resource_id")
    table = get_table(session, resource_id=int(resource_id))
    filters = _object(data_dict.get("filters") or {}, "filters")
    if not isinstance(filters, dict):
        raise BadQuery("filters must be an object")
    q = _object(data_dict.get("q"), "q")
    limit = min(_integer(data_dict, "limit", datastore_query.DEFAULT_LIMIT), datastore_query.MAX_LIMIT)
    offset = _integer(data_dict, "offset", 0)
    spec = TableQuery(
        filters=filters,
        q=q or None,
        fields=datastore_query.parse_names(data_dict.get("fields")) or None,
        sort=datastore_query.parse_sort(data_dict.get("sort")),
        limit=limit,
        offset=offset,
        distinct=_flag(data_dict.get("distinct"), False),
    )
    include_total = _flag(data_dict.get("include_total"), True)
    result = datastore_query.run(table, spec, with_total=include_total)
    records_format = str(data_dict.get("records_format") or "objects")
    values = [[datastore_query.json_value(v) for v in row] for row in result.rows]
    names = [c.name for c in result.columns]
    records: Any = values if records_format == "lists" else [dict(zip(names, row, strict=True)) for row in values]
    base = {k: v for k, v in data_dict.items() if k not in ("offset",) and v is not None}
    base = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in base.items()}
    answer: dict[str, Any] = {
        "include_total": include_total,
        "resource_id": resource_id,
        "fields": [ckan_field(c) for c in result.columns],
        "records_format": "lists" if records_format == "lists" else "objects",
        "records": records,
        "limit": limit,
        "_links": {
            "start": f"{ACTION_PATH}?{urlencode(base)}",
            "next": f"{ACTION_PATH}?{urlencode({**base, 'offset': offset + limit})}",
        },
    }
    if offset:
        answer["offset"] = offset
    for echoed in ("filters", "q", "sort", "distinct"):
        if data_dict.get(echoed) not in (None, "", {}):
            answer[echoed] = data_dict[echoed]
    if include_total:
        answer["total"] = result.total
        answer["total_was_estimated"] = False
    return answer


def datastore_search_sql(session: Session, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's ``datastore_search_sql``: one read-only SELECT over the published tables."""
    sql = data_dict.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise BadQuery("sql: a SELECT statement is required", code="missing_sql")
    result = run_sql(session, sql)
    names = [c.name for c in result.columns]
    answer: dict[str, Any] = {
        "sql": sql,
        "fields": [ckan_field(c) for c in result.columns],
        "records": [dict(zip(names, map(datastore_query.json_value, row), strict=True)) for row in result.rows],
    }
    if result.truncated:
        answer["records_truncated"] = True
    return answer


ACTIONS: dict[str, Callable[[Session, dict[str, Any]], dict[str, Any]]] = {
    "datastore_search": datastore_search,
    "datastore_search_sql": datastore_search_sql,
}
