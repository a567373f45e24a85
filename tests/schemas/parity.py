"""Running both validators on one file and comparing what they report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
