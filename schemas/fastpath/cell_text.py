"""The text of a worksheet cell that frictionless's field reader types as it types the cell.

A cell that is not a string is written as the text frictionless's field reader turns into the same
typed value (or, when frictionless rejects it, a text it rejects too), and marked where that text
is not what frictionless prints for the cell (``5.0``, ``2024-12-31 00:00:00``, ``None``). A value
no text types like frictionless does raises ``Unsupported``.
"""

from __future__ import annotations

import math
from datetime import date, time
from typing import Any

import frictionless

from schemas.fastpath.engine import Unsupported

# Texts for cells frictionless rejects, tried in turn until the field's reader rejects one too.
INVALID_TEXTS = ("\x1finvalid\x1f", "-\x1f-")
MAX_CACHED = 100_000


def _same(left: Any, right: Any) -> bool:
    """Whether two typed values are the same for frictionless's checks and print the same."""
    if left is None or right is None:
        return left is None and right is None
    return bool(left == right) and str(left) == str(right)


class CellWriter:
    """How the cells of one field are written so that the CSV path types them as frictionless does."""

    def __init__(self, schema_field: frictionless.Field, missing_values: list[str]) -> None:
        self.field = schema_field
        self.reader = schema_field.create_value_reader()
        self.missing = set(missing_values)
        self.null = "" if "" in self.missing else (missing_values[0] if missing_values else None)
        self.invalid = next((t for t in INVALID_TEXTS if t not in self.missing and self.reader(t) is None), None)
        self.cache: dict[tuple[type, Any], tuple[str, bool]] = {}
        options: Any = schema_field
        plain_number = (
            schema_field.type == "number"
            and options.decimal_char == "."
            and (not options.group_char or options.group_char not in "0123456789.-+eE")
        )
        # Types whose ``str()`` frictionless's reader of the field reads back to the very same value.
        self.plain: tuple[type, ...] = ()
        if schema_field.type == "integer":
            self.plain = (int,)
        elif plain_number:
            self.plain = (int, float)

    def text(self, value: Any) -> tuple[str, bool]:
        """The CSV text of a cell and whether it differs from what frictionless prints for it."""
        if value is None:
            if self.null is None:
                raise Unsupported(f"an empty cell in field {self.field.name!r}, which has no missing value")
            return self.null, self.null != ""
        kind = type(value)
        if kind is str:
            return value, value == ""
        if kind in self.plain and (kind is int or math.isfinite(value)):
            printed = str(value)
            if printed not in self.missing:
                return printed, False
        key = (kind, value)
        cached = self.cache.get(key)
        if cached is None:
            cached = self._text(value)
            if kind is not float or value != 0:
                if len(self.cache) >= MAX_CACHED:
                    self.cache.clear()
                self.cache[key] = cached
        return cached

    def _text(self, value: Any) -> tuple[str, bool]:
        printed = str(value)
        if printed in self.missing:
            return printed, False
        target = self.reader(value)
        if _same(self.reader(printed), target):
            return printed, False
        text = self.invalid if target is None else self._canonical(target)
        if text is None or text in self.missing or not _same(self.reader(text), target):
            raise Unsupported(f"a {type(value).__name__} cell {printed!r} in field {self.field.name!r}")
        return text, True

    def _canonical(self, target: Any) -> str | None:
        """The text frictionless reads as ``target``, to be checked by reading it back."""
        options: Any = self.field
        kind, form = self.field.type, self.field.format
        if kind in ("integer", "year"):
            return f"{int(target):04d}" if kind == "year" else str(int(target))
        if kind == "number":
            return str(target).replace(".", options.decimal_char)
        if kind == "boolean":
            values = options.true_values if target else options.false_values
            return str(values[0]) if values else None
        if kind in ("date", "datetime", "time") and isinstance(target, (date, time)):
            return target.isoformat() if form in ("default", "any") else target.strftime(form)
        return None
