"""One pass over the rows, then typing the rows that need a closer look and finding their errors.

``scan`` holds per row ``rn``, ``suspect`` (the row may hold a cell or row error, or a value only
Python can type), ``spare`` (DuckDB saw more cells than fields), the keys ``k{i}`` of the fields
that unique, primary and foreign keys compare (and ``d{i}``, the printed value, where the key does
not give it), and for suspect rows only their cells ``cells``, ``ncells`` and ``extras``. A row
that is not suspect is valid cell by cell and its cells are not kept.

``typed`` holds the suspect rows with per field ``i``: ``n{i}`` (missing), ``b{i}`` (type error),
``k{i}`` (the typed value used by constraints, unique, primary and foreign keys, NULL like
frictionless's None) and ``d{i}`` (``str()`` of the typed value, which frictionless prints in unique
errors). Errors go into ``errors`` with a sort key (row, phase, field, rank) reproducing
frictionless's order: cell errors field by field (type error, then constraints in the type's
order), extra cells, missing cells, then unique, primary-key and foreign-key errors.
"""

from __future__ import annotations

import duckdb

from schemas.fastpath.fields import FieldPlan
from schemas.fastpath.sql_literals import sql_literal

# Up to this many blank records, rows are renumbered by an expression rather than a join.
FEW_BLANK_RECORDS = 64
PHASE_CELL, PHASE_EXTRA, PHASE_MISSING, PHASE_UNIQUE, PHASE_PRIMARY, PHASE_FOREIGN = range(6)

ERRORS_TABLE = """CREATE TABLE errors (rn BIGINT, phase INTEGER, fnum INTEGER, rank INTEGER,
    type VARCHAR, note VARCHAR, cell VARCHAR, field_name VARCHAR)"""


def _cell_ok(plan: FieldPlan, keyed: bool) -> str:
    """SQL true when the present cell of ``plan`` in a row of the scan gives no error."""
    i = plan.number
    required = bool(plan.field.constraints.get("required"))
    if keyed:
        valid = " AND ".join([f"k{i} IS NOT NULL", *(condition(f"k{i}") for _, condition, _ in plan.constraints)])
    elif plan.shape == "TRUE":
        return f"NOT n{i}" if required else "TRUE"
    else:
        valid = f"NOT n{i} AND {plan.pre_shape or plan.shape}"
    return f"({valid})" if required else f"(n{i} OR ({valid}))"


def _keeps_order(con: duckdb.DuckDBPyConnection, select: str) -> bool:
    """Whether DuckDB runs ``select`` without a join, so that a table made of it keeps the source's order."""
    return all("JOIN" not in str(row[-1]).upper() for row in con.execute(f"EXPLAIN {select}").fetchall())


