"""Pages of the published catalogue, for the outputs that list it whole (DCAT, data.json, feeds)."""

from datetime import datetime

from sqlmodel import Session, col, func, select

from catalog.interop.published import Published, load
from catalog.models import Dataset, Release, ReleaseState

# Datasets with a published release, read from the release state index: SQLite takes several times longer
# to join each dataset to its newest release number (a GROUP BY) and far longer for a correlated EXISTS.
PUBLISHED_IDS = select(Release.dataset_id).where(Release.state == ReleaseState.published)


def summary(session: Session) -> tuple[int, datetime | None]:
    """How many datasets are published and when the last of them was modified, in one query."""
    query = select(func.count(), func.max(Dataset.modified)).where(col(Dataset.id).in_(PUBLISHED_IDS))
    total, modified = session.exec(query).one()
    return int(total), modified


def page(session: Session, *, number: int, size: int) -> list[Published]:
    """The published datasets of one page, in a stable order (by id), so pages never overlap."""
    query = PUBLISHED_IDS.distinct().order_by(col(Release.dataset_id)).offset((number - 1) * size).limit(size)
    return load(session, session.exec(query).all())
