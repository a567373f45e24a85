"""Running the columnar checks on one CSV file and returning frictionless's task report."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import frictionless
from frictionless.table.header import Header

from schemas.fastpath import cells, integrity, report
from schemas.fastpath.fields import FieldPlan, plan_fields
from schemas.fastpath.reader import Progress, load_csv, workspace
from schemas.registry import REFERENCE_TABLES, reference_table
from schemas.sniff import Dialect, frictionless_resource

MEMORY_LIMIT = "256MB"


class Unsupported(Exception):
    """The fast path cannot check this file the way frictionless does; use frictionless."""


def _reference_value(value: Any, key_type: str) -> Any:
    """A referenced cell as the key it can equal, None when no value of the field can equal it."""
    if value is None or isinstance(value, bool):
        return value if key_type == "BOOLEAN" else None
    if key_type == "HUGEINT":
        return value if isinstance(value, int) else None
    if key_type == "DOUBLE":
        return float(value) if isinstance(value, (int, float, Decimal)) else None
    if key_type == "BOOLEAN":
        return None
    return value if isinstance(value, str) else str(value)


def _foreign_keys(
    con: duckdb.DuckDBPyConnection, schema: frictionless.Schema, plans: list[FieldPlan], name: str
) -> list[integrity.ForeignKey]:
    by_name = {p.name: p for p in plans}
    keys = []
    for number, fk in enumerate(schema.foreign_keys):
        source, fields, reference_fields = fk["reference"]["resource"], fk["fields"], fk["reference"]["fields"]
        table = f"fk{number}"
        if not set(fields) <= set(by_name):
            continue
        if not source or source == name:
            if not set(reference_fields) <= set(by_name):
                raise Unsupported("self-reference to unknown fields")
            columns = [f"k{by_name[f].number}" for f in reference_fields]
            aliased = ", ".join(f"{c} AS r{j}" for j, c in enumerate(columns, start=1))
            not_all_null = " OR ".join(f"{c} IS NOT NULL" for c in columns)
            con.execute(f"CREATE TABLE {table} AS SELECT DISTINCT {aliased} FROM typed WHERE {not_all_null}")
        elif source in REFERENCE_TABLES:
            path, descriptor = reference_table(source)
            resource: Any = frictionless.Resource(
                path=str(path), schema=frictionless.Schema.from_descriptor(descriptor)
            )
            with resource:
                rows = [tuple(row.get(f) for f in reference_fields) for row in resource.row_stream]
            types = [by_name[f].key_type for f in fields]
            converted = [
                tuple(_reference_value(v, t) for v, t in zip(row, types, strict=True))
                for row in rows
                if set(row) != {None}
            ]
            unnested = ", ".join(f"unnest(${j}::{t}[]) AS r{j}" for j, t in enumerate(types, start=1))
            con.execute(f"CREATE TABLE {table} AS SELECT {unnested}",
                        [[row[j] for row in converted] for j in range(len(types))])
        else:
            raise Unsupported(f"foreign key to unknown resource {source!r}")
        keys.append(integrity.ForeignKey(fields=list(fields), reference_name=source,
                                         reference_fields=list(reference_fields), table=table))
    return keys


def _checks(
    con: duckdb.DuckDBPyConnection, schema: frictionless.Schema, plans: list[FieldPlan], name: str,
    header: Header, limit_errors: int | None,
) -> list[dict[str, Any]]:
    cells.build_typed(con, plans)
    cells.cell_errors(con, plans)
    integrity.unique_errors(con, plans)
    integrity.primary_key_errors(con, plans, list(schema.primary_key))
    foreign_keys = _foreign_keys(con, schema, plans, name)
    for foreign_key in foreign_keys:
        integrity.foreign_key_errors(con, plans, foreign_key)
    task_errors: list[dict[str, Any]] = [dict(e.to_descriptor()) for e in header.errors]
    remaining = None if limit_errors is None else max(limit_errors - len(task_errors), 0)
    if remaining != 0:
        task_errors.extend(report.row_errors(con, len(plans), foreign_keys, remaining))
    return task_errors if limit_errors is None else task_errors[:limit_errors]


def validate_csv(
    path: Path, schema: frictionless.Schema, dialect: Dialect, *, limit_errors: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The report task of ``path`` checked against ``schema``."""
    started = time.perf_counter()
    plans = plan_fields(schema)
    if not plans:
        raise Unsupported("a schema without fields")
    name = str(frictionless_resource(path, dialect=dialect).name)
    with workspace() as tmp, duckdb.connect() as con:
        con.execute(f"SET memory_limit='{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory='{tmp}'")
        con.execute("SET preserve_insertion_order=true")
        con.execute("SET enable_progress_bar=false")
        try:
            loaded = load_csv(con, path, dialect, len(plans), Path(tmp), progress)
        except (duckdb.Error, UnicodeDecodeError) as exc:
            raise Unsupported(str(exc)) from exc
        if not loaded.labels:
            raise Unsupported("no header row")
        header = Header(loaded.labels, fields=list(schema.fields), row_numbers=[dialect.header_row])
        # With labels missing or in excess frictionless re-derives the fields from the header.
        if {e.type for e in header.errors} & {"blank-header", "unmatched-header", "extra-label", "missing-label"}:
            raise Unsupported("a header whose labels do not match the fields one to one")
        try:
            task_errors = _checks(con, schema, plans, name, header, limit_errors)
        except duckdb.Error as exc:
            # e.g. a pattern RE2 cannot compile (look-arounds, back-references)
            raise Unsupported(str(exc)) from exc
    seconds = round(time.perf_counter() - started, 3)
    stats = loaded.stats
    task_stats: dict[str, Any] = {
        "errors": len(task_errors), "warnings": 0, "seconds": seconds, "md5": stats.md5, "sha256": stats.sha256,
        "bytes": stats.bytes, "fields": len(plans),
    }
    # frictionless counts rows while it streams them and leaves the count out of a header-only file.
    if loaded.rows:
        task_stats["rows"] = loaded.rows
    return {
        "name": name, "type": "table", "valid": not task_errors, "place": path.name,
        "labels": loaded.labels,
        "stats": task_stats,
        "warnings": [], "errors": task_errors,
    }
