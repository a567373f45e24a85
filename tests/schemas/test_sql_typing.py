"""The spellings the fast path types in SQL are read by frictionless to the same value.

A value whose shape SQL accepts never reaches frictionless's reader in the fast path, so for each
type the shape must imply that frictionless accepts the value and the SQL key must be what the
fast path would otherwise have taken from frictionless (``str()`` of the value for the types
Python reads, the value itself for the others). Values outside the shapes go to frictionless.
"""

from __future__ import annotations

from typing import Any

import duckdb
import frictionless
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.fastpath.fields import FieldPlan

DATETIME = {"type": "datetime"}
TIME = {"type": "time"}
GEOPOINT = {"type": "geopoint"}
TYPED_IN_SQL: list[tuple[dict[str, Any], str]] = [
    (DATETIME, "2024-01-01T10:00:00"),
    (DATETIME, "2024-02-29 23:59:59Z"),
    (DATETIME, "2024-01-01T10:00:00.5+07:00"),
    (DATETIME, "2024-01-01T10:00:00.000-00:00"),
    (DATETIME, "1999-12-31T00:00:00.123456-03:30"),
    (TIME, "00:00:00"),
    (TIME, "23:59:59.999999z"),
    (TIME, "12:30:00.0500+00:00"),
    (GEOPOINT, "109.3, -0.03"),
    (GEOPOINT, "-180,90"),
    (GEOPOINT, " 180.000 , -90.0 "),
    ({"type": "string", "format": "uuid"}, "8F14E45F-ceea-467f-a8f6-1c3b2f0f5b3a"),
    ({"type": "string", "format": "uri"}, "mailto:walidata@pontianak.go.id"),
    ({"type": "date", "format": "%d/%m/%y"}, "1/2/68"),
    ({"type": "date", "format": "%d/%m/%y"}, "31/12/69"),
    ({"type": "date", "format": "%d %b %Y"}, "29 feb 2024"),
    ({"type": "date", "format": "%d %B %Y"}, "1 DECEMBER 2024"),
    ({"type": "date", "format": "%Y%m%d"}, "20241231"),
    ({"type": "date", "format": "%d/%m/%Y"}, "29/2/2000"),
    ({"type": "date", "format": "%d.%m.%Y"}, "1.2.2024"),
    ({"type": "datetime", "format": "%d/%m/%Y %H:%M"}, "1/2/2024 7:05"),
    ({"type": "datetime", "format": "%Y-%m-%d %H:%M:%S"}, "2024-02-29 23:59:59"),
    ({"type": "datetime", "format": "%d %b %y %H.%M"}, "31 Dec 99 13.45"),
    ({"type": "time", "format": "%H:%M"}, "07:05"),
    ({"type": "time", "format": "%H.%M.%S"}, "23.59.59"),
    ({"type": "integer", "bareNumber": False}, "Rp 1500"),
    ({"type": "integer", "bareNumber": False}, "-12 orang"),
]
LEFT_TO_PYTHON: list[tuple[dict[str, Any], str]] = [
    (DATETIME, "2024-01-01T24:00:00"),
    (DATETIME, "2024-01-01T10:00:00,5"),
    (DATETIME, "2024-01-01T10:00:00.1234567"),
    (DATETIME, "20240101T100000"),
    (DATETIME, "2024-01-01T10:00:00+0700"),
    (DATETIME, "2023-02-29T10:00:00"),
    (TIME, "24:00:00"),
    (GEOPOINT, "1e2, 0"),
    (GEOPOINT, "180.1, 0"),
    ({"type": "string", "format": "uuid"}, "8f14e45fceea467fa8f61c3b2f0f5b3a"),
    ({"type": "date", "format": "%Y%m%d"}, "2024131"),
    ({"type": "date", "format": "%d/%m/%Y"}, "29/2/1900"),
    ({"type": "date", "format": "%d/%m/%Y"}, "31/4/2024"),
    ({"type": "date", "format": "%d %b %Y"}, "1  Jan 2024"),
    ({"type": "integer", "bareNumber": False}, "Rp 007"),
    ({"type": "datetime", "format": "%d/%m/%Y %H:%M"}, "30/2/2024 10:00"),
    ({"type": "datetime", "format": "%d/%m/%Y %H:%M"}, "1/2/2024 24:00"),
    ({"type": "time", "format": "%H:%M"}, "7:60"),
    ({"type": "time", "format": "%H%M"}, "745"),
]


