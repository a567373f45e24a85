"""`terbuka source …` and `terbuka harvest …`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from catalog.errors import CatalogError

if TYPE_CHECKING:
    from sqlmodel import Session

    from catalog.models import HarvestJob, HarvestSource
    from harvesters.portal import PortalSettings

# Commands import the catalogue and the harvesters when they run, so `terbuka --help` stays quick.

source_app = typer.Typer(help="Harvest sources: where OPDs already publish their data.", no_args_is_help=True)
harvest_app = typer.Typer(help="Harvest jobs.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

MapOrg = Annotated[
    list[str] | None,
    typer.Option("--map-org", help="REMOTE=OPD, repeatable: a remote organization (name or title) to an OPD's slug"),
]
MapGroup = Annotated[
    list[str] | None,
    typer.Option("--map-group", help="REMOTE=THEME, repeatable: a remote group (name or title) to a theme"),
]
MapFile = Annotated[
    Path | None,
    typer.Option("--map-file", help="a YAML file with organizations: {REMOTE: OPD}, groups: {REMOTE: THEME}"),
]


def _portal_settings(
    current: PortalSettings | None,
    portal: bool | None,
    map_org: list[str] | None,
    map_group: list[str] | None,
    map_file: Path | None,
    create_orgs: bool | None,
) -> PortalSettings | None:
    """The portal settings the options give (added to the current ones); None for a source of one OPD."""
    from harvesters.portal import PortalSettings, parse_pairs, read_mapping_file

    if portal is False:
        return None
    given = bool(map_org or map_group or map_file or create_orgs)
    if current is None and not (portal or given):
        return None
    settings = current or PortalSettings()
    if map_file is not None:
        loaded = read_mapping_file(map_file)
        settings = PortalSettings(
            orgs={**settings.orgs, **loaded.orgs},
            groups={**settings.groups, **loaded.groups},
            create_orgs=settings.create_orgs or loaded.create_orgs,
        )
    return PortalSettings(
        orgs={**settings.orgs, **parse_pairs(map_org or [], "--map-org")},
        groups={**settings.groups, **parse_pairs(map_group or [], "--map-group")},
        create_orgs=settings.create_orgs if create_orgs is None else create_orgs,
    )


def _print_portal(session: Session, source: HarvestSource) -> None:
    from harvesters.portal import mapping, settings_of

    if settings_of(source) is None:
        return
    view = mapping(session, source)
    table = Table("remote organization", "title", "OPD", "how", title=f"source {source.id}: organizations placed")
    for placed in view.placed:
        table.add_row(placed.remote, placed.title, placed.organization, placed.how)
    for remote, local in sorted(view.settings.orgs.items()):
        if remote not in {p.remote for p in view.placed}:
            table.add_row(remote, "", local, "map (not seen yet)")
    console.print(table)
    if view.unplaced:
        unplaced = Table("remote id", "why", title="datasets not placed (not imported)")
        for item in view.unplaced:
            unplaced.add_row(item.remote_id, item.message)
        console.print(unplaced)


@source_app.command("add")
def source_add(
    org: Annotated[str, typer.Argument(help="the owner OPD's slug")],
    type: Annotated[str, typer.Option("--type", help="ckan, dcat, datapackage or files")],
    url: Annotated[str, typer.Option("--url")],
    publish: Annotated[str, typer.Option(help="auto (trusted source) or review (walidata)")] = "review",
    on_removed: Annotated[str, typer.Option(help="flag or withdraw datasets gone at source")] = "flag",
    schema: Annotated[str | None, typer.Option(help="default Table Schema for its files")] = None,
    schedule: Annotated[
        str | None,
        typer.Option(help="hourly, daily, weekly, monthly or a crontab line ('30 2 * * 1'), in TERBUKA_TIMEZONE"),
    ] = None,
    filter: Annotated[
        list[str] | None,
        typer.Option("--filter", help="KEY=VALUE, repeatable; for CKAN an fq clause such as organization=dinkes"),
    ] = None,
    portal: Annotated[
        bool,
        typer.Option(
            "--portal", help="the source covers a whole CKAN portal: each organization goes to its OPD, not to ORG"
        ),
    ] = False,
    map_org: MapOrg = None,
    map_group: MapGroup = None,
    map_file: MapFile = None,
    create_orgs: Annotated[
        bool, typer.Option("--create-orgs", help="a remote organization no OPD matches becomes a new OPD")
    ] = False,
) -> None:
    """Register a source and print its id; --portal (or any --map-… option) makes it cover a whole portal."""
    from catalog.db import session_scope
    from harvesters import sources

    pairs = [item.partition("=") for item in filter or []]
    if any(not key or not sep for key, sep, _ in pairs):
        errors.print("[red]error[/red]: --filter takes KEY=VALUE")
        raise typer.Exit(2)
    try:
        settings = _portal_settings(None, portal or None, map_org, map_group, map_file, create_orgs)
        with session_scope() as session:
            source = sources.add_source(
                session,
                organization=org,
                type=type,
                url=url,
                publish=publish,
                on_removed=on_removed,
                default_schema=schema,
                schedule=schedule,
                filters={key: value for key, _, value in pairs},
                portal=settings,
            )
            typer.echo(source.id)
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc


@source_app.command("edit")
def source_edit(
    source: Annotated[int, typer.Argument(help="the source id")],
    portal: Annotated[
        bool | None,
        typer.Option("--portal/--no-portal", help="cover a whole portal, or file new datasets under the source's OPD"),
    ] = None,
    map_org: MapOrg = None,
    map_group: MapGroup = None,
    map_file: MapFile = None,
    create_orgs: Annotated[
        bool | None, typer.Option("--create-orgs/--no-create-orgs", help="create OPDs for unmatched organizations")
    ] = None,
    unmap_org: Annotated[
        list[str] | None, typer.Option("--unmap-org", help="REMOTE, repeatable: drop an organization's mapping")
    ] = None,
) -> None:
    """Change how a source places a portal's organizations and groups; the next run places what it could not."""
    from catalog.db import session_scope
    from harvesters import sources

    try:
        with session_scope() as session:
            current = sources.portal_settings(session, source_id=source)
            settings = _portal_settings(current, portal, map_org, map_group, map_file, create_orgs)
            if settings is not None:
                settings.orgs = {k: v for k, v in settings.orgs.items() if k not in set(unmap_org or [])}
            changed = sources.set_portal(session, source_id=source, portal=settings)
            _print_portal(session, changed)
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc


