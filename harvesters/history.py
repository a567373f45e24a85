"""What each harvest job recorded about its items, kept after later jobs ran (the harvestitemerror rows)."""

from sqlalchemy import union
from sqlmodel import Session, col, select

from catalog.models import HarvestItem, HarvestItemError


def job_items(
    session: Session, *, source_id: int, job_id: int, status: str | None, limit: int, offset: int
) -> list[HarvestItem]:
    """The items a job saw as they were after it: those it was the last to see as stored, and those a later
    job saw again from the errors and warnings kept with the job (clean items of older jobs are not kept)."""
    kept = [col(HarvestItemError.job_id) == job_id]
    last = [col(HarvestItem.source_id) == source_id, col(HarvestItem.last_job_id) == job_id]
    if status is not None:
        kept.append(col(HarvestItemError.status) == status)
        last.append(col(HarvestItem.status) == status)
    seen = union(select(HarvestItem.remote_id).where(*last), select(HarvestItemError.remote_id).where(*kept))
    remote_ids = [row[0] for row in session.execute(seen.order_by("remote_id").offset(offset).limit(limit)).all()]
    items = {
        item.remote_id: item
        for item in session.exec(
            select(HarvestItem).where(HarvestItem.source_id == source_id, col(HarvestItem.remote_id).in_(remote_ids))
        ).all()
    }
    history: dict[str, list[HarvestItemError]] = {}
    for row in session.exec(
        select(HarvestItemError)
        .where(*kept, col(HarvestItemError.remote_id).in_(remote_ids))
        .order_by(col(HarvestItemError.id))
    ).all():
        history.setdefault(row.remote_id, []).append(row)
    found = []
    for remote_id in remote_ids:
        item = items.get(remote_id) or HarvestItem(source_id=source_id, remote_id=remote_id)
        if item.last_job_id != job_id:
            rows = history[remote_id]
            errors = [{"stage": r.stage, "remote_id": remote_id, "message": r.message} for r in rows]
            item = HarvestItem.model_validate(item, update={"status": rows[0].status, "errors": errors})
        found.append(item)
    return found
