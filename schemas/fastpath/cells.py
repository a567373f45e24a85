"""Typing every column and finding the errors of single cells and rows.

``typed`` holds per field ``i``: ``n{i}`` (missing), ``b{i}`` (type error), ``k{i}`` (the typed
value used by constraints, unique, primary and foreign keys, NULL like frictionless's None) and
``d{i}`` (``str()`` of the typed value, which frictionless prints in unique errors). Errors go
into ``errors`` with a sort key (row, phase, field, rank) reproducing frictionless's order:
cell errors field by field (type error, then constraints in the type's order), extra cells,
missing cells, then unique, primary-key and foreign-key errors.
"""

from __future__ import annotations

import duckdb

from schemas.fastpath.fields import FieldPlan, sql_literal

PHASE_CELL, PHASE_EXTRA, PHASE_MISSING, PHASE_UNIQUE, PHASE_PRIMARY, PHASE_FOREIGN = range(6)

ERRORS_TABLE = """CREATE TABLE errors (rn BIGINT, phase INTEGER, fnum INTEGER, rank INTEGER,
    type VARCHAR, note VARCHAR, cell VARCHAR, field_name VARCHAR)"""


def _python_values(con: duckdb.DuckDBPyConnection, plan: FieldPlan) -> bool:
    """Read the distinct cells DuckDB does not cast with the field's own frictionless reader."""
    i = plan.number
    cells = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT {plan.column} FROM raw WHERE NOT {plan.null_sql()} AND NOT ({plan.shape})"
        ).fetchall()
    ]
    if not cells:
        return False
    read = [plan.python_value(cell) for cell in cells]
    con.execute(
        f"""CREATE TABLE v{i} AS SELECT unnest($1::VARCHAR[]) AS value, unnest($2::BOOLEAN[]) AS ok,
        unnest($3::{plan.key_type}[]) AS key, unnest($4::VARCHAR[]) AS display,
        unnest($5::VARCHAR[][]) AS kinds, unnest($6::VARCHAR[][]) AS notes""",
        [cells, [r[0] for r in read], [r[1] for r in read], [r[2] for r in read],
         [r[3] for r in read], [r[4] for r in read]],
    )
    return True


def build_typed(con: duckdb.DuckDBPyConnection, plans: list[FieldPlan]) -> None:
    inner, outer, joins = [], [], []
    for plan in plans:
        i, c = plan.number, plan.column
        inner.append(f"raw.{c} AS c{i}, {plan.null_sql()} AS n{i}, ({plan.shape}) AS s{i}")
        if _python_values(con, plan):
            inner.append(f"v{i}.ok AS o{i}, v{i}.key AS vk{i}, v{i}.display AS vd{i}, v{i}.kinds AS t{i}, "
                         f"v{i}.notes AS m{i}")
            joins.append(f"LEFT JOIN v{i} ON raw.{c} = v{i}.value")
        else:
            # Every cell is missing or cast in SQL: no join needed.
            inner.append(f"NULL::BOOLEAN AS o{i}, NULL::{plan.key_type} AS vk{i}, NULL::VARCHAR AS vd{i}, "
                         f"NULL::VARCHAR[] AS t{i}, NULL::VARCHAR[] AS m{i}")
        outer.append(
            f"c{i}, n{i}, (NOT n{i} AND NOT s{i} AND NOT coalesce(o{i}, FALSE)) AS b{i}, "
            f"CASE WHEN n{i} THEN NULL WHEN s{i} THEN {plan.key_sql} WHEN o{i} THEN vk{i} END AS k{i}, "
            f"CASE WHEN n{i} THEN NULL WHEN s{i} THEN {plan.display_sql} WHEN o{i} THEN vd{i} END AS d{i}, "
            f"t{i}, m{i}"
        )
    blank = " AND ".join(f"n{p.number}" for p in plans) or "FALSE"
    con.execute(
        f"""CREATE TABLE typed AS SELECT rn, ncells, extras, {", ".join(outer)}, ({blank}) AS blank
        FROM (SELECT raw.rn, raw.ncells, raw.extras, {", ".join(inner)} FROM raw {" ".join(joins)})"""
    )


def _insert(con: duckdb.DuckDBPyConnection, select: str) -> None:
    con.execute(f"INSERT INTO errors {select}")


def cell_errors(con: duckdb.DuckDBPyConnection, plans: list[FieldPlan]) -> None:
    """Type and constraint errors, extra and missing cells, and blank rows."""
    con.execute(ERRORS_TABLE)
    for plan in plans:
        i, name = plan.number, sql_literal(plan.name)
        constraints = list(plan.field.supported_constraints)
        base = f"SELECT rn, {PHASE_CELL}, {i}"
        _insert(con, f"{base}, 0, 'type-error', {sql_literal(plan.type_note)}, c{i}, {name} FROM typed "
                     f"WHERE b{i} AND NOT blank")
        if plan.field.constraints.get("required"):
            rank = constraints.index("required") + 1
            _insert(con, f"{base}, {rank}, 'constraint-error', {sql_literal(plan.constraint_note('required'))}, "
                         f"coalesce(c{i}, 'None'), {name} FROM typed WHERE n{i} AND NOT blank")
        for constraint, condition, note in plan.constraints:
            rank = constraints.index(constraint) + 1
            _insert(con, f"{base}, {rank}, 'constraint-error', {sql_literal(note)}, c{i}, {name} "
                         f"FROM (SELECT rn, c{i}, k{i} AS k FROM typed WHERE k{i} IS NOT NULL AND NOT blank) "
                         f"WHERE NOT ({condition})")
        if not plan.sql_typed:
            _insert(con, f"""SELECT rn, {PHASE_CELL}, {i}, rank, kind, note, c{i}, {name} FROM (
                SELECT rn, c{i}, unnest(t{i}) AS kind, unnest(m{i}) AS note, generate_subscripts(m{i}, 1) AS rank
                FROM typed WHERE NOT b{i} AND len(m{i}) > 0 AND NOT blank)""")
    n = len(plans)
    _insert(con, f"""SELECT rn, {PHASE_EXTRA}, {n} + idx, 0, 'extra-cell', '', extras[idx], '' FROM (
        SELECT rn, extras, generate_subscripts(extras, 1) AS idx FROM typed WHERE extras IS NOT NULL
        AND NOT blank)""")
    for plan in plans:
        _insert(con, f"SELECT rn, {PHASE_MISSING}, {plan.number}, 0, 'missing-cell', '', '', "
                     f"{sql_literal(plan.name)} FROM typed WHERE ncells < {plan.number} AND NOT blank")
    _insert(con, f"SELECT rn, {PHASE_CELL}, 0, 0, 'blank-row', '', NULL, NULL FROM typed WHERE blank")
