"""The text formats typed in SQL: RE2 patterns of their plainly valid spellings, and ``strptime`` formats.

A ``strptime`` format made of numeric dates and clocks becomes a pattern whose parts SQL turns into
the value frictionless's reader gives; other spellings go to Python.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date

from schemas.fastpath.sql_literals import literal_pattern, sql_literal

# Date and clock parts as Python's strptime reads them, zero-padded (other spellings go to Python).
STRPTIME_PARTS = {
    "%Y": "[1-9][0-9]{3}",
    "%y": "[0-9]{2}",
    "%m": "0[1-9]|1[0-2]",
    "%d": "0[1-9]|[12][0-9]|3[01]",
    "%H": "[01][0-9]|2[0-3]",
    "%M": "[0-5][0-9]",
    "%S": "[0-5][0-9]",
}
# Without padding, where a non-digit follows and precedes each part.
UNPADDED_PARTS = {
    "%m": "0?[1-9]|1[0-2]",
    "%d": "0?[1-9]|[12][0-9]|3[01]",
    "%H": "[01]?[0-9]|2[0-3]",
    "%M": "[0-5]?[0-9]",
    "%S": "[0-5]?[0-9]",
}
STRPTIME_KINDS = {
    "%Y": "year",
    "%y": "year",
    "%m": "month",
    "%b": "month",
    "%B": "month",
    "%d": "day",
    "%H": "hour",
    "%M": "minute",
    "%S": "second",
}
DATE_KINDS = {"year", "month", "day"}
CLOCK_KINDS = {"hour", "minute"}
ISO_DATE = "[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
# isoparse's hh:mm:ss, up to six fraction digits and an offset; 24:00 and other spellings go to Python.
ISO_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?"
# geopoint "lon, lat" within range, written so that the range is checked on the text.
LONGITUDE = "-?(180(\\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\\.[0-9]+)?)"
LATITUDE = "-?(90(\\.0+)?|[1-8]?[0-9](\\.[0-9]+)?)"
UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# rfc3986 finds a scheme, all frictionless's uri format asks, exactly when the text starts like this.
URI_SCHEME = "^[a-zA-Z][a-zA-Z0-9+.-]*:"


@dataclass
class StrptimePattern:
    """An anchored RE2 pattern matching a subset of what a ``strptime`` format reads.

    ``groups`` gives the group of each part by kind (``year``, ``month``, ``day``, ``hour``,
    ``minute``, ``second``), ``directives`` the format's directive for it.
    """

    pattern: str
    groups: dict[str, int]
    directives: dict[str, str]


def strptime_pattern(strptime: str) -> StrptimePattern | None:
    """The pattern of a format made of numeric dates and clocks (``%Y %y %m %b %B %d %H %M %S``),
    each part at most once, and literal text: None for other formats."""
    pieces = [p for p in re.split(r"(%.)", strptime) if p]
    directives = [p for p in pieces if p.startswith("%")]
    kinds = [STRPTIME_KINDS.get(d, "") for d in directives]
    if "" in kinds or len(set(kinds)) != len(kinds) or any("%" in p for p in pieces if p not in directives):
        return None
    # Unpadded parts only where no digit can run into them.
    numeric = [p in STRPTIME_PARTS or any(c.isdigit() for c in p) for p in pieces]
    unpadded = not any(a and b for a, b in itertools.pairwise(numeric))
    pattern = "^"
    for piece in pieces:
        if piece in ("%b", "%B"):
            names = [date(2000, m, 1).strftime(piece) for m in range(1, 13)]
            pattern += "((?i:" + "|".join(literal_pattern(n) for n in names) + "))"
        elif piece in directives:
            part = UNPADDED_PARTS.get(piece, STRPTIME_PARTS[piece]) if unpadded else STRPTIME_PARTS[piece]
            pattern += f"((?:{part}))"
        else:
            pattern += literal_pattern(piece)
    groups = {kind: number for number, kind in enumerate(kinds, start=1)}
    return StrptimePattern(pattern + "$", groups, dict(zip(kinds, directives, strict=True)))


def strptime_sql(parts: StrptimePattern, extracted: str, kind: str) -> tuple[str, str]:
    """SQL (shape, key) of a cell whose parts ``regexp_extract`` gave as the struct ``extracted``.

    The key is what frictionless's reader gives: a DATE for a date, ``str()`` of the value for a
    datetime or time. A struct of empty parts (the cell does not match) has no shape.
    """
    numbers = {k: f"TRY_CAST(struct_extract({extracted}, '{k}') AS INTEGER)" for k in parts.groups}
    if parts.directives.get("year") == "%y":
        # Python's %y: 69 to 99 are 1969 to 1999, 00 to 68 are 2000 to 2068.
        short = numbers["year"]
        numbers["year"] = f"({short} + CASE WHEN {short} <= 68 THEN 2000 ELSE 1900 END)"
    if parts.directives.get("month") in ("%b", "%B"):
        names = [sql_literal(date(2000, m, 1).strftime(parts.directives["month"]).lower()) for m in range(1, 13)]
        numbers["month"] = f"list_position([{', '.join(names)}], lower(struct_extract({extracted}, 'month')))"
    numbers.setdefault("second", "0")
    if kind == "time":
        valid = f"({numbers['hour']} IS NOT NULL)"
        clock = f"make_time({numbers['hour']}, {numbers['minute']}, {numbers['second']})"
        return valid, f"CASE WHEN {valid} THEN CAST({clock} AS VARCHAR) END"
    year, month, day = numbers["year"], numbers["month"], numbers["day"]
    leap = f"({year} % 4 = 0 AND {year} % 100 <> 0 OR {year} % 400 = 0)"
    days = (
        f"CASE WHEN {month} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    valid = f"coalesce({day} <= {days}, FALSE)"
    if kind == "date":
        return valid, f"CASE WHEN {valid} THEN make_date({year}, {month}, {day}) END"
    clock = f"{numbers['hour']}, {numbers['minute']}, {numbers['second']}"
    return valid, f"CASE WHEN {valid} THEN CAST(make_timestamp({year}, {month}, {day}, {clock}) AS VARCHAR) END"
