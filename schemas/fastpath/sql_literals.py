"""Values and lists of values written into DuckDB SQL and RE2 patterns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any


def sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"{value}::HUGEINT"
    if isinstance(value, (float, Decimal)):
        return f"'{float(value)!r}'::DOUBLE"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def sql_in(value: str, literals: list[str]) -> str:
    """SQL true when ``value`` is one of ``literals``: a function, which DuckDB does not turn into a join."""
    return f"coalesce(list_contains([{', '.join(literals)}], {value}), FALSE)" if literals else "FALSE"


def literal_pattern(text: str) -> str:
    """``text`` as a literal inside an RE2 pattern."""
    return "\\Q" + text + "\\E"
