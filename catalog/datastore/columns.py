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


def typing_select(schema: frictionless.Schema, source: str) -> str:
    """A SELECT over ``source`` (cells ``c1..cN`` as text, in file order) keeping the cells and adding per
    typed field ``t{i}``, the value SQL casts, and ``o{i}``, whether the cell is one only Python types.

    It runs in the same pass as the CSV parse and has no join, so a table made of it keeps the file's
    order in its rowid (as the validator's scan does).
    """
    plans = plan_fields(schema)
    columns = schema_columns(schema)
    kept = [plan.column for plan in plans]
    for plan, column in zip(plans, columns, strict=True):
        if column.is_text:
            continue
        i, missing = plan.number, plan.null_sql()
        # The plan parses a cell once (``p{i}``) and its shape and key read that, as in the validator's scan.
        shape = (plan.pre_shape or plan.shape) if plan.sql_typed else "FALSE"
        key = plan.pre_key or plan.key_sql
        kept.append(f"CASE WHEN {missing} THEN NULL WHEN {shape} THEN TRY_CAST({key} AS {column.sql_type}) END AS t{i}")
        kept.append(f"(NOT {missing} AND NOT ({shape})) AS o{i}")
    parsed = "".join(f", {p.pre_sql} AS p{p.number}" for p in plans if p.pre_sql)
    return f"SELECT {', '.join(kept)} FROM (SELECT *{parsed} FROM ({source}))"


def typed_select(con: duckdb.DuckDBPyConnection, schema: frictionless.Schema, raw: str) -> tuple[str, list[Column]]:
    """A SELECT over the table ``raw`` made by ``typing_select`` giving ``_id`` and every field typed; the
    distinct cells only Python types (rare in a validated file) are read once each into tables ``v{i}``."""
    plans = plan_fields(schema)
    columns = schema_columns(schema)
    typed = [plan.number for plan, column in zip(plans, columns, strict=True) if not column.is_text]
    flags = con.execute(f"SELECT {', '.join(f'bool_or(o{i})' for i in typed) or 'NULL'} FROM {raw}").fetchone() or ()
    with_odd = {i for i, flag in zip(typed, flags, strict=False) if flag}
    selected = [f"({raw}.rowid + 1)::BIGINT AS {ROW_ID}"]
    joins = []
    for plan, column in zip(plans, columns, strict=True):
        i, name = plan.number, _quote(column.name)
        if column.is_text:
            selected.append(f"CASE WHEN {plan.null_sql()} THEN NULL ELSE {plan.column} END AS {name}")
        elif i in with_odd:
            cells = [str(row[0]) for row in con.execute(f"SELECT DISTINCT c{i} FROM {raw} WHERE o{i}").fetchall()]
            con.execute(
                f"CREATE OR REPLACE TABLE v{i} AS SELECT unnest($1::VARCHAR[]) AS cell, "
                f"unnest($2::{column.sql_type}[]) AS value",
                [cells, [_python_value(plan, column.sql_type, cell) for cell in cells]],
            )
            joins.append(f"LEFT JOIN v{i} ON {raw}.o{i} AND {raw}.c{i} = v{i}.cell")
            selected.append(f"CASE WHEN {raw}.o{i} THEN v{i}.value ELSE t{i} END AS {name}")
        else:
            selected.append(f"t{i} AS {name}")
    order = f" ORDER BY {ROW_ID}" if joins else ""
    return f"SELECT {', '.join(selected)} FROM {raw} {' '.join(joins)}{order}", columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