def plan(descriptor: dict[str, Any], keyed: bool = False) -> FieldPlan:
    field = frictionless.Schema.from_descriptor({"fields": [{"name": "x", **descriptor}]}).fields[0]
    return FieldPlan(field=field, number=1, missing_values=[""], keyed=keyed)


CONNECTION = duckdb.connect()


def in_sql(field_plan: FieldPlan, value: str) -> tuple[bool, Any]:
    with CONNECTION.cursor() as con:
        row = con.execute(
            f"SELECT coalesce({field_plan.shape}, FALSE), {field_plan.key_sql} FROM (SELECT $1::VARCHAR AS c1)", [value]
        ).fetchone()
    assert row is not None
    return bool(row[0]), row[1]


def frictionless_key(field_plan: FieldPlan, value: str) -> Any:
    """What the fast path takes from frictionless's reader for ``value`` (None for a type error)."""
    typed = field_plan.field.create_value_reader()(value)
    if typed is None:
        return None
    return field_plan.python_key(typed) if field_plan.sql_typed else str(typed)


@pytest.mark.parametrize(("descriptor", "value"), TYPED_IN_SQL)
def test_common_spellings_are_typed_in_sql_as_frictionless_reads_them(descriptor: dict[str, Any], value: str) -> None:
    field_plan = plan(descriptor)
    shaped, key = in_sql(field_plan, value)
    assert shaped
    if descriptor["type"] != "geopoint":
        assert key == frictionless_key(field_plan, value)


@pytest.mark.parametrize(("descriptor", "value"), LEFT_TO_PYTHON)
def test_other_spellings_go_to_frictionless(descriptor: dict[str, Any], value: str) -> None:
    assert not in_sql(plan(descriptor), value)[0]


def test_types_checked_by_their_constraints_stay_with_python() -> None:
    assert plan({"type": "datetime", "constraints": {"minimum": "2024-01-01T00:00:00"}}).shape == "FALSE"
    assert plan({"type": "time", "constraints": {"enum": ["10:00:00"]}}).shape == "FALSE"
    assert plan({"type": "geopoint"}, keyed=True).shape == "FALSE"
    assert plan({"type": "datetime", "constraints": {"required": True}}).shape != "FALSE"
    assert (
        plan({"type": "datetime", "format": "%d/%m/%Y %H:%M", "constraints": {"maximum": "1/1/2030 00:00"}}).shape
        == "FALSE"
    )
    assert plan({"type": "datetime", "format": "%d/%m/%Y %H:%M %z"}).shape == "FALSE"
    assert plan({"type": "date", "format": "%d/%m/%Y %H:%M"}).shape == "FALSE"


