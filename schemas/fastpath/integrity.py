"""Unique fields, the primary key and foreign keys, compared on typed values like frictionless.

Frictionless remembers, per value, the last row that held it: a repeated value is reported on
every later row with the position of the previous occurrence, which is what ``lag`` gives. The
checks read the ``keys`` view, which holds every row.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from schemas.fastpath.cells import PHASE_FOREIGN, PHASE_PRIMARY, PHASE_UNIQUE
from schemas.fastpath.fields import FieldPlan
from schemas.fastpath.sql_literals import sql_literal


@dataclass
class ForeignKey:
    """A foreign key whose referenced keys are in the table ``table`` (columns r1..rN)."""

    fields: list[str]
    reference_name: str
    reference_fields: list[str]
    table: str


def unique_errors(con: duckdb.DuckDBPyConnection, plans: list[FieldPlan]) -> None:
    for plan in plans:
        if not plan.field.constraints.get("unique"):
            continue
        i = plan.number
        # Keys that only grow in the order they are read are distinct (ids usually do): one streaming pass.
        falls = con.execute(
            f"SELECT count(*) FILTER (WHERE k <= previous) FROM (SELECT k{i} AS k, lag(k{i}) OVER () AS previous "
            f"FROM keys WHERE k{i} IS NOT NULL)"
        ).fetchone()
        if falls is not None and falls[0] == 0:
            continue
        con.execute(
            f"""INSERT INTO errors SELECT rn, {PHASE_UNIQUE}, {i}, 0, 'unique-error',
            'the same as in the row at position ' || previous, d{i}, {sql_literal(plan.name)} FROM (
            SELECT rn, d{i}, lag(rn) OVER (PARTITION BY k{i} ORDER BY rn) AS previous FROM keys
            WHERE k{i} IN (SELECT k{i} FROM keys WHERE k{i} IS NOT NULL GROUP BY k{i} HAVING count(*) > 1))
            WHERE previous IS NOT NULL"""
        )


def primary_key_errors(con: duckdb.DuckDBPyConnection, plans: list[FieldPlan], primary_key: list[str]) -> None:
    by_name = {p.name: p for p in plans}
    if not primary_key or not set(primary_key) <= set(by_name):
        return
    keys = [f"k{by_name[name].number}" for name in primary_key]
    all_none = " AND ".join(f"{k} IS NULL" for k in keys)
    con.execute(
        f"""INSERT INTO errors SELECT rn, {PHASE_PRIMARY}, 0, 0, 'primary-key',
        CASE WHEN {all_none} THEN 'cells composing the primary keys are all "None"'
        ELSE 'the same as in the row at position ' || previous END, NULL, NULL FROM (
        SELECT rn, {", ".join(keys)}, CASE WHEN {all_none} THEN NULL
        ELSE lag(rn) OVER (PARTITION BY {", ".join(keys)} ORDER BY rn) END AS previous FROM keys)
        WHERE {all_none} OR previous IS NOT NULL"""
    )


def foreign_key_errors(
    con: duckdb.DuckDBPyConnection, plans: list[FieldPlan], foreign_key: ForeignKey, index: int
) -> None:
    """The errors of ``foreign_key``, the ``index``-th of the schema's checked keys."""
    by_name = {p.name: p for p in plans}
    if not set(foreign_key.fields) <= set(by_name):
        return
    numbers = [by_name[name].number for name in foreign_key.fields]
    all_none = " AND ".join(f"k{n} IS NULL" for n in numbers)
    matches = " AND ".join(f"ref.r{j} IS NOT DISTINCT FROM keys.k{n}" for j, n in enumerate(numbers, start=1))
    values = " || ', ' || ".join(f"coalesce(d{n}, 'None')" for n in numbers)
    # The raw values travel in front of the note, NULL as NUL, for the error's fieldCells.
    raw_values = "".join(f"coalesce(d{n}, chr(0)) || chr(31) || " for n in numbers)
    prefix = 'for "{}": values "'.format(", ".join(foreign_key.fields))
    suffix = '" not found in the lookup table "{}" as "{}"'.format(
        foreign_key.reference_name, ", ".join(foreign_key.reference_fields)
    )
    con.execute(
        f"""INSERT INTO errors SELECT rn, {PHASE_FOREIGN}, {index}, 0, 'foreign-key',
        {raw_values}{sql_literal(prefix)} || {values} || {sql_literal(suffix)}, NULL, NULL FROM keys
        WHERE NOT ({all_none}) AND NOT EXISTS (SELECT 1 FROM {foreign_key.table} AS ref WHERE {matches})"""
    )
