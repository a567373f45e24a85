"""The append-only audit log."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, func, select

from catalog.db import gathered_rows
from catalog.models import Activity, Page, User, utcnow


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    dataset_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an entry to the log, in the session's transaction."""
    entry: dict[str, Any] = {
        "at": utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_name": actor.username if actor else "system",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "dataset_id": dataset_id,
        "detail": detail or {},
    }
    gathered = gathered_rows(session, Activity)
    if gathered is None:
        session.add(Activity(**entry))
    else:
        gathered.append(entry)


def list_activity(
    session: Session,
    *,
    dataset_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
    actions: Iterable[str] | None = None,
) -> Page[Activity]:
    """Entries newest first; only those of ``actions`` when given."""
    query = select(Activity)
    if dataset_id is not None:
        query = query.where(Activity.dataset_id == dataset_id)
    if actions is not None:
        query = query.where(col(Activity.action).in_(sorted(actions)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = session.exec(query.order_by(col(Activity.id).desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


@event.listens_for(OrmSession, "before_flush")
def _activity_is_append_only(session: OrmSession, _context: Any, _instances: Any) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, Activity) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("the activity log is append-only")