def build_scan(
    con: duckdb.DuckDBPyConnection,
    plans: list[FieldPlan],
    source: str,
    key_plans: list[FieldPlan],
    first_row: int | None,
    blank: list[int] | None = None,
) -> int:
    """Read ``source`` once into ``scan``; returns the number of rows ``source`` gave.

    With ``first_row`` the source is DuckDB's own parse of the file, whose rows are numbered from
    ``first_row`` in file order, skipping the ``blank`` records DuckDB skips (which ``scan`` holds
    as rows without cells), and whose extra cells Python re-reads; without, the normalized copy,
    which gives both.
    """
    direct = first_row is not None
    n = len(plans)
    flags = ", ".join(f"{p.null_sql()} AS n{p.number}" for p in plans)
    flags += "".join(f", {p.pre_sql} AS p{p.number}" for p in plans if p.pre_sql)
    keyed = [p for p in plans if p.constraints or p in key_plans]
    keys = "".join(
        f", CASE WHEN NOT n{p.number} AND {p.pre_shape or p.shape} THEN {p.pre_key or p.key_sql} END AS k{p.number}"
        for p in keyed
    )
    suspect = (
        f"c{n} IS NULL OR spare IS NOT NULL OR NOT ("
        + " AND ".join(_cell_ok(p, p in keyed) for p in plans)
        + ") OR ("
        + " AND ".join(f"n{p.number}" for p in plans)
        + ")"
    )
    names = [f"k{p.number}" for p in key_plans]
    kept = "".join(f"{name}, " for name in names)
    for plan in key_plans:
        if plan.display_of_key("k") is None:
            names.append(f"d{plan.number}")
            kept += f"CASE WHEN k{plan.number} IS NOT NULL THEN {plan.display_sql} END AS d{plan.number}, "
    named = "".join(f"{name}, " for name in names)
    cells = ", ".join(f"c{p.number}" for p in plans)

    def select(rows: str, numbered: bool) -> str:
        return f"""SELECT {"rn, " if numbered else ""}suspect, {kept}
        {"" if direct else "CASE WHEN suspect THEN ncells END AS ncells, CASE WHEN suspect THEN extras END AS extras,"}
        CASE WHEN suspect THEN [{cells}{", spare" if direct else ""}] END AS cells
        FROM (SELECT *, {suspect} AS suspect FROM (SELECT *{keys} FROM (SELECT *, {flags} FROM ({rows}))))"""

    # A table keeps the file's order when made without a join: then its rowid numbers the rows.
    by_rowid = first_row is not None and _keeps_order(con, select(source, False))
    if first_row is not None and not by_rowid:
        source = f"SELECT (row_number() OVER () + {first_row - 1})::BIGINT AS rn, * FROM ({source})"
    con.execute(f"CREATE TABLE scan_rows AS {select(source, not by_rowid)}")
    if first_row is not None:
        number_scan(con, plans, key_plans, first_row, blank or [])
    else:
        con.execute(
            f"CREATE VIEW scan AS SELECT rn, suspect, FALSE AS spare, {named}cells, ncells, extras FROM scan_rows"
        )
    row = con.execute("SELECT count(*) FROM scan_rows").fetchone()
    return int(row[0]) if row else 0


def number_scan(
    con: duckdb.DuckDBPyConnection,
    plans: list[FieldPlan],
    key_plans: list[FieldPlan],
    first_row: int,
    blank: list[int],
) -> None:
    """The view ``scan`` over DuckDB's parse in ``scan_rows``, its rows numbered from ``first_row`` past ``blank``."""
    n = len(plans)
    names = [f"k{p.number}" for p in key_plans]
    names += [f"d{p.number}" for p in key_plans if p.display_of_key("k") is None]
    named = "".join(f"{name}, " for name in names)
    columns = [str(row[0]) for row in con.execute("DESCRIBE scan_rows").fetchall()]
    numbered = "SELECT * FROM scan_rows" if "rn" in columns else f"SELECT rowid + {first_row} AS rn, * FROM scan_rows"
    if blank:
        con.execute("CREATE OR REPLACE TABLE blank_records AS SELECT unnest($1::BIGINT[]) AS rn", [blank])
        numbered = _skip_blank(con, numbered, blank)
    con.execute(
        f"""CREATE OR REPLACE VIEW scan AS SELECT rn, suspect, cells[{n + 1}] IS NOT NULL AS spare, {named}
        cells[1:{n}] AS cells, list_count(cells[1:{n}]) AS ncells, NULL::VARCHAR[] AS extras FROM ({numbered})
        {_blank_rows(plans, key_plans, blank)}"""
    )


