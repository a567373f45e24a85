"""A second Terbuka, in its own process, that harvests a running one: `python -m tests.interop.peer TYPE URL DIR`.

It prints, as JSON, what it harvested: each dataset's metadata and the SHA-256 of each file it stored.
Its own process keeps its settings, database and search index apart from the instance it harvests.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select


def harvested(session: Session) -> dict[str, Any]:
    from catalog.models import Dataset, HarvestJob, Release

    job = session.exec(select(HarvestJob)).one()
    found: dict[str, Any] = {"job": {"status": job.status, "counts": job.counts, "error": job.error}, "datasets": {}}
    for dataset in session.exec(select(Dataset).order_by(col(Dataset.slug))).all():
        releases = session.exec(select(Release).where(Release.dataset_id == dataset.id)).all()
        found["datasets"][dataset.slug] = {
            **dataset.model_dump(mode="json", exclude={"id", "organization_id", "created", "modified"}),
            "tags": sorted(t.name for t in dataset.tags),
            "themes": sorted(t.slug for t in dataset.themes),
            "files": sorted(r.sha256 or r.url or "" for release in releases for r in release.resources),
        }
    return found


def main(kind: str, url: str, directory: str) -> None:
    os.environ.update(
        TERBUKA_DATABASE_URL=f"sqlite:///{Path(directory) / 'peer.db'}",
        TERBUKA_DATA_DIR=str(Path(directory) / "var"),
        TERBUKA_HARVEST_ALLOWED_HOSTS="127.0.0.0/8",
        TERBUKA_BASE_URL="http://peer.test",
    )
    from catalog.db import get_engine
    from catalog.migrate import upgrade
    from catalog.models import OrganizationCreate, Role
    from catalog.services.organizations import create_organization
    from catalog.services.reference import ensure_reference_data
    from catalog.services.users import create_user
    from harvesters.sources import add_source, run_source

    upgrade(os.environ["TERBUKA_DATABASE_URL"])
    with Session(get_engine(), expire_on_commit=False) as session:
        ensure_reference_data(session)
        admin = create_user(session, username="root", role=Role.admin)
        create_organization(session, data=OrganizationCreate(slug="provinsi", name="Diskominfo Provinsi"), actor=admin)
        source = add_source(session, organization="provinsi", type=kind, url=url, publish="auto")
        session.commit()
        run_source(session, source_id=source.id or 0)
        print(json.dumps(harvested(session)))


if __name__ == "__main__":
    main(*sys.argv[1:4])
