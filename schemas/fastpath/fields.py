"""How each Table Schema field is typed over a whole column.

A value whose shape is plainly valid (``-12``, ``1.234.567,89`` with Indonesian separators, a
``true`` of ``trueValues``) is cast by DuckDB. Every other value, and every value of the types
whose parsing rules are Python's own (dates and times with ``strptime`` formats, years,
geopoints, string formats, …), is read once per distinct value by the field's frictionless cell
reader, so odd inputs get frictionless's exact answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from typing import Any

import frictionless

# Up to 15 significant digits a decimal string round-trips through DOUBLE.
MAX_PLAIN_DIGITS = 15
# Zero-padded date parts DuckDB's strptime reads as Python's does (other spellings go to Python).
DATE_PARTS = {"%Y": "[1-9][0-9]{3}", "%m": "(0[1-9]|1[0-2])", "%d": "(0[1-9]|[12][0-9]|3[01])"}
Condition = Callable[[str], str]


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


@dataclass
class FieldPlan:
    """The SQL and Python pieces that type one field; ``column`` is its cell column in ``raw``."""

    field: frictionless.Field
    number: int
    missing_values: list[str]
    key_type: str = "VARCHAR"
    sql_typed: bool = False
    shape: str = "FALSE"
    key_sql: str = "NULL"
    display_sql: str = "NULL"
    # In the scan: ``pre_sql`` is computed once as ``p{number}``, then ``pre_shape`` and ``pre_key`` read it.
    pre_sql: str = ""
    pre_shape: str = ""
    pre_key: str = ""
    constraints: list[tuple[str, Condition, str]] = dataclass_field(default_factory=list)

    @property
    def column(self) -> str:
        return f"c{self.number}"

    @property
    def name(self) -> str:
        return str(self.field.name)

    @property
    def type_note(self) -> str:
        return f'type is "{self.field.type}/{self.field.format}"'

    def constraint_note(self, name: str) -> str:
        return f'constraint "{name}" is "{self.field.constraints[name]}"'

    def null_sql(self) -> str:
        values = [sql_literal(v) for v in self.missing_values]
        return f"({self.column} IS NULL OR {sql_in(self.column, values)})"

    def python_value(self, cell: str) -> tuple[bool, Any, str, list[str], list[str]]:
        """Read one distinct non-missing cell: (typed ok, key, display, error types, notes)."""
        if self.sql_typed:
            target = self.value_reader(cell)
            if target is None:
                return False, None, "", ["type-error"], [self.type_note]
            return True, self.python_key(target), str(target), [], []
        target, notes = self.cell_reader(cell)
        if notes and "type" in notes:
            return False, None, "", ["type-error"], [notes["type"]]
        kinds = ["constraint-error"] * len(notes or {})
        return True, str(target), str(target), kinds, list((notes or {}).values())

    def python_key(self, target: Any) -> Any:
        if self.field.type == "number":
            return float(target)
        return target

    def display_of_key(self, key: str) -> str | None:
        """SQL giving ``str()`` of the typed value from its key, None when the key does not determine it."""
        if self.key_type == "BOOLEAN":
            return f"CASE WHEN {key} THEN 'True' ELSE 'False' END"
        if self.key_type in ("HUGEINT", "DATE"):
            return f"CAST({key} AS VARCHAR)"
        if self.key_type == "VARCHAR":
            return key
        return None

    def __post_init__(self) -> None:
        self.value_reader = self.field.create_value_reader()
        self.cell_reader = self.field.create_cell_reader()
        kind = self.field.type
        if kind == "string" and self.field.format == "default":
            self._plan_string()
        elif kind == "integer":
            self._plan_integer()
        elif kind == "number":
            self._plan_number()
        elif kind == "boolean":
            self._plan_boolean()
        elif kind == "year":
            self._plan_year()
        elif kind == "date":
            self._plan_date()
        if self.sql_typed:
            self._plan_constraints()

    def _plan_string(self) -> None:
        self.sql_typed, self.shape = True, "TRUE"
        self.key_sql = self.display_sql = self.column

    def _plan_integer(self) -> None:
        # A plain integer is one BIGINT prints back unchanged: no plus sign, space or leading zero.
        self.sql_typed, self.key_type = True, "HUGEINT"
        self.pre_sql = f"TRY_CAST({self.column} AS BIGINT)"
        self.pre_shape = f"coalesce(CAST(p{self.number} AS VARCHAR) = {self.column}, FALSE)"
        self.pre_key = f"p{self.number}"
        self.shape = f"coalesce(CAST({self.pre_sql} AS VARCHAR) = {self.column}, FALSE)"
        self.key_sql = f"CAST({self.column} AS HUGEINT)"
        self.display_sql = f"CAST({self.key_sql} AS VARCHAR)"

    def _plan_number(self) -> None:
        self.sql_typed, self.key_type = True, "DOUBLE"
        options: Any = self.field
        group, decimal = str(options.group_char), str(options.decimal_char)
        digits = f"{{0,{MAX_PLAIN_DIGITS - 1}}}"
        if group:
            integer = f"(0|[1-9][0-9]{{0,2}}({literal_pattern(group)}[0-9]{{3}}){{0,4}}|[1-9][0-9]{digits})"
        else:
            integer = f"(0|[1-9][0-9]{digits})"
        pattern = f"-?{integer}({literal_pattern(decimal)}[0-9]{{1,{MAX_PLAIN_DIGITS}}})?"
        self.shape = f"regexp_full_match({self.column}, {sql_literal(pattern)})"
        processed = self.column
        if group:
            processed = f"replace({processed}, {sql_literal(group)}, '')"
        if decimal != ".":
            processed = f"replace({processed}, {sql_literal(decimal)}, '.')"
        self.key_sql = f"CAST({processed} AS DOUBLE)"
        self.display_sql = processed

    def _plan_boolean(self) -> None:
        self.sql_typed, self.key_type = True, "BOOLEAN"
        options: Any = self.field
        true_values = [sql_literal(v) for v in options.true_values]
        false_values = [sql_literal(v) for v in options.false_values]
        column = self.column
        self.shape = f"({sql_in(column, true_values)} OR {sql_in(column, false_values)})"
        self.key_sql = f"CASE WHEN {sql_in(column, false_values)} THEN FALSE ELSE TRUE END"
        self.display_sql = f"CASE WHEN {self.key_sql} THEN 'True' ELSE 'False' END"

    def _plan_year(self) -> None:
        self.sql_typed, self.key_type = True, "HUGEINT"
        self.shape = f"regexp_full_match({self.column}, '[0-9]{{4}}')"
        self.key_sql = f"CAST({self.column} AS HUGEINT)"
        self.display_sql = f"CAST({self.key_sql} AS VARCHAR)"

    def _plan_date(self) -> None:
        strptime = "%Y-%m-%d" if self.field.format == "default" else str(self.field.format)
        pieces = re.split(r"(%.)", strptime)
        directives = [p for p in pieces if p.startswith("%")]
        if sorted(directives) != ["%Y", "%d", "%m"] or "%" in "".join(p for p in pieces if p not in directives):
            return
        pattern = "".join(DATE_PARTS[p] if p in DATE_PARTS else literal_pattern(p) for p in pieces if p)
        column = self.column
        self.sql_typed, self.key_type = True, "DATE"
        self.key_sql = f"CAST(try_strptime({column}, {sql_literal(strptime)}) AS DATE)"
        self.shape = f"(regexp_full_match({column}, {sql_literal(pattern)}) AND {self.key_sql} IS NOT NULL)"
        self.display_sql = f"CAST({self.key_sql} AS VARCHAR)"
        if strptime == "%Y-%m-%d":
            # A date DuckDB prints back unchanged, years 1000 to 9999.
            self.pre_sql = f"TRY_CAST({column} AS DATE)"
            self.pre_shape = (f"coalesce(CAST(p{self.number} AS VARCHAR) = {column} AND length({column}) = 10 "
                              f"AND NOT starts_with({column}, '0'), FALSE)")
            self.pre_key = f"p{self.number}"

    def _plan_constraints(self) -> None:
        """(constraint name, SQL condition a valid key meets, note) in frictionless's order."""
        handled = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "minLength", "maxLength",
                   "pattern")
        for name in self.field.supported_constraints:
            value = self.field.constraints.get(name)
            if value is None or name not in handled:
                continue
            self.constraints.append((name, self._condition(name, value), self.constraint_note(name)))

    def _condition(self, name: str, value: Any) -> Condition:
        """The SQL a valid key ``k`` meets, as a function of the key's column."""
        compare = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        if name in compare:
            bound = sql_literal(self.python_key(self.value_reader(value)))
            if self.key_type == "DOUBLE":
                return lambda k: f"({k} {compare[name]} {bound} AND NOT isnan({k}))"
            return lambda k: f"{k} {compare[name]} {bound}"
        if name == "enum":
            allowed = [sql_literal(self.python_key(t)) for t in map(self.value_reader, value) if t is not None]
            return lambda k: sql_in(k, allowed)
        if name == "minLength":
            return lambda k: f"length({k}) >= {int(value)}"
        if name == "maxLength":
            return lambda k: f"length({k}) <= {int(value)}"
        return lambda k: f"regexp_full_match({k}, {sql_literal(value)})"


def plan_fields(schema: frictionless.Schema) -> list[FieldPlan]:
    plans = []
    for number, schema_field in enumerate(schema.fields, start=1):
        missing = schema_field.missing_values
        if not schema_field.has_defined("missing_values"):
            missing = schema.missing_values
        plans.append(FieldPlan(field=schema_field, number=number, missing_values=list(missing)))
    return plans
