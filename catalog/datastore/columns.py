"""Typing a table's cells by its Table Schema, with the validation fast path's own field plans.

A cell is missing (NULL), plainly shaped (cast in SQL by the plan's ``key_sql``, so ``1.234,5`` with
Indonesian separators is 1234.5), or read once per distinct value by the field's frictionless value
reader: the same typing the validator applied, not a second parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import duckdb
import frictionless

from schemas.fastpath.fields import FieldPlan, plan_fields

# Table Schema type → the column type the datastore stores (anything else is kept as its text).
STORED_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "year": "INTEGER",
    "datetime": "TIMESTAMP",
    "time": "TIME",
}
ROW_ID = "_id"


@dataclass(frozen=True)
class Column:
    """One field of a datastore table: its name, Table Schema type and stored SQL type."""

    name: str
    type: str
    sql_type: str
    format: str = "default"
    title: str = ""
    description: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "sql_type": self.sql_type,
            "title": self.title,
            "description": self.description,
        }

    @classmethod
    def from_description(cls, described: dict[str, Any]) -> Column:
        return cls(
            name=described["name"],
            type=described["type"],
            sql_type=described["sql_type"],
            format=described.get("format", "default"),
            title=described.get("title", ""),
            description=described.get("description", ""),
        )

    @property
    def is_text(self) -> bool:
        return self.sql_type == "VARCHAR"


def schema_columns(schema: frictionless.Schema) -> list[Column]:
    return [
        Column(
            name=str(f.name),
            type=str(f.type),
            sql_type=STORED_TYPES.get(str(f.type), "VARCHAR"),
            format=str(f.format or "default"),
            title=str(f.title or ""),
            description=str(f.description or ""),
        )
        for f in schema.fields
    ]


def _python_value(plan: FieldPlan, sql_type: str, cell: str) -> Any:
    """The cell as the field's frictionless reader types it, in the stored type (None when unreadable)."""
    value = plan.value_reader(cell)
    if value is None:
        return None
    if sql_type == "BIGINT":
        return int(value) if -(2**63) <= int(value) < 2**63 else None
    if sql_type == "DOUBLE":
        return float(value)
    if sql_type == "INTEGER":
        return int(value)
    if sql_type == "TIMESTAMP" and isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(tz=None).replace(tzinfo=None)
    if isinstance(value, (bool, date, time)):
        return value
    return str(value)


def typed_select(con: duckdb.DuckDBPyConnection, schema: frictionless.Schema, raw: str) -> tuple[str, list[Column]]:
    """A SELECT over the table ``raw`` (cells ``c1..cN`` as text, file order in its rowid) giving
    ``_id`` and every field typed; the distinct cells only Python types are put in tables ``v{i}``."""
    plans = plan_fields(schema)
    columns = schema_columns(schema)
    # What a plan parses once per cell (``p{i}``), its shape and key then read: as in the validator's scan.
    prepared = ", ".join(["rowid AS row_number", "*", *(f"{p.pre_sql} AS p{p.number}" for p in plans if p.pre_sql)])
    source = f"(SELECT {prepared} FROM {raw}) AS cells"
    typed = [(p, c) for p, c in zip(plans, columns, strict=True) if not c.is_text]
    shapes = {p.number: (p.pre_shape or p.shape) if p.sql_typed else "FALSE" for p, _ in typed}
    # One pass finds, for every typed field, the distinct cells SQL does not cast.
    odd_cells = [
        f"list(DISTINCT {p.column}) FILTER (WHERE NOT {p.null_sql()} AND NOT ({shapes[p.number]}))" for p, _ in typed
    ]
    found = con.execute(f"SELECT {', '.join(odd_cells) or 'NULL'} FROM {source}").fetchone() or ()
    odd = {p.number: list(cells or []) for (p, _), cells in zip(typed, found, strict=False)}
    selected = [f"(cells.row_number + 1)::BIGINT AS {ROW_ID}"]
    joins = []
    for plan, column in zip(plans, columns, strict=True):
        # The plans' SQL names the cells c1..cN, as ``raw`` does; the tables joined hold ``cell`` and ``value``.
        i, cell, name = plan.number, plan.column, _quote(column.name)
        missing = plan.null_sql()
        if column.is_text:
            selected.append(f"CASE WHEN {missing} THEN NULL ELSE {cell} END AS {name}")
            continue
        fallback = "NULL"
        if odd[i]:
            values = [_python_value(plan, column.sql_type, str(text)) for text in odd[i]]
            con.execute(
                f"CREATE OR REPLACE TABLE v{i} AS SELECT unnest($1::VARCHAR[]) AS cell, "
                f"unnest($2::{column.sql_type}[]) AS value",
                [odd[i], values],
            )
            joins.append(f"LEFT JOIN v{i} ON {cell} = v{i}.cell")
            fallback = f"v{i}.value"
        selected.append(
            f"CASE WHEN {missing} THEN NULL WHEN {shapes[i]} THEN TRY_CAST({plan.pre_key or plan.key_sql} "
            f"AS {column.sql_type}) ELSE {fallback} END AS {name}"
        )
    order = f" ORDER BY {ROW_ID}" if joins else ""
    return f"SELECT {', '.join(selected)} FROM {source} {' '.join(joins)}{order}", columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
