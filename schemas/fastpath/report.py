"""Error descriptors in frictionless's exact shape, built from the ``errors`` table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
from frictionless import errors as ferrors

from schemas.fastpath.integrity import ForeignKey

ERROR_CLASSES: dict[str, type[ferrors.RowError]] = {
    cls.type: cls
    for cls in (
        ferrors.TypeError, ferrors.ConstraintError, ferrors.UniqueError, ferrors.ExtraCellError,
        ferrors.MissingCellError, ferrors.BlankRowError, ferrors.PrimaryKeyError, ferrors.ForeignKeyError,
    )
}
VALUE_SEPARATOR = "\x1f"


def _descriptor(error_type: str, note: str, cells: list[str], row_number: int) -> dict[str, Any]:
    cls = ERROR_CLASSES[error_type]
    return {
        "type": error_type, "title": cls.title, "description": cls.description, "message": "",
        "tags": list(cls.tags), "note": note, "cells": cells, "rowNumber": row_number,
    }


def row_errors(
    con: duckdb.DuckDBPyConnection, n_fields: int, foreign_keys: list[ForeignKey], limit: int | None
) -> Iterator[dict[str, Any]]:
    """The errors in frictionless's order, with the cells of their rows."""
    cells = ", ".join(f"t.c{i}" for i in range(1, n_fields + 1))
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    cursor = con.execute(
        f"""SELECT e.rn, e.fnum, e.type, e.note, e.cell, e.field_name,
        list_slice([{cells}], 1, t.ncells) || coalesce(t.extras, []) AS cells
        FROM errors e JOIN typed t ON e.rn = t.rn ORDER BY e.rn, e.phase, e.fnum, e.rank {limit_sql}"""
    )
    while batch := cursor.fetchmany(10000):
        for row_number, field_number, error_type, note, cell, field_name, row_cells in batch:
            error = _descriptor(error_type, note, [c if c is not None else "" for c in row_cells], row_number)
            template = ERROR_CLASSES[error_type].template
            if error_type == "foreign-key":
                fk = foreign_keys[field_number]
                values = note.split(VALUE_SEPARATOR)
                note = values.pop()
                error["note"] = note
                error["fieldNames"] = list(fk.fields)
                error["fieldCells"] = ["" if v == "\x00" else v for v in values]
                error["referenceName"] = fk.reference_name
                error["referenceFieldNames"] = list(fk.reference_fields)
            elif error_type not in ("blank-row", "primary-key"):
                error["cell"] = cell
                error["fieldName"] = field_name
                error["fieldNumber"] = field_number
            error["message"] = template.format(
                rowNumber=row_number, note=note, cell=error.get("cell"), fieldName=error.get("fieldName"),
                fieldNumber=error.get("fieldNumber"),
            )
            yield error
