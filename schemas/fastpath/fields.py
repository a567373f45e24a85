"""How each Table Schema field is typed over a whole column.

A value whose shape is plainly valid (``-12``, ``1.234.567,89`` with Indonesian separators, a
``true`` of ``trueValues``) is cast by DuckDB. Every other value, and every value of the types
whose parsing rules are Python's own (dates and times with ``strptime`` formats, years,
geopoints, string formats, …), is read once per distinct value by the field's frictionless cell
reader, so odd inputs get frictionless's exact answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

import frictionless

# Up to 15 significant digits a decimal string round-trips through DOUBLE.
MAX_PLAIN_DIGITS = 15


def sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"{value}::HUGEINT"
    if isinstance(value, (float, Decimal)):
        return f"'{float(value)!r}'::DOUBLE"
    return "'" + str(value).replace("'", "''") + "'"


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
    constraints: list[tuple[str, str, str]] = dataclass_field(default_factory=list)

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
        values = ", ".join(sql_literal(v) for v in self.missing_values)
        return f"({self.column} IS NULL" + (f" OR {self.column} IN ({values}))" if values else ")")

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
        if self.sql_typed:
            self._plan_constraints()

    def _plan_string(self) -> None:
        self.sql_typed, self.shape = True, "TRUE"
        self.key_sql = self.display_sql = self.column

    def _plan_integer(self) -> None:
        self.sql_typed, self.key_type = True, "HUGEINT"
        self.shape = f"regexp_full_match({self.column}, '-?(0|[1-9][0-9]{{0,17}})')"
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
        true_values = ", ".join(sql_literal(v) for v in options.true_values) or "NULL"
        false_values = ", ".join(sql_literal(v) for v in options.false_values) or "NULL"
        column = self.column
        self.shape = f"({column} IN ({true_values}) OR {column} IN ({false_values}))"
        self.key_sql = f"CASE WHEN {column} IN ({false_values}) THEN FALSE ELSE TRUE END"
        self.display_sql = f"CASE WHEN {self.key_sql} THEN 'True' ELSE 'False' END"

    def _plan_constraints(self) -> None:
        """(constraint name, SQL condition a valid key meets, note) in frictionless's order."""
        compare = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        for name in self.field.supported_constraints:
            value = self.field.constraints.get(name)
            if value is None or name == "required":
                continue
            if name in compare:
                bound = self.value_reader(value)
                condition = f"(k {compare[name]} {sql_literal(self.python_key(bound))} AND NOT isnan(k::DOUBLE))"
            elif name == "enum":
                typed = [self.value_reader(v) for v in value]
                allowed = ", ".join(sql_literal(self.python_key(v)) for v in typed if v is not None)
                condition = f"k IN ({allowed})" if allowed else "FALSE"
            elif name == "minLength":
                condition = f"length(k) >= {int(value)}"
            elif name == "maxLength":
                condition = f"length(k) <= {int(value)}"
            elif name == "pattern":
                condition = f"regexp_full_match(k, {sql_literal(value)})"
            else:
                continue
            self.constraints.append((name, condition, self.constraint_note(name)))


def plan_fields(schema: frictionless.Schema) -> list[FieldPlan]:
    plans = []
    for number, schema_field in enumerate(schema.fields, start=1):
        missing = schema_field.missing_values
        if not schema_field.has_defined("missing_values"):
            missing = schema.missing_values
        plans.append(FieldPlan(field=schema_field, number=number, missing_values=list(missing)))
    return plans
