"""Validation entry point (minimal frictionless-only version)."""

from collections import Counter
from pathlib import Path
from typing import Any

import frictionless

from schemas.registry import resolve_schema


def validate_file(
    path: str | Path, schema: Any = None, *, format: str | None = None, dialect: Any = None,
    limit_errors: int | None = None, progress: Any = None,
) -> dict[str, Any]:
    path = Path(path)
    resource = frictionless.Resource(path=path.name, basepath=str(path.parent), format=format)
    if schema is not None:
        resource.schema = frictionless.Schema.from_descriptor(resolve_schema(schema))
    report = resource.validate(limit_errors=limit_errors or 10**9)
    return dict(report.to_descriptor())


def report_has_errors(report: dict[str, Any]) -> bool:
    return not report.get("valid", False)


def summarize_report(report: dict[str, Any], first: int = 5) -> dict[str, Any]:
    errors = [e for task in report.get("tasks", []) for e in task.get("errors", [])] + report.get("errors", [])
    counts = Counter(e["type"] for e in errors)
    return {"valid": report.get("valid"), "error_count": len(errors), "counts": dict(counts),
            "first": {t: [e for e in errors if e["type"] == t][:first] for t in counts}}
