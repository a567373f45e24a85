"""Error descriptors in frictionless's exact shape, built from the ``errors`` table."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from string import Formatter
from typing import Any

import duckdb
from frictionless import errors as ferrors

from schemas.fastpath.integrity import ForeignKey
from schemas.report import ReportError

ERROR_CLASSES: dict[str, type[ferrors.RowError]] = {
    cls.type: cls
    for cls in (
        ferrors.TypeError,
        ferrors.ConstraintError,
        ferrors.UniqueError,
        ferrors.ExtraCellError,
        ferrors.MissingCellError,
        ferrors.BlankRowError,
        ferrors.PrimaryKeyError,
        ferrors.ForeignKeyError,
    )
}
VALUE_SEPARATOR = "\x1f"
ROW_LEVEL = ("blank-row", "primary-key", "foreign-key")


MESSAGE_VALUES = {
    "rowNumber": "CAST(rn AS VARCHAR)",
    "note": "note",
    "cell": "cell",
    "fieldName": "field_name",
    "fieldNumber": "CAST(fnum AS VARCHAR)",
}


def _message_sql() -> str:
    """SQL writing each error's message from its type's template (NULL for foreign keys, written in Python)."""
    cases = []
    for error_type, cls in ERROR_CLASSES.items():
        if error_type == "foreign-key":
            continue
        parts = []
        for literal, name, _, _ in Formatter().parse(cls.template):
            if literal:
                parts.append("'" + literal.replace("'", "''") + "'")
            if name:
                parts.append(MESSAGE_VALUES[name])
        cases.append(f"WHEN '{error_type}' THEN " + " || ".join(parts))
    return "CASE type " + " ".join(cases) + " END"


def _cells(cursor: duckdb.DuckDBPyConnection) -> dict[int, list[str]]:
    """Rows (rn, ncells, extras, c1..cN) as their lists of cells."""
    rows = {}
    while batch := cursor.fetchmany(50000):
        for row in batch:
            cells = list(row[3 : 3 + row[1]])
            rows[row[0]] = cells + row[2] if row[2] else cells
    return rows


def source_rows(con: duckdb.DuckDBPyConnection, source: str, n_fields: int, numbers: list[int]) -> dict[int, list[str]]:
    """The cells of the rows ``numbers``, read again from ``source``."""
    if not numbers:
        return {}
    return _cells(
        con.execute(
            f"""SELECT rn, ncells, extras, {", ".join(f"c{i}" for i in range(1, n_fields + 1))} FROM ({source})
        WHERE rn IN (SELECT unnest($1::BIGINT[]))""",
            [numbers],
        )
    )


@dataclass
class Found:
    """The errors as fetched from DuckDB, in order, and the cells of their rows."""

    errors: list[tuple[Any, ...]] = field(default_factory=list)
    cells: dict[int, list[str]] = field(default_factory=dict)


def fetch_errors(
    con: duckdb.DuckDBPyConnection, n_fields: int, limit: int | None, fetched: dict[int, list[str]]
) -> Found:
    """The first ``limit`` errors (all when None) in frictionless's order, and the cells of their rows.

    ``fetched`` holds the cells of the rows ``typed`` does not.
    """
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    order = f"ORDER BY rn, phase, fnum, rank {limit_sql}"
    last = con.execute(f"SELECT max(rn) FROM (SELECT rn FROM errors {order if limit else ''})").fetchone()
    if last is None or last[0] is None:
        return Found()
    rows = dict(fetched)
    rows.update(
        _cells(
            con.execute(
                f"""SELECT rn, ncells, extras, {", ".join(f"c{i}" for i in range(1, n_fields + 1))} FROM typed
        WHERE rn <= {int(last[0])} AND rn IN (SELECT rn FROM errors)"""
            )
        )
    )
    # The rows' tables are no longer needed: give their memory back before the errors arrive.
    con.execute("DROP VIEW IF EXISTS keys")
    con.execute("DROP TABLE typed")
    con.execute("DROP VIEW scan")
    con.execute("DROP TABLE scan_rows")
    con.execute("DROP TABLE IF EXISTS blank_shifts")
    con.execute("DROP TABLE IF EXISTS blank_records")
    types = ", ".join(f"'{t}'" for t in ERROR_CLASSES)
    errors = con.execute(
        f"SELECT rn, fnum, list_position([{types}], type) - 1, note, cell, {_message_sql()} FROM errors {order}"
    ).fetchall()
    return Found(errors, rows)


def descriptors(found: Found, names: list[str], foreign_keys: list[ForeignKey]) -> list[ReportError]:
    """Error descriptors in frictionless's shape; ``names`` are the fields' names.

    A row's errors share one list of its cells, and errors of a type their title, description and tags.
    """
    kinds = [(name, cls.title, cls.description, list(cls.tags), cls.template) for name, cls in ERROR_CLASSES.items()]
    field_names = dict(enumerate(names, start=1))
    rows = found.cells
    errors: list[ReportError] = []
    # Hundreds of thousands of new containers: the cyclic collector would rescan them all, to free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for row_number, field_number, kind, note, cell, message in found.errors:
            error_type, title, description, tags, template = kinds[kind]
            error: ReportError
            if error_type in ROW_LEVEL:
                error = {
                    "type": error_type,
                    "title": title,
                    "description": description,
                    "message": message,
                    "tags": tags,
                    "note": note,
                    "cells": rows[row_number],
                    "rowNumber": row_number,
                }
            else:
                error = {
                    "type": error_type,
                    "title": title,
                    "description": description,
                    "message": message,
                    "tags": tags,
                    "note": note,
                    "cells": rows[row_number],
                    "rowNumber": row_number,
                    "cell": cell,
                    "fieldName": field_names.get(field_number, ""),
                    "fieldNumber": field_number,
                }
            if error_type == "foreign-key":
                fk = foreign_keys[field_number]
                values = note.split(VALUE_SEPARATOR)
                error["note"] = note = values.pop()
                error["fieldNames"] = list(fk.fields)
                error["fieldCells"] = ["" if v == "\x00" else v for v in values]
                error["referenceName"] = fk.reference_name
                error["referenceFieldNames"] = list(fk.reference_fields)
                error["message"] = template.format(rowNumber=row_number, note=note)
            elif message is None:
                error["message"] = template.format(
                    rowNumber=row_number,
                    note=note,
                    cell=error.get("cell"),
                    fieldName=error.get("fieldName"),
                    fieldNumber=error.get("fieldNumber"),
                )
            errors.append(error)
    finally:
        if collecting:
            gc.enable()
    return errors
