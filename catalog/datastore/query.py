"""Filters, full-text search, sorting, paging, distinct rows and group-by aggregates over one datastore table.

Everything the caller names is checked against the table's fields and every value is passed to DuckDB
as a parameter typed like its column, so no request text ever becomes SQL. ``preview`` and ``aggregate``
are the plain functions the portal's preview and charts call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from catalog.datastore.columns import ROW_ID, Column
from catalog.datastore.engine import cursor, parquet_source, quote_identifier
from catalog.datastore.tables import PublishedTable
from catalog.errors import CatalogError

AGGREGATES = ("count", "sum", "avg", "min", "max")
RANGE_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
NUMERIC = ("BIGINT", "INTEGER", "DOUBLE")


class BadQuery(CatalogError):
    status = 400
    code = "invalid_query"


@dataclass
class TableQuery:
    """What to read from a table. ``filters``: field → value or list of values (equality, ``in``);
    ``ranges``: field → {gt|gte|lt|lte: value}; ``q``: words every row must contain in some text field
    (or field → words); ``sort``: (field, descending) pairs; ``limit`` None reads every row."""

    filters: dict[str, Any] = field(default_factory=dict)
    ranges: dict[str, dict[str, Any]] = field(default_factory=dict)
    q: str | dict[str, str] | None = None
    fields: list[str] | None = None
    sort: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = DEFAULT_LIMIT
    offset: int = 0
    distinct: bool = False
    group_by: list[str] = field(default_factory=list)
    aggregates: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Result:
    columns: list[Column]
    rows: list[tuple[Any, ...]]
    total: int | None


# --- parsing request text --------------------------------------------------------------------------


def parse_json_object(text: str | None, name: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadQuery(f"{name} is not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise BadQuery(f"{name} must be a JSON object")
    return value


def parse_names(text: str | list[str] | None) -> list[str]:
    if text is None:
        return []
    items = text if isinstance(text, list) else text.split(",")
    return [item.strip() for item in items if item.strip()]


def parse_sort(text: str | None) -> list[tuple[str, bool]]:
    """``"kecamatan, jumlah desc"`` (CKAN) or ``"kecamatan,-jumlah"``."""
    order = []
    for item in parse_names(text):
        words = item.split()
        name, direction = (" ".join(words[:-1]), words[-1].lower()) if len(words) > 1 else (item, "")
        if direction not in ("", "asc", "desc"):
            name, direction = item, ""
        descending = direction == "desc"
        if name.startswith("-"):
            name, descending = name[1:], True
        order.append((name.strip('"'), descending))
    return order


def parse_aggregates(text: str | None) -> list[tuple[str, str | None]]:
    """``"count,sum:jumlah,avg:jumlah"``."""
    aggregates: list[tuple[str, str | None]] = []
    for item in parse_names(text):
        function, _, name = item.partition(":")
        function = function.strip().lower()
        if function not in AGGREGATES:
            raise BadQuery(f"unknown aggregate {function!r}: use {', '.join(AGGREGATES)}")
        if function != "count" and not name:
            raise BadQuery(f"aggregate {function} needs a field: {function}:FIELD")
        aggregates.append((function, name.strip() or None))
    return aggregates


# --- typing values like their column ---------------------------------------------------------------


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "ya"):
        return True
    if str(value).lower() in ("false", "0", "tidak"):
        return False
    raise ValueError(value)


def text_value(value: Any) -> str:
    """Request text as DuckDB takes it: UTF-8 without NUL characters."""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadQuery("a value is not valid UTF-8 text") from exc
    if "\x00" in text:
        raise BadQuery("a value holds a NUL character")
    return text


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "BIGINT": lambda v: int(v) if not isinstance(v, (bool, float)) else int(str(v)),
    "INTEGER": lambda v: int(v) if not isinstance(v, (bool, float)) else int(str(v)),
    "DOUBLE": lambda v: float(v) if not isinstance(v, bool) else float(str(v)),
    "BOOLEAN": _boolean,
    "DATE": lambda v: date.fromisoformat(str(v)),
    "TIMESTAMP": lambda v: datetime.fromisoformat(str(v)),
    "TIME": lambda v: time.fromisoformat(str(v)),
    "VARCHAR": text_value,
}


def typed_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    try:
        return CONVERTERS[column.sql_type](value)
    except (TypeError, ValueError) as exc:
        raise BadQuery(f"{value!r} is not a value of field {column.name!r} ({column.type})") from exc


# --- building the SQL ------------------------------------------------------------------------------


def row_id_column() -> Column:
    return Column(name=ROW_ID, type="integer", sql_type="BIGINT", description="row number in the file")


class _Builder:
    def __init__(self, table: PublishedTable) -> None:
        self.table = table
        self.columns = {c.name: c for c in [row_id_column(), *table.columns]}
        self.params: list[Any] = []

    def column(self, name: str, what: str = "field") -> Column:
        found = self.columns.get(name)
        if found is None:
            raise BadQuery(f"unknown {what} {name!r}: fields are {', '.join(self.columns)}", code="unknown_field")
        return found

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def where(self, query: TableQuery) -> str:
        conditions = []
        for name, value in query.filters.items():
            column = self.column(name)
            ident = quote_identifier(name)
            values = value if isinstance(value, list) else [value]
            typed = [typed_value(column, v) for v in values]
            present = [v for v in typed if v is not None]
            parts = []
            if len(present) == 1:
                parts.append(f"{ident} = {self.param(present[0])}")
            elif present:
                parts.append(f"{ident} IN ({', '.join(self.param(v) for v in present)})")
            if len(present) < len(typed):
                parts.append(f"{ident} IS NULL")
            conditions.append("(" + " OR ".join(parts) + ")" if parts else "FALSE")
        for name, bounds in query.ranges.items():
            column = self.column(name)
            if not isinstance(bounds, dict) or not bounds:
                raise BadQuery(f'range of {name!r} must be an object like {{"gte": 1, "lt": 10}}')
            for operator, value in bounds.items():
                if operator not in RANGE_OPERATORS:
                    raise BadQuery(f"unknown range operator {operator!r}: use gt, gte, lt, lte")
                bound = typed_value(column, value)
                conditions.append(f"{quote_identifier(name)} {RANGE_OPERATORS[operator]} {self.param(bound)}")
        conditions.extend(self._text_search(query.q))
        return f" WHERE {' AND '.join(conditions)}" if conditions else ""

    def _text_search(self, q: str | dict[str, str] | None) -> list[str]:
        if not q:
            return []
        if isinstance(q, dict):
            pairs = [(self.column(name), str(words)) for name, words in q.items()]
        else:
            text_columns = [c for c in self.table.columns if c.is_text]
            if not text_columns:
                raise BadQuery("this table has no text field to search with q")
            pairs = [(c, q) for c in text_columns]
        conditions = []
        words = {text_value(w).lower() for _, text in pairs for w in text.split()}
        for word in sorted(words):
            found = [
                f"contains(lower(CAST({quote_identifier(c.name)} AS VARCHAR)), {self.param(word)})"
                for c, text in pairs
                if word in text.lower().split()
            ]
            conditions.append("(" + " OR ".join(found) + ")")
        return conditions

    def select(self, query: TableQuery) -> tuple[str, list[Column]]:
        """The projection (or groups and aggregates) and the columns it gives."""
        if query.group_by or query.aggregates:
            return self._grouped(query)
        names = query.fields or list(self.columns)
        chosen = [self.column(n) for n in names]
        keyword = "SELECT DISTINCT" if query.distinct else "SELECT"
        return f"{keyword} {', '.join(quote_identifier(c.name) for c in chosen)}", chosen

    def _grouped(self, query: TableQuery) -> tuple[str, list[Column]]:
        groups = [self.column(n, "group_by field") for n in query.group_by]
        parts = [quote_identifier(c.name) for c in groups]
        out = list(groups)
        for function, name in query.aggregates or [("count", None)]:
            if function == "count":
                alias = "count" if name is None else f"count_{self.column(name).name}"
                counted = "*" if name is None else quote_identifier(name)
                parts.append(f"count({counted}) AS {quote_identifier(alias)}")
                out.append(Column(name=alias, type="integer", sql_type="BIGINT"))
                continue
            column = self.column(name or "")
            if function in ("sum", "avg") and column.sql_type not in NUMERIC:
                raise BadQuery(f"{function} needs a numeric field; {column.name!r} is {column.type}")
            alias = f"{function}_{column.name}"
            expression = f"{function}({quote_identifier(column.name)})"
            parts.append(f"{expression} AS {quote_identifier(alias)}")
            kind = "number" if function == "avg" or column.sql_type == "DOUBLE" else column.type
            sql_type = "DOUBLE" if function == "avg" else column.sql_type
            out.append(Column(name=alias, type=kind, sql_type=sql_type))
        return f"SELECT {', '.join(parts)}", out

    def order(self, query: TableQuery, out: list[Column]) -> str:
        available = {c.name for c in out}
        terms = []
        for name, descending in query.sort:
            if name not in available:
                raise BadQuery(f"cannot sort by {name!r}: sort by one of {', '.join(sorted(available))}")
            terms.append(f"{quote_identifier(name)} {'DESC' if descending else 'ASC'} NULLS LAST")
        if not terms:
            # A stable order: file order for rows, the groups or fields themselves otherwise.
            grouped = bool(query.group_by or query.aggregates)
            if not grouped and not query.distinct:
                terms = [ROW_ID]
            else:
                terms = [quote_identifier(c.name) for c in out[: len(query.group_by)] or out]
        return " ORDER BY " + ", ".join(terms)


def build(table: PublishedTable, query: TableQuery) -> tuple[str, str, list[Any], list[Column]]:
    """(select SQL, count SQL, parameters, output columns)."""
    if query.offset < 0:
        raise BadQuery("offset must be 0 or more")
    if query.limit is not None and query.limit < 0:
        raise BadQuery("limit must be 0 or more")
    builder = _Builder(table)
    where = builder.where(query)
    projection, out = builder.select(query)
    source = parquet_source(table.resource_id)
    group = ""
    if query.group_by:
        group = " GROUP BY " + ", ".join(quote_identifier(n) for n in query.group_by)
    body = f"{projection} FROM {source}{where}{group}"
    order = builder.order(query, out)
    page = f" LIMIT {int(query.limit)}" if query.limit is not None else ""
    page += f" OFFSET {int(query.offset)}" if query.offset else ""
    if query.group_by or query.aggregates or query.distinct:
        count = f"SELECT count(*) FROM ({body})"
    else:
        count = f"SELECT count(*) FROM {source}{where}"
    return f"{body}{order}{page}", count, builder.params, out


def run(table: PublishedTable, query: TableQuery, *, with_total: bool = True) -> Result:
    """Rows of the table as asked, and how many rows match without the limit."""
    select, count, params, out = build(table, query)
    con = cursor()
    try:
        rows = con.execute(select, params).fetchall()
        total = None
        if with_total:
            if query.offset == 0 and query.limit is not None and len(rows) < query.limit:
                total = len(rows)
            else:
                counted = con.execute(count, params).fetchone()
                total = int(counted[0]) if counted else 0
    finally:
        con.close()
    return Result(columns=out, rows=rows, total=total)


def preview(table: PublishedTable, *, limit: int = 20, sort: str | None = None) -> Result:
    """The first ``limit`` rows of a table, sorted (the portal's preview)."""
    return run(table, TableQuery(sort=parse_sort(sort), limit=limit))


def aggregate(
    table: PublishedTable, *, group_by: str, function: str = "count", field_name: str | None = None
) -> Result:
    """One aggregate per value of ``group_by`` (the portal's charts): ``count``, or sum|avg|min|max of a field."""
    aggregates = parse_aggregates(function if function == "count" else f"{function}:{field_name or ''}")
    return run(table, TableQuery(group_by=[group_by], aggregates=aggregates, limit=None))


def json_value(value: Any) -> Any:
    """A DuckDB value as JSON: dates and times in ISO 8601, NaN and infinities as null."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