@source_app.command("show")
def source_show(source: Annotated[int, typer.Argument(help="the source id")]) -> None:
    """A source's settings and, for one that covers a whole portal, where each organization went."""
    from catalog.db import session_scope
    from harvesters import sources

    try:
        with session_scope() as session:
            found = sources.get_source(session, source_id=source)
            console.print(found.model_dump(exclude={"filters"}))
            console.print({"filters": found.filters})
            _print_portal(session, found)
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc


@source_app.command("list")
def source_list() -> None:
    """List the harvest sources."""
    from catalog.db import session_scope
    from harvesters import sources

    table = Table("id", "organization", "type", "url", "publish", "on removed", "schedule")
    with session_scope() as session:
        for source in sources.list_sources(session):
            table.add_row(
                str(source.id),
                str(source.organization_id),
                source.type,
                source.url,
                source.publish,
                source.on_removed,
                source.schedule or "",
            )
    console.print(table)


def _line(job: HarvestJob) -> str:
    counts = ", ".join(f"{count} {name}" for name, count in job.counts.items())
    return f"job {job.id} {job.status}: {counts}" + (f" ({job.error})" if job.error else "")


def _summary(job: HarvestJob) -> Table:
    table = Table("job", "source", "status", *job.counts.keys(), "error")
    table.add_row(str(job.id), str(job.source_id), job.status, *(str(v) for v in job.counts.values()), job.error or "")
    return table


@harvest_app.command("run")
def harvest_run(
    source: Annotated[int, typer.Argument(help="the source id")],
    wait: Annotated[
        bool,
        typer.Option(help="harvest here and now with a progress bar; exit non-zero only when the job itself fails"),
    ] = False,
) -> None:
    """Queue a harvest for the worker (prints the job id), or with --wait run it here; item errors are recorded."""
    from rich.progress import Progress

    from catalog.db import session_scope
    from harvesters import sources

    try:
        with session_scope() as session:
            if not wait:
                from harvesters.tasks import enqueue

                job = enqueue(sources.queue_run(session, source_id=source))
                typer.echo(job.id)
                errors.print(
                    f"job {job.id} queued; `terbuka worker` runs it, `terbuka harvest status {job.id}` follows it"
                )
                return
            with Progress(console=errors, transient=True) as bar:
                task = bar.add_task("harvesting", total=None)
                job = sources.run_source(
                    session,
                    source_id=source,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            console.print(_summary(job))
            typer.echo(_line(job))
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc
    if job.status == "failed":
        raise typer.Exit(1)


@harvest_app.command("status")
def harvest_status(
    job: Annotated[int | None, typer.Argument(help="a job id; the latest jobs if omitted")] = None,
) -> None:
    """Show harvest jobs and their counts."""
    from catalog.db import session_scope
    from catalog.models import HarvestJob
    from harvesters import sources

    with session_scope() as session:
        jobs = [session.get(HarvestJob, job)] if job else sources.list_jobs(session)
        found = [j for j in jobs if j is not None]
        if not found:
            errors.print("no such harvest job")
            raise typer.Exit(1)
        for entry in found:
            console.print(_summary(entry))
        if job:
            _print_portal(session, sources.get_source(session, source_id=found[0].source_id))
            failed = sources.list_items(session, source_id=found[0].source_id, status="error", job_id=job)
            if failed:
                table = Table("remote id", "stage", "error", title="items in error")
                for item in failed:
                    for error in item.errors:
                        table.add_row(item.remote_id, error.get("stage", ""), error.get("message", ""))
                console.print(table)
            typer.echo(_line(found[0]))
