"""Validating a release's tabular resources and keeping the reports (the check of Satu Data)."""

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session

from catalog.errors import Invalid, NotFound
from catalog.models import Release, Resource
from catalog.services.files import TABULAR_FORMATS, file_store
from catalog.settings import get_settings
from schemas.registry import resolve_schema
from schemas.validation import report_has_errors, summarize_report, validate_file


def check_schema_reference(ref: str | dict[str, Any] | None) -> None:
    """Refuse an unknown schema name or a malformed custom schema before anything is stored."""
    if ref is None:
        return
    try:
        resolve_schema(ref)
    except (LookupError, ValueError) as exc:
        raise Invalid(f"schema {ref if isinstance(ref, str) else '(custom)'}: {exc}", code="unknown_schema") from exc


def validate_resource(session: Session, *, resource: Resource) -> None:
    """Validate one stored tabular resource and keep its full report content-addressed."""
    if resource.format not in TABULAR_FORMATS or resource.sha256 is None:
        return
    path: Path = file_store().open(resource.sha256)
    schema: str | dict[str, Any] | None = resource.table_schema or resource.schema_ref
    report = validate_file(
        path, schema, format=resource.format.lower(), limit_errors=get_settings().validation_error_limit
    )
    stored = file_store().put_bytes(json.dumps(report, ensure_ascii=False).encode())
    resource.report_sha256 = stored.sha256
    resource.validation_valid = not report_has_errors(report)
    resource.validation_summary = summarize_report(report)
    session.add(resource)


def release_validation(release: Release) -> dict[str, Any]:
    """The validation view of a release: per resource, counts per error type and the first errors."""
    resources = []
    for resource in release.resources:
        resources.append(
            {
                "resource_id": resource.id,
                "name": resource.name,
                "schema": resource.schema_ref or ("custom" if resource.table_schema else None),
                "valid": resource.validation_valid,
                "summary": resource.validation_summary,
                "report_url": (
                    f"{get_settings().base_url}/api/v1/releases/{release.id}/resources/{resource.id}/report"
                    if resource.report_sha256
                    else None
                ),
            }
        )
    checked = [r["valid"] for r in resources if r["valid"] is not None]
    return {
        "release_id": release.id,
        "valid": all(checked) if checked else None,
        "approval_justification": release.approval_justification,
        "resources": resources,
    }


def report_path(resource: Resource) -> Path:
    if resource.report_sha256 is None:
        raise NotFound("this resource has no validation report", code="report_not_found")
    return file_store().open(resource.report_sha256)
