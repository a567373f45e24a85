"""A dataset's quality score (0–100), with the reasons behind every point."""

from datetime import datetime, timedelta
from typing import cast

from sqlmodel import Session
from typing_extensions import TypedDict

from catalog.models import Dataset, License, Release, UpdateFrequency, utcnow
from catalog.services.datasets import current_release

# How long a release stays current for each Satu Data frequency.
FREQUENCY_DAYS = {
    UpdateFrequency.harian: 1,
    UpdateFrequency.mingguan: 7,
    UpdateFrequency.bulanan: 31,
    UpdateFrequency.triwulanan: 92,
    UpdateFrequency.semesteran: 183,
    UpdateFrequency.tahunan: 366,
}
OPEN_FORMATS = {"CSV", "TSV", "JSON", "GEOJSON", "ODS", "XML", "PARQUET"}
MACHINE_READABLE = OPEN_FORMATS | {"XLSX", "XLS"}
WEIGHTS = {"valid_data": 30, "metadata": 25, "timeliness": 20, "open_license": 10, "open_format": 15}


class Criterion(TypedDict):
    """The points one criterion gives, out of ``max``, and why."""

    points: float
    max: int
    explanation: str


class QualityBreakdown(TypedDict):
    """The five criteria of the score (their weights are ``WEIGHTS``)."""

    valid_data: Criterion
    metadata: Criterion
    timeliness: Criterion
    open_license: Criterion
    open_format: Criterion


class QualityScore(TypedDict):
    """A dataset's score: the sum of its criteria's points, rounded."""

    dataset: str
    score: int
    breakdown: QualityBreakdown


def _criterion(points: float, weight: int, explanation: str) -> Criterion:
    return {"points": round(points, 1), "max": weight, "explanation": explanation}


def _valid_data(release: Release | None) -> Criterion:
    weight = WEIGHTS["valid_data"]
    checked = [r.validation_valid for r in release.resources if r.validation_valid is not None] if release else []
    if not checked:
        return _criterion(0, weight, "no validated tabular resource in the current release")
    if all(checked):
        return _criterion(weight, weight, "every tabular resource passes its Table Schema")
    if release and release.approval_justification:
        return _criterion(weight / 3, weight, "published with known validation errors (justified)")
    return _criterion(0, weight, "the current release has validation errors")


def _metadata(dataset: Dataset) -> Criterion:
    present = {
        "description": len(dataset.description.strip()) >= 30,
        "update frequency": dataset.update_frequency != UpdateFrequency.tidak_tentu,
        "temporal coverage": dataset.temporal_start is not None,
        "spatial coverage (Kemendagri codes)": bool(dataset.spatial_coverage),
        "contact": bool(dataset.contact_email or dataset.contact_name),
        "tags": bool(dataset.tags),
        "themes": bool(dataset.themes),
        "collection method (Cara Pengumpulan Data)": bool(dataset.extras.get("Cara Pengumpulan Data")),
    }
    missing = [name for name, ok in present.items() if not ok]
    share = (len(present) - len(missing)) / len(present)
    explanation = "complete Satu Data metadata" if not missing else "missing: " + ", ".join(missing)
    return _criterion(WEIGHTS["metadata"] * share, WEIGHTS["metadata"], explanation)


def _timeliness(dataset: Dataset, release: Release | None, now: datetime) -> Criterion:
    weight = WEIGHTS["timeliness"]
    if release is None or release.published_at is None:
        return _criterion(0, weight, "never published")
    days = FREQUENCY_DAYS.get(dataset.update_frequency)
    if days is None:
        return _criterion(weight, weight, "irregular updates (tidak tentu): always on time")
    age = now - release.published_at
    due = timedelta(days=days)
    if age <= due * 1.1:
        return _criterion(weight, weight, f"updated {age.days} days ago, within its {dataset.update_frequency} cycle")
    if age <= due * 2:
        return _criterion(weight / 2, weight, f"overdue: updated {age.days} days ago, expected every {days} days")
    return _criterion(0, weight, f"long overdue: updated {age.days} days ago, expected every {days} days")


def _open_format(release: Release | None) -> Criterion:
    weight = WEIGHTS["open_format"]
    formats = {r.format for r in release.resources} if release else set()
    if formats & OPEN_FORMATS:
        return _criterion(weight, weight, "available in an open machine-readable format")
    if formats & MACHINE_READABLE:
        return _criterion(weight * 2 / 3, weight, "machine-readable but not an open format (add CSV)")
    return _criterion(0, weight, "no machine-readable resource")


def quality_score(session: Session, *, dataset: Dataset, now: datetime | None = None) -> QualityScore:
    release = current_release(session, dataset)
    license_ = session.get(License, dataset.license_id)
    is_open = bool(license_ and license_.is_open)
    breakdown: QualityBreakdown = {
        "valid_data": _valid_data(release),
        "metadata": _metadata(dataset),
        "timeliness": _timeliness(dataset, release, now or utcnow()),
        "open_license": _criterion(
            WEIGHTS["open_license"] if is_open else 0,
            WEIGHTS["open_license"],
            f"license {dataset.license_id}" + (" is open" if is_open else " is not an open license"),
        ),
        "open_format": _open_format(release),
    }
    return {
        "dataset": dataset.slug,
        "score": round(sum(c["points"] for c in cast(dict[str, Criterion], breakdown).values())),
        "breakdown": breakdown,
    }
