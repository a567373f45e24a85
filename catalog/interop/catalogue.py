"""Pages of the published catalogue, for the outputs that list it whole (DCAT, data.json, feeds)."""

from datetime import datetime

from sqlmodel import Session, col, func, select

from catalog.interop.published import Published, load, published_query
from catalog.models import Dataset


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(published_query().subquery())).one())


def last_modified(session: Session) -> datetime | None:
    ids = published_query().subquery()
    return session.exec(select(func.max(Dataset.modified)).join(ids, ids.c.id == Dataset.id)).one()


def page(session: Session, *, number: int, size: int) -> list[Published]:
    """The published datasets of one page, in a stable order (by id), so pages never overlap."""
    query = published_query().order_by(col(Dataset.id)).offset((number - 1) * size).limit(size)
    return load(session, [row[0] for row in session.exec(query).all()])