def _skip_blank(con: duckdb.DuckDBPyConnection, numbered: str, blank: list[int]) -> str:
    """``numbered`` with the row numbers moved past the ``blank`` records (ascending), which DuckDB skips."""
    # The j-th blank record (from 0) moves every row numbered from blank[j] - j on by one more.
    sinces = [b - j for j, b in enumerate(blank)]
    if len(sinces) <= FEW_BLANK_RECORDS:
        # An expression keeps the rows in the file's order, which the unique check's shortcut reads.
        moves = " + ".join(f"(rn >= {since})::BIGINT" for since in sinces)
        return f"SELECT rn + {moves} AS rn, * EXCLUDE (rn) FROM ({numbered})"
    con.execute(
        "CREATE OR REPLACE TABLE blank_shifts AS SELECT unnest($1::BIGINT[]) AS since, unnest($2::BIGINT[]) AS shift",
        [sinces, list(range(1, len(blank) + 1))],
    )
    return f"""SELECT numbered.rn + coalesce(moved.shift, 0) AS rn, numbered.* EXCLUDE (rn)
        FROM ({numbered}) AS numbered
        ASOF LEFT JOIN (SELECT since, max(shift) AS shift FROM blank_shifts GROUP BY since) AS moved
        ON numbered.rn >= moved.since"""


def _blank_rows(plans: list[FieldPlan], key_plans: list[FieldPlan], blank: list[int] | None) -> str:
    """SQL adding the blank records (the table ``blank_records``) to ``scan``: suspect rows without cells."""
    if not blank:
        return ""
    keys = "".join(f"NULL::{p.key_type} AS k{p.number}, " for p in key_plans)
    keys += "".join(f"NULL::VARCHAR AS d{p.number}, " for p in key_plans if p.display_of_key("k") is None)
    cells = ", ".join("NULL::VARCHAR" for _ in plans)
    return f"""
        UNION ALL SELECT rn, TRUE AS suspect, FALSE AS spare, {keys}[{cells}] AS cells, 0 AS ncells,
        NULL::VARCHAR[] AS extras FROM blank_records"""


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
        [
            cells,
            [r[0] for r in read],
            [r[1] for r in read],
            [r[2] for r in read],
            [r[3] for r in read],
            [r[4] for r in read],
        ],
    )
    return True


def build_typed(con: duckdb.DuckDBPyConnection, plans: list[FieldPlan], key_plans: list[FieldPlan]) -> None:
    """``typed`` from the suspect rows of ``scan`` (``d{i}`` only for the fields of ``key_plans``)."""
    cells = ", ".join(f"cells[{p.number}] AS c{p.number}" for p in plans)
    con.execute(f"CREATE TABLE raw AS SELECT rn, ncells, extras, {cells} FROM scan WHERE suspect")
    inner, outer, joins = [], [], []
    for plan in plans:
        i, c = plan.number, plan.column
        inner.append(f"raw.{c} AS c{i}, {plan.null_sql()} AS n{i}, ({plan.shape}) AS s{i}")
        if _python_values(con, plan):
            inner.append(
                f"v{i}.ok AS o{i}, v{i}.key AS vk{i}, v{i}.display AS vd{i}, v{i}.kinds AS t{i}, v{i}.notes AS m{i}"
            )
            joins.append(f"LEFT JOIN v{i} ON raw.{c} = v{i}.value")
        else:
            # Every cell is missing or cast in SQL: no join needed.
            inner.append(
                f"NULL::BOOLEAN AS o{i}, NULL::{plan.key_type} AS vk{i}, NULL::VARCHAR AS vd{i}, "
                f"NULL::VARCHAR[] AS t{i}, NULL::VARCHAR[] AS m{i}"
            )
        outer.append(
            f"c{i}, n{i}, (NOT n{i} AND NOT s{i} AND NOT coalesce(o{i}, FALSE)) AS b{i}, "
            f"CASE WHEN n{i} THEN NULL WHEN s{i} THEN {plan.key_sql} WHEN o{i} THEN vk{i} END AS k{i}"
        )
        if plan in key_plans:
            outer.append(f"CASE WHEN n{i} THEN NULL WHEN s{i} THEN {plan.display_sql} WHEN o{i} THEN vd{i} END AS d{i}")
        if not plan.sql_typed:
            outer.append(f"t{i}, m{i}")
    blank = " AND ".join(f"n{p.number}" for p in plans) or "FALSE"
    con.execute(
        f"""CREATE TABLE typed AS SELECT rn, ncells, extras, {", ".join(outer)}, ({blank}) AS blank
        FROM (SELECT raw.rn, raw.ncells, raw.extras, {", ".join(inner)} FROM raw {" ".join(joins)})"""
    )
    con.execute("DROP TABLE raw")


