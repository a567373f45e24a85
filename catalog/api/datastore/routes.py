"""Query the data itself: filters, aggregates, exports and read-only SQL over published tables.

The query routes are async and send only their database and DuckDB work to the thread pool: parsing the
parameters and checking the answer against its model stay on the event loop (one trip, not three).
"""

import inspect
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from catalog import permissions
from catalog.api.datastore.answers import FILE_FORMATS, SqlAnswer, TableAnswer, TableList
from catalog.api.deps import RowId, SessionDep
from catalog.datastore import exports
from catalog.datastore import query as datastore_query
from catalog.datastore.query import BadQuery, TableQuery
from catalog.datastore.sandbox import run_sql
from catalog.datastore.tables import PublishedTable, current_table, get_table, published_tables
from catalog.services import public_cache
from catalog.settings import get_settings

# Published data only (the routes look up published releases): anyone may read it.
router = APIRouter(tags=["datastore"], dependencies=[permissions.route_rule(permissions.PUBLIC)])
Format = Literal["json", "csv", "xlsx", "parquet"]


class TableParameters:
    """The query parameters shared by a resource's table and a dataset's current table."""

    def __init__(
        self,
        filters: Annotated[
            str | None, Query(description='equality and in: {"kecamatan": "Pontianak Kota", "tahun": [2023, 2024]}')
        ] = None,
        ranges: Annotated[str | None, Query(description='{"jumlah": {"gte": 100, "lt": 500}}')] = None,
        q: Annotated[str | None, Query(description="words every row must contain in some text field")] = None,
        fields: Annotated[str | None, Query(description="comma-separated fields to return")] = None,
        sort: Annotated[str | None, Query(description='"kecamatan, jumlah desc" or "kecamatan,-jumlah"')] = None,
        limit: Annotated[int | None, Query(ge=0, description="rows (JSON: 100 by default, at most 10,000)")] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        distinct: bool = False,
        group_by: Annotated[str | None, Query(description="comma-separated fields to group by")] = None,
        aggregate: Annotated[
            str | None, Query(description='"count,sum:jumlah,avg:jumlah" (count|sum|avg|min|max)')
        ] = None,
        format: Format = "json",
        shape: Annotated[
            Literal["records", "columns"], Query(description="JSON rows as objects or columns")
        ] = "records",
        download: Annotated[
            bool, Query(description="with format=json: every matching row as a file, a JSON array of records")
        ] = False,
    ) -> None:
        self.format, self.shape = format, shape
        self.download = download and format == "json"
        if format == "json" and not self.download:
            if limit is not None and limit > datastore_query.MAX_LIMIT:
                raise BadQuery(
                    f"limit is at most {datastore_query.MAX_LIMIT:,} in JSON: page with offset, or use format=csv"
                )
            limit = datastore_query.DEFAULT_LIMIT if limit is None else limit
        self.query = TableQuery(
            filters=datastore_query.parse_json_object(filters, "filters"),
            ranges=datastore_query.parse_json_object(ranges, "ranges"),
            q=q or None,
            fields=datastore_query.parse_names(fields) or None,
            sort=datastore_query.parse_sort(sort),
            limit=limit,
            offset=offset,
            distinct=distinct,
            group_by=datastore_query.parse_names(group_by),
            aggregates=datastore_query.parse_aggregates(aggregate),
        )


async def _parameters(**given: Any) -> TableParameters:
    return TableParameters(**given)  # parsing only: on the event loop, not worth a trip to the thread pool


_parameters.__signature__ = inspect.signature(TableParameters)  # type: ignore[attr-defined]
Parameters = Annotated[TableParameters, Depends(_parameters)]


def _original_url(table: PublishedTable) -> str:
    return f"{get_settings().base_url}/api/v1/releases/{table.release_id}/resources/{table.resource_id}/download"


def _answer(table: PublishedTable, parameters: TableParameters) -> Any:
    if parameters.format != "json" or parameters.download:
        fmt = exports.FORMATS[parameters.format]
        stream = exports.export(table, parameters.query, parameters.format)
        return StreamingResponse(
            stream,
            media_type=fmt.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{table.stem}-{table.resource_id}.{fmt.extension}"',
                "Link": f'<{_original_url(table)}>; rel="original"',
            },
        )
    result = datastore_query.run(table, parameters.query)
    values = [[datastore_query.json_value(v) for v in row] for row in result.rows]
    names = [c.name for c in result.columns]
    body: dict[str, Any] = {
        "resource_id": str(table.resource_id),
        "table": table.describe(),
        "fields": [c.describe() for c in result.columns],
        "total": result.total,
        "limit": parameters.query.limit,
        "offset": parameters.query.offset,
        "original_url": _original_url(table),
    }
    if parameters.shape == "columns":
        body["columns"] = {name: [row[i] for row in values] for i, name in enumerate(names)}
    else:
        body["records"] = [dict(zip(names, row, strict=True)) for row in values]
    return body


class SqlBody(BaseModel):
    sql: str


def _sql_answer(session: SessionDep, sql: str) -> dict[str, Any]:
    result = run_sql(session, sql)
    names = [c.name for c in result.columns]
    return {
        "fields": [{"name": c.name, "type": c.type, "sql_type": c.sql_type} for c in result.columns],
        "records": [dict(zip(names, map(datastore_query.json_value, row), strict=True)) for row in result.rows],
        "rows": len(result.rows),
        "truncated": result.truncated,
        "tables": [t.describe() for t in result.tables],
    }


@router.get("/datastore", response_model=TableList)
@public_cache.shared
def list_tables(session: SessionDep) -> dict[str, Any]:
    """Every published table of the datastore with the names SQL queries use."""
    tables = published_tables(session)
    return {"tables": [t.describe() for t in tables], "total": len(tables)}


@router.get("/datastore/sql", response_model=SqlAnswer)
def sql_get(session: SessionDep, sql: Annotated[str, Query(description="one read-only SELECT")]) -> dict[str, Any]:
    """Run one read-only SQL query over the published tables (5 s, 10,000 rows at most)."""
    return _sql_answer(session, sql)


@router.post("/datastore/sql", response_model=SqlAnswer)
def sql_post(session: SessionDep, body: SqlBody) -> dict[str, Any]:
    """Run one read-only SQL query sent as JSON ``{"sql": "..."}`` over the published tables."""
    return _sql_answer(session, body.sql)


@router.get(
    "/datastore/{resource_id}", response_model=TableAnswer, response_model_exclude_unset=True, responses=FILE_FORMATS
)
@public_cache.shared
async def query_resource(resource_id: RowId, session: SessionDep, parameters: Parameters) -> Any:
    """Query a published resource's table (filters, ranges, q, fields, sort, paging, distinct, group_by)."""

    def answer() -> Any:
        table = public_cache.cached(("table", resource_id), lambda: get_table(session, resource_id=resource_id))
        return _answer(table, parameters)

    return await run_in_threadpool(answer)


@router.get(
    "/datasets/{slug}/data", response_model=TableAnswer, response_model_exclude_unset=True, responses=FILE_FORMATS
)
@public_cache.shared
async def query_dataset(
    slug: str,
    session: SessionDep,
    parameters: Parameters,
    resource: Annotated[str | None, Query(description="which table of the release: id, file name or stem")] = None,
) -> Any:
    """Query the table of a dataset's current release (its newest published one), as the resource query does."""

    def answer() -> Any:
        table = public_cache.cached(
            ("table", slug, resource), lambda: current_table(session, slug=slug, resource=resource)
        )  # published tables are the same for every reader: looked up once a second, not on every query
        return _answer(table, parameters)

    return await run_in_threadpool(answer)
