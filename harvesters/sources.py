"""Harvest sources and their runs: what the CLI, the API and the worker call."""

from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points

from sqlmodel import Session, col, select

from catalog.errors import Invalid, NotFound
from catalog.models import HarvestJob, HarvestSource, User
from catalog.services import activity
from catalog.services.organizations import get_organization
from harvesters.base import Harvester, HarvestRun

BUILT_IN = {
    "ckan": "harvesters.ckan:CkanHarvester",
    "dcat": "harvesters.dcat:DcatHarvester",
    "datapackage": "harvesters.datapackage:DataPackageHarvester",
    "files": "harvesters.files:FileDropHarvester",
}


def harvester_types() -> dict[str, str]:
    """Built-in harvesters plus any a city registers under the `terbuka.harvesters` entry point."""
    found = dict(BUILT_IN)
    for entry in entry_points(group="terbuka.harvesters"):
        found[entry.name] = entry.value
    return found


def harvester_class(kind: str) -> type[Harvester]:
    module, _, name = harvester_types()[kind].partition(":")
    found: type[Harvester] = getattr(import_module(module), name)
    return found


def add_source(
    session: Session, *, organization: str, type: str, url: str, actor: User | None = None,
    publish: str = "review", on_removed: str = "flag", filters: dict[str, str] | None = None,
    default_schema: str | None = None,
) -> HarvestSource:
    if type not in harvester_types():
        raise Invalid(f"unknown source type {type!r}; known: {', '.join(sorted(harvester_types()))}",
                      code="unknown_source_type")
    if publish not in ("auto", "review") or on_removed not in ("flag", "withdraw"):
        raise Invalid("publish is auto or review; on_removed is flag or withdraw", code="invalid_source")
    owner = get_organization(session, slug=organization)
    source = HarvestSource(organization_id=owner.id or 0, type=type, url=url, publish=publish,
                           on_removed=on_removed, filters=filters or {}, default_schema=default_schema)
    session.add(source)
    session.flush()
    activity.record(session, actor=actor, action="harvest_source.create", object_type="harvest_source",
                    object_id=source.id, detail={"organization": organization, "type": type, "url": url})
    session.commit()
    return source


def get_source(session: Session, *, source_id: int) -> HarvestSource:
    source = session.get(HarvestSource, source_id)
    if source is None:
        raise NotFound(f"no harvest source {source_id}", code="source_not_found")
    return source


def list_sources(session: Session) -> list[HarvestSource]:
    return list(session.exec(select(HarvestSource).order_by(col(HarvestSource.id))).all())


def run_source(session: Session, *, source_id: int,
               progress: Callable[[int, int], None] | None = None) -> HarvestJob:
    source = get_source(session, source_id=source_id)
    return HarvestRun(session, source, harvester_class(source.type), progress).run()


def list_jobs(session: Session, *, source_id: int | None = None, limit: int = 20) -> list[HarvestJob]:
    query = select(HarvestJob).order_by(col(HarvestJob.id).desc()).limit(limit)
    if source_id is not None:
        query = query.where(HarvestJob.source_id == source_id)
    return list(session.exec(query).all())
