"""frictionless-py's own test files (``frictionless_data/``) as parity cases: each file with its schema,
validated by plain frictionless and by both of Terbuka's engines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frictionless

from schemas.validation import Engine, validate_file
from tests.schemas.parity import verdict

CORPUS = Path(__file__).parent / "frictionless_data"


@dataclass(frozen=True)
class Case:
    """A file, its schema (a descriptor, ``inferred`` or ``tightened`` by frictionless, None: none given)
    and the Table Dialect and encoding its descriptor declares."""

    id: str
    file: str
    schema: str | dict[str, Any] | None
    dialect: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None

    @property
    def path(self) -> Path:
        return CORPUS / self.file


def cases() -> list[Case]:
    return [Case(**case) for case in json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))]


def _tightened(schema: dict[str, Any]) -> dict[str, Any]:
    """Every field required, text at most 4 characters, numbers at least 2, dates from 2000, the first unique
    (unless it holds arrays or objects, whose uniqueness frictionless cannot check: it raises)."""
    bounds = {"string": {"maxLength": 4}, "integer": {"minimum": 2}, "number": {"minimum": 2}}
    bounds["date"] = {"minimum": "2000-01-01"}
    fields = []
    for number, spec in enumerate(schema["fields"]):
        constraints = {"required": True, **bounds.get(spec.get("type", "string"), {})}
        if number == 0 and spec.get("type") not in ("array", "object"):
            constraints["unique"] = True
        fields.append({**spec, "constraints": constraints})
    return {**schema, "fields": fields}


def schema_of(case: Case) -> dict[str, Any] | None:
    if not isinstance(case.schema, str):
        return case.schema
    resource = frictionless.Resource(path=case.file, basepath=str(CORPUS))
    resource.infer()
    inferred = dict(resource.schema.to_descriptor())
    return inferred if case.schema == "inferred" else _tightened(inferred)


def _terbuka_dialect(case: Case) -> dict[str, Any] | None:
    """The case's Table Dialect as ``validate_file`` takes it."""
    dialect: dict[str, Any] = {}
    if case.dialect.get("header") is False:
        dialect["header"] = False
    if "headerRows" in case.dialect:
        [dialect["header_row"]] = case.dialect["headerRows"]
    if "delimiter" in case.dialect.get("csv", {}):
        dialect["delimiter"] = case.dialect["csv"]["delimiter"]
    if case.encoding:
        dialect["encoding"] = case.encoding
    return dialect or None


_plain_reports: dict[str, dict[str, Any]] = {}


def plain_report(case: Case) -> dict[str, Any]:
    """frictionless's own report on the case (once per process: each engine is compared with it)."""
    if case.id not in _plain_reports:
        _plain_reports[case.id] = _plain_report(case)
    return _plain_reports[case.id]


def _plain_report(case: Case) -> dict[str, Any]:
    options: dict[str, Any] = {}
    schema = schema_of(case)
    if schema is not None:
        options["schema"] = frictionless.Schema.from_descriptor(schema)
    if case.dialect:
        options["dialect"] = frictionless.Dialect.from_descriptor(case.dialect)
    if case.encoding:
        options["encoding"] = case.encoding
    resource = frictionless.Resource(path=case.file, basepath=str(CORPUS), **options)
    return dict(resource.validate(limit_errors=10**9).to_descriptor())


def terbuka_report(case: Case, engine: Engine) -> dict[str, Any]:
    return dict(validate_file(case.path, schema_of(case), dialect=_terbuka_dialect(case), engine=engine))


def matches(case: Case, engine: Engine) -> bool:
    """Same ``valid`` and the same (type, rowNumber, fieldName) multiset as frictionless."""
    return verdict(terbuka_report(case, engine)) == verdict(plain_report(case))
