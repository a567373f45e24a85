"""Running both validators on one file and comparing what they report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import frictionless

from schemas.validation import validate_file


def run_both(path: Path, schema: Any, **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    reference = validate_file(path, schema, engine="frictionless", **options)
    fast = validate_file(path, schema, engine="fast", **options)
    return reference, fast


def error_keys(report: dict[str, Any]) -> set[tuple[str, int, str]]:
    return {(e["type"], e.get("rowNumber", 0), e.get("fieldName", "")) for e in report["tasks"][0]["errors"]}


def sorted_errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(report["tasks"][0]["errors"], key=lambda e: json.dumps(e, sort_keys=True))


def assert_same_errors(path: Path, schema: Any, **options: Any) -> dict[str, Any]:
    """The two validators report the same errors, down to the message and the row's cells."""
    reference, fast = run_both(path, schema, **options)
    assert error_keys(fast) == error_keys(reference)
    # Within a row frictionless orders cell errors by the order its checks first touch the cells
    # (unique and key fields first), which Terbuka does not reproduce: compare in a fixed order.
    assert sorted_errors(fast) == sorted_errors(reference)
    assert fast["tasks"][0]["labels"] == reference["tasks"][0]["labels"]
    assert fast["tasks"][0]["stats"].get("rows") == reference["tasks"][0]["stats"].get("rows")
    assert fast["valid"] == reference["valid"]
    return reference


def write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def plain_frictionless(path: Path, descriptor: dict[str, Any] | None, **dialect: Any) -> dict[str, Any]:
    """frictionless's own report, the file read as frictionless reads it (``dialect`` as a Table Dialect)."""
    options: dict[str, Any] = {}
    if descriptor is not None:
        options["schema"] = frictionless.Schema.from_descriptor(descriptor)
    if dialect:
        options["dialect"] = frictionless.Dialect.from_descriptor(dialect)
    resource = frictionless.Resource(path=path.name, basepath=str(path.parent), **options)
    return dict(resource.validate(limit_errors=10**9).to_descriptor())


def verdict(report: Any) -> tuple[bool, Counter[tuple[str, int | None, str | None]]]:
    """What parity means: the same ``valid`` and the same (type, rowNumber, fieldName) multiset, the
    report's and the task's own errors included."""
    errors = [*report["errors"], *(e for task in report["tasks"] for e in task["errors"])]
    return report["valid"], Counter((e["type"], e.get("rowNumber"), e.get("fieldName")) for e in errors)


def assert_as_frictionless(
    path: Path, descriptor: dict[str, Any] | None, dialect: dict[str, Any] | None = None, **plain_dialect: Any
) -> dict[str, Any]:
    """Both engines give plain frictionless's verdict; returns frictionless's report."""
    plain = plain_frictionless(path, descriptor, **plain_dialect)
    for engine in ("frictionless", "fast"):
        report = validate_file(path, descriptor, dialect=dialect, engine=engine)
        assert verdict(report) == verdict(plain), engine
    return plain