def build_keys(con: duckdb.DuckDBPyConnection, key_plans: list[FieldPlan]) -> None:
    """``keys``: the keys ``k{i}`` and printed values ``d{i}`` of every row, for unique, primary and foreign keys."""
    if not key_plans:
        return
    scanned = ", ".join(
        f"k{p.number}, {p.display_of_key(f'k{p.number}') or f'd{p.number}'} AS d{p.number}" for p in key_plans
    )
    typed = ", ".join(f"k{p.number}, d{p.number}" for p in key_plans)
    con.execute(f"""CREATE VIEW keys AS SELECT rn, {scanned} FROM scan WHERE NOT suspect
        UNION ALL SELECT rn, {typed} FROM typed""")


def _insert(con: duckdb.DuckDBPyConnection, select: str) -> None:
    con.execute(f"INSERT INTO errors {select}")


def cell_errors(con: duckdb.DuckDBPyConnection, plans: list[FieldPlan]) -> None:
    """Type and constraint errors, extra and missing cells, and blank rows of the suspect rows."""
    for plan in plans:
        i, name = plan.number, sql_literal(plan.name)
        constraints = list(plan.field.supported_constraints)
        base = f"SELECT rn, {PHASE_CELL}, {i}"
        _insert(
            con,
            f"{base}, 0, 'type-error', {sql_literal(plan.type_note)}, c{i}, {name} FROM typed WHERE b{i} AND NOT blank",
        )
        if plan.field.constraints.get("required"):
            rank = constraints.index("required") + 1
            _insert(
                con,
                f"{base}, {rank}, 'constraint-error', {sql_literal(plan.constraint_note('required'))}, "
                f"coalesce(c{i}, 'None'), {name} FROM typed WHERE n{i} AND NOT blank",
            )
        for constraint, condition, note in plan.constraints:
            rank = constraints.index(constraint) + 1
            _insert(
                con,
                f"{base}, {rank}, 'constraint-error', {sql_literal(note)}, c{i}, {name} "
                f"FROM (SELECT rn, c{i}, k{i} AS k FROM typed WHERE k{i} IS NOT NULL AND NOT blank) "
                f"WHERE NOT ({condition('k')})",
            )
        if not plan.sql_typed:
            _insert(
                con,
                f"""SELECT rn, {PHASE_CELL}, {i}, rank, kind, note, c{i}, {name} FROM (
                SELECT rn, c{i}, unnest(t{i}) AS kind, unnest(m{i}) AS note, generate_subscripts(m{i}, 1) AS rank
                FROM typed WHERE NOT b{i} AND len(m{i}) > 0 AND NOT blank)""",
            )
    n = len(plans)
    _insert(
        con,
        f"""SELECT rn, {PHASE_EXTRA}, {n} + idx, 0, 'extra-cell', '', extras[idx], '' FROM (
        SELECT rn, extras, generate_subscripts(extras, 1) AS idx FROM typed WHERE extras IS NOT NULL
        AND NOT blank)""",
    )
    for plan in plans:
        _insert(
            con,
            f"SELECT rn, {PHASE_MISSING}, {plan.number}, 0, 'missing-cell', '', '', "
            f"{sql_literal(plan.name)} FROM typed WHERE ncells < {plan.number} AND NOT blank",
        )
    _insert(con, f"SELECT rn, {PHASE_CELL}, 0, 0, 'blank-row', '', NULL, NULL FROM typed WHERE blank")
