"""How each Table Schema field is typed over a whole column.

A value whose shape is plainly valid (``-12``, ``1.234.567,89`` with Indonesian separators, a
``true`` of ``trueValues``, ``31/12/24`` for ``%d/%m/%y``, an ISO datetime or time, ``31/12/2024
13:45`` for ``%d/%m/%Y %H:%M``, a geopoint ``lon, lat`` in range, a UUID) is cast by DuckDB; for
the types frictionless reads in Python (datetime, time, geopoint) SQL also writes the text of
frictionless's value, which the fast path compares. Every other value, and every value of the
types and fields whose rules stay Python's own (e-mail addresses, datetime and time fields with
bounds or lists of values, …), is read once per distinct value by the field's frictionless cell
reader, so odd inputs get frictionless's exact answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import frictionless

from schemas.fastpath.sql_literals import literal_pattern, sql_in, sql_literal
from schemas.fastpath.text_formats import (
    CLOCK_KINDS,
    DATE_KINDS,
    ISO_DATE,
    ISO_TIME,
    LATITUDE,
    LONGITUDE,
    URI_SCHEME,
    UUID,
    StrptimePattern,
    strptime_pattern,
    strptime_sql,
)

# Up to 15 significant digits a decimal string round-trips through DOUBLE.
MAX_PLAIN_DIGITS = 15
Condition = Callable[[str], str]


@dataclass
class FieldPlan:
    """The SQL and Python pieces that type one field; ``column`` is its cell column in ``raw``."""

    field: frictionless.Field
    number: int
    missing_values: list[str]
    # Compared by unique, primary or foreign keys.
    keyed: bool = False
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
        kind, form = self.field.type, self.field.format
        if kind == "string" and form == "default":
            self._plan_string()
        elif kind == "string" and form in ("uuid", "uri"):
            self._plan_string_format(form)
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
        elif form == "default" and kind in ("datetime", "time", "geopoint") and self._checks_only_required():
            self._plan_python_type(kind)
        elif kind in ("datetime", "time") and form not in ("default", "any") and self._checks_only_required():
            self._plan_strptime(kind, str(form))
        if self.sql_typed:
            self._plan_constraints()

    def _plan_string(self) -> None:
        self.sql_typed, self.shape = True, "TRUE"
        self.key_sql = self.display_sql = self.column

    def _plan_string_format(self, form: str) -> None:
        column = self.column
        self.sql_typed = True
        if form == "uuid":
            self.shape = f"regexp_full_match({column}, {sql_literal(UUID)})"
        else:
            self.shape = f"regexp_matches({column}, {sql_literal(URI_SCHEME)})"
        self.key_sql = self.display_sql = column

    def _checks_only_required(self) -> bool:
        """Whether frictionless's cell reader checks no constraint of the field but ``required``."""
        constraints = self.field.constraints
        return all(constraints.get(n) is None for n in self.field.supported_constraints if n != "required")

    def _plan_python_type(self, kind: str) -> None:
        """The common spellings of a type Python reads: SQL gives ``str()`` of frictionless's value as the key.

        Every other value still goes to the field's cell reader, which also checks the constraints,
        so only fields without constraints other than ``required`` are typed here.
        """
        column = self.column
        digits = f"regexp_extract({column}, '\\.([0-9]+)', 1)"
        fraction = f"CASE WHEN ltrim({digits}, '0') = '' THEN '' ELSE '.' || rpad({digits}, 6, '0') END"
        offset = f"regexp_extract({column}, '([Zz]|[+-][0-9]{{2}}:[0-9]{{2}})$', 1)"
        zone = f"CASE WHEN {offset} IN ('Z', 'z', '+00:00', '-00:00') THEN '+00:00' ELSE {offset} END"
        if kind == "datetime":
            # isoparse takes any one character between the date and the time.
            pattern = f"{ISO_DATE}[T ]{ISO_TIME}"
            self.shape = (
                f"(regexp_full_match({column}, {sql_literal(pattern)}) "
                f"AND TRY_CAST(left({column}, 10) AS DATE) IS NOT NULL)"
            )
            self.key_sql = f"(left({column}, 10) || ' ' || substr({column}, 12, 8) || {fraction} || {zone})"
        elif kind == "time":
            self.shape = f"regexp_full_match({column}, {sql_literal(ISO_TIME)})"
            self.key_sql = f"(left({column}, 8) || {fraction} || {zone})"
        elif not self.keyed:
            # str() of a geopoint prints Python floats: keyed geopoints stay with Python.
            pattern = f" *{LONGITUDE} *, *{LATITUDE} *"
            self.shape = f"regexp_full_match({column}, {sql_literal(pattern)})"
        self.display_sql = self.key_sql

    def _plan_integer(self) -> None:
        if not getattr(self.field, "bare_number", True):
            self._plan_integer_in_text()
            return
        # A plain integer is one BIGINT prints back unchanged: no plus sign, space or leading zero.
        self.sql_typed, self.key_type = True, "HUGEINT"
        self.pre_sql = f"TRY_CAST({self.column} AS BIGINT)"
        self.pre_shape = f"coalesce(CAST(p{self.number} AS VARCHAR) = {self.column}, FALSE)"
        self.pre_key = f"p{self.number}"
        self.shape = f"coalesce(CAST({self.pre_sql} AS VARCHAR) = {self.column}, FALSE)"
        self.key_sql = f"CAST({self.column} AS HUGEINT)"
        self.display_sql = f"CAST({self.key_sql} AS VARCHAR)"

    def _plan_integer_in_text(self) -> None:
        """``bareNumber: false``: frictionless drops the text before the first digit or minus and after the last."""
        # RE2 \pN takes in more than Python's \d: text around a digit of another script goes to Python.
        pattern = "[^-\\pN]*(-?(?:0|[1-9][0-9]{0,17}))[^\\pN]*"
        self.sql_typed, self.key_type = True, "HUGEINT"
        self.shape = f"regexp_full_match({self.column}, {sql_literal(pattern)})"
        self.key_sql = f"TRY_CAST(regexp_extract({self.column}, {sql_literal('^' + pattern + '$')}, 1) AS HUGEINT)"
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
        parts = strptime_pattern(strptime)
        if parts is None or set(parts.groups) != DATE_KINDS:
            return
        self.sql_typed, self.key_type = True, "DATE"
        self._plan_strptime_parts(parts, "date")
        self.display_sql = f"CAST({self.key_sql} AS VARCHAR)"
        if strptime == "%Y-%m-%d":
            # A date DuckDB prints back unchanged, years 1000 to 9999.
            column = self.column
            self.pre_sql = f"TRY_CAST({column} AS DATE)"
            self.pre_shape = (
                f"coalesce(CAST(p{self.number} AS VARCHAR) = {column} AND length({column}) = 10 "
                f"AND NOT starts_with({column}, '0'), FALSE)"
            )
            self.pre_key = f"p{self.number}"

    def _plan_strptime(self, kind: str, strptime: str) -> None:
        """A datetime or time with a ``strptime`` format of numeric parts (no zone): ``str()`` of the value in SQL."""
        parts = strptime_pattern(strptime)
        wanted = DATE_KINDS | CLOCK_KINDS if kind == "datetime" else CLOCK_KINDS
        if parts is None or set(parts.groups) - {"second"} != wanted:
            return
        self._plan_strptime_parts(parts, kind)
        self.display_sql = self.key_sql

    def _plan_strptime_parts(self, parts: StrptimePattern, kind: str) -> None:
        """Shape and key from the parts ``regexp_extract`` finds, once per cell in the scan (``p{number}``)."""
        extracted = (
            f"regexp_extract({self.column}, {sql_literal(parts.pattern)}, "
            f"[{', '.join(sql_literal(k) for k in parts.groups)}])"
        )
        self.pre_sql = extracted
        self.shape, self.key_sql = strptime_sql(parts, extracted, kind)
        self.pre_shape, self.pre_key = strptime_sql(parts, f"p{self.number}", kind)

    def _plan_constraints(self) -> None:
        """(constraint name, SQL condition a valid key meets, note) in frictionless's order."""
        handled = (
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "enum",
            "minLength",
            "maxLength",
            "pattern",
        )
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


def key_field_names(schema: frictionless.Schema) -> set[str]:
    """The fields unique, primary and foreign keys compare."""
    names = set(schema.primary_key)
    for fk in schema.foreign_keys:
        names.update(fk["fields"])
        if not fk["reference"]["resource"]:
            names.update(fk["reference"]["fields"])
    return names | {str(f.name) for f in schema.fields if f.constraints.get("unique")}


def plan_fields(schema: frictionless.Schema) -> list[FieldPlan]:
    plans = []
    keyed = key_field_names(schema)
    for number, schema_field in enumerate(schema.fields, start=1):
        missing = schema_field.missing_values
        if not schema_field.has_defined("missing_values"):
            missing = schema.missing_values
        plans.append(
            FieldPlan(field=schema_field, number=number, missing_values=list(missing), keyed=schema_field.name in keyed)
        )
    return plans