DATES_AND_CLOCKS = st.tuples(
    st.sampled_from([999, 1969, 2000, 2024, 2068, 2100]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.booleans(),
)
DIGITS = st.integers(0, 99).map(lambda n: f"{n:02d}")
FRACTIONS = st.sampled_from(["", ".0", ".5", ".000", ".050", ".123456", ".1234567", ",5", "."])
OFFSETS = st.sampled_from(["", "Z", "z", "+07:00", "-00:00", "+00:00", "-03:30", "+24:00", "+0700", "+07", "+07:60"])
DATES = st.tuples(
    st.sampled_from(["0999", "1000", "1969", "2023", "2024", "9999"]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.booleans(),
)
CLOCKS = st.tuples(st.integers(0, 25), DIGITS, DIGITS, FRACTIONS, OFFSETS)


def clock(hour: int, minute: str, second: str, fraction: str, offset: str) -> str:
    return f"{hour:02d}:{minute}:{second}{fraction}{offset}"


@settings(max_examples=200, deadline=None)
@given(DATES, st.sampled_from(["T", " ", "t", "x"]), CLOCKS)
def test_generated_datetimes(
    date_parts: tuple[str, int, int, bool], separator: str, time_parts: tuple[int, str, str, str, str]
) -> None:
    year, month, day, padded = date_parts
    text = f"{year}-{month:02d}-{day:02d}" if padded else f"{year}-{month}-{day}"
    for descriptor, value in ((DATETIME, f"{text}{separator}{clock(*time_parts)}"), (TIME, clock(*time_parts))):
        field_plan = plan(descriptor)
        shaped, key = in_sql(field_plan, value)
        if shaped:
            assert key == frictionless_key(field_plan, value), value


COORDINATES = st.sampled_from(
    [
        "0",
        "-0",
        "90",
        "-90",
        "90.0",
        "90.5",
        "180",
        "-180",
        "180.00",
        "180.1",
        "179.99",
        "109.3",
        "-0.03",
        "007",
        "1e2",
        "1_0",
        "",
        " 45",
        "45 ",
        "+45",
    ]
)


@settings(max_examples=150, deadline=None)
@given(COORDINATES, st.sampled_from([",", ", ", " , ", ";"]), COORDINATES)
def test_generated_geopoints(lon: str, separator: str, lat: str) -> None:
    value = f"{lon}{separator}{lat}"
    shaped, _ = in_sql(plan(GEOPOINT), value)
    if shaped:
        assert frictionless_key(plan(GEOPOINT), value) is not None, value


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["%d/%m/%y", "%d/%m/%Y", "%d %b %Y", "%d-%B-%y", "%Y%m%d", "%m.%d.%Y", "%d%m%y"]),
    st.integers(0, 32),
    st.integers(0, 13),
    st.sampled_from([999, 1900, 1969, 2000, 2023, 2024, 2068, 2100]),
    st.booleans(),
)
def test_generated_dates(strptime: str, day: int, month: int, year: int, padded: bool) -> None:
    months = ["", "Jan", "feb", "MAR", "April", "may", "Jun", "JULY", "aug", "Sept", "oct", "Nov", "december", "Dex"]
    width = 2 if padded else 1
    value = (
        strptime.replace("%d", f"{day:0{width}d}")
        .replace("%m", f"{month:0{width}d}")
        .replace("%Y", f"{year:04d}")
        .replace("%y", f"{year % 100:02d}")
        .replace("%b", months[month])
        .replace("%B", months[month])
    )
    field_plan = plan({"type": "date", "format": strptime})
    shaped, key = in_sql(field_plan, value)
    if shaped:
        assert key == frictionless_key(field_plan, value), value


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%d-%m-%y %H.%M", "%H:%M", "%H:%M:%S", "%H%M%S"]),
    DATES_AND_CLOCKS,
)
def test_generated_strptime_datetimes_and_times(
    strptime: str, parts: tuple[int, int, int, int, int, int, bool]
) -> None:
    year, month, day, hour, minute, second, padded = parts
    width = 2 if padded else 1
    value = strptime
    for directive, number in (("%d", day), ("%m", month), ("%H", hour), ("%M", minute), ("%S", second)):
        value = value.replace(directive, f"{number:0{width}d}")
    value = value.replace("%Y", f"{year:04d}").replace("%y", f"{year % 100:02d}")
    field_plan = plan({"type": "time" if "%d" not in strptime else "datetime", "format": strptime})
    shaped, key = in_sql(field_plan, value)
    if shaped:
        assert key == frictionless_key(field_plan, value), value


@pytest.mark.parametrize("strptime", ["%d/%m/%Y", "%d %b %y"])
def test_every_day_of_four_years_is_read_as_frictionless_reads_it(strptime: str) -> None:
    """Leap years (2000, 2024) and not (1900, 2023), every month, days 1 to 31."""
    field_plan = plan({"type": "date", "format": strptime})
    months = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    values = [
        strptime.replace("%d", str(day))
        .replace("%m", str(month))
        .replace("%Y", str(year))
        .replace("%y", f"{year % 100:02d}")
        .replace("%b", months[month])
        for year in (1900, 2000, 2023, 2024)
        for month in range(1, 13)
        for day in range(1, 32)
    ]
    with CONNECTION.cursor() as con:
        rows = con.execute(
            f"SELECT coalesce({field_plan.shape}, FALSE), {field_plan.key_sql} "
            "FROM (SELECT unnest($1::VARCHAR[]) AS c1)",
            [values],
        ).fetchall()
    read = [frictionless_key(field_plan, value) for value in values]
    assert [(key if shaped else None) for shaped, key in rows] == read
