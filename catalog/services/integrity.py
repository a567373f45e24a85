"""What `terbuka doctor` checks and repairs: the catalogue, its stored files and its search index agree.

Checks: every file a resource or report refers to exists and has its SHA-256; every published release's
tabular resources have their validation report; no stored file is referenced by nothing (an orphan left by a
crash between storing and committing); nothing is left in the upload area; no outbox row waits; the search
index shows exactly the published datasets. Repairs only what is safe: orphans and leftovers older than a
grace period (an upload in progress is younger), pending outbox rows applied, a disagreeing index rebuilt.
A missing or altered file is never "repaired": it is reported for a restore from backup.
"""

import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, func, select

from catalog.models import Dataset, Release, ReleaseState, Resource, SearchOutbox
from catalog.services import search_index
from catalog.services.files import TABULAR_FORMATS, file_store
from catalog.storage import owner_is_gone

GRACE_SECONDS = 3600  # an unreferenced file younger than this may belong to an upload still in progress
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Finding:
    check: str  # missing_file, corrupt_file, missing_report, orphan_file, leftover_upload, outbox_pending, search
    subject: str
    message: str
    repairable: bool


@dataclass
class Examination:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    repaired: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not [f for f in self.findings if f not in self.repaired]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from (p for p in root.glob("*/*/*") if p.is_file())


def _older_than_grace(path: Path) -> bool:
    return time.time() - path.stat().st_mtime > GRACE_SECONDS


def examine(session: Session, *, verify_hashes: bool = True, progress: Progress | None = None) -> Examination:
    """Every check; nothing is changed."""
    result = Examination()
    store = file_store()
    referenced: dict[str, str] = {}  # sha256 → what refers to it
    for resource_id, sha, report in session.exec(select(Resource.id, Resource.sha256, Resource.report_sha256)):
        if sha:
            referenced.setdefault(sha, f"resource {resource_id}")
        if report:
            referenced.setdefault(report, f"report of resource {resource_id}")
    for done, (sha, owner) in enumerate(sorted(referenced.items()), start=1):
        path = store.path_for(sha)
        if not path.is_file():
            result.findings.append(Finding("missing_file", owner, f"stored file {sha} is missing", False))
        elif verify_hashes and _sha256(path) != sha:
            result.findings.append(
                Finding("corrupt_file", owner, f"stored file {sha} does not match its SHA-256", False)
            )
        result.files_checked += 1
        if progress:
            progress(done, len(referenced))
    unreported = session.exec(
        select(Release.id, Resource.id)
        .join(Resource)
        .where(
            Release.state == ReleaseState.published,
            col(Resource.sha256).is_not(None),
            col(Resource.format).in_(sorted(TABULAR_FORMATS)),
            col(Resource.report_sha256).is_(None),
        )
    ).all()
    for release_id, resource_id in unreported:
        message = f"published release {release_id} has no validation report for resource {resource_id}"
        result.findings.append(Finding("missing_report", f"resource {resource_id}", message, False))
    for path in _stored(store.files):
        if path.name not in referenced and _older_than_grace(path):
            message = f"{path.stat().st_size:,} bytes referenced by nothing"
            result.findings.append(Finding("orphan_file", str(path), message, True))
    for path in store.scratch_root.glob("*") if store.scratch_root.is_dir() else []:
        if path.is_dir() and owner_is_gone(path):
            message = "temporary files of a process that is gone (an interrupted upload, validation or harvest)"
            result.findings.append(Finding("leftover_upload", str(path), message, True))
        elif path.is_file() and _older_than_grace(path):
            result.findings.append(Finding("leftover_upload", str(path), "an interrupted upload or harvest", True))
    pending = session.exec(select(func.count()).where(col(SearchOutbox.processed).is_(None))).one()
    if pending:
        result.findings.append(Finding("outbox_pending", "search", f"{pending} index changes not applied", True))
    result.findings.extend(_search_findings(session))
    return result


def _search_findings(session: Session) -> list[Finding]:
    """The index must show each published dataset once, under its OPD, and nothing else."""
    published = select(Release.dataset_id).where(Release.state == ReleaseState.published).distinct().subquery()
    expected = dict(
        session.exec(
            select(Dataset.organization_id, func.count())
            .where(col(Dataset.id).in_(select(published.c.dataset_id)))
            .group_by(col(Dataset.organization_id))
        ).all()
    )
    total = sum(expected.values())
    shown = search_index.search_backend().query("", per_page=1).total
    if shown != total:
        message = f"the index shows {shown} datasets, the catalogue publishes {total}"
        return [Finding("search", "search", message, True)]
    return []


def repair(session: Session, found: Examination) -> Examination:
    """Mend what is safe to mend; returns the same examination with what was repaired."""
    for finding in found.findings:
        if not finding.repairable:
            continue
        if finding.check in ("orphan_file", "leftover_upload"):
            path = Path(finding.subject)
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        elif finding.check == "outbox_pending":
            while search_index.apply_outbox(session):
                pass
        elif finding.check == "search":
            search_index.reindex(session)
        found.repaired.append(finding)
    return found
