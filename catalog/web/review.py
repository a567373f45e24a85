"""What a steward and the walidata read before a release goes further: its errors by type, its metadata."""

import json
from dataclasses import dataclass, field
from typing import Any

from catalog.models import Dataset, Resource, UpdateFrequency
from catalog.services.validation import report_path
from catalog.web.i18n import _

ERRORS_SHOWN = 50  # per error type; the full report stays downloadable


@dataclass
class ErrorGroup:
    type: str
    title: str
    description: str
    count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def error_groups(resource: Resource) -> list[ErrorGroup]:
    """The resource's validation errors grouped by type, each with its row, column, value and message."""
    if resource.report_sha256 is None:
        return []
    report = json.loads(report_path(resource).read_text(encoding="utf-8"))
    errors = [*report.get("errors", []), *(e for task in report.get("tasks", []) for e in task.get("errors", []))]
    groups: dict[str, ErrorGroup] = {}
    for error in errors:
        group = groups.setdefault(
            error["type"], ErrorGroup(error["type"], error.get("title", error["type"]), error.get("description", ""))
        )
        group.count += 1
        if len(group.errors) < ERRORS_SHOWN:
            group.errors.append(
                {
                    "row": error.get("rowNumber"),
                    "column": error.get("fieldName") or error.get("label"),
                    "cell": error.get("cell"),
                    "message": error.get("message", ""),
                }
            )
    return sorted(groups.values(), key=lambda g: -g.count)


def metadata_checklist(dataset: Dataset) -> list[tuple[str, bool]]:
    """The Satu Data metadata a release should carry, each with whether the dataset has it."""
    return [
        (_("Description of at least 30 characters"), len(dataset.description.strip()) >= 30),
        (_("Update frequency"), dataset.update_frequency != UpdateFrequency.tidak_tentu),
        (_("Period covered"), dataset.temporal_start is not None),
        (_("Spatial coverage (Kemendagri codes)"), bool(dataset.spatial_coverage)),
        (_("Contact"), bool(dataset.contact_email or dataset.contact_name)),
        (_("Tags"), bool(dataset.tags)),
        (_("Themes"), bool(dataset.themes)),
        (_("Collection method (Cara Pengumpulan Data)"), bool(dataset.extras.get("Cara Pengumpulan Data"))),
    ]
