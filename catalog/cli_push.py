"""``terbuka push ckan``: publish datasets to an upstream CKAN portal (the work is in catalog.interop.ckan_push,
imported when the command runs, so ``terbuka --help`` loads neither it nor ckanapi)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

push_app = typer.Typer(help="Publish this catalogue's datasets to other portals.", no_args_is_help=True)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

DONE_COLOURS = {"created": "green", "updated": "cyan", "unchanged": "dim", "failed": "red"}


@push_app.command("ckan")
def push_ckan(
    slugs: Annotated[list[str] | None, typer.Argument(help="datasets to push, by slug", show_default=False)] = None,
    url: Annotated[str, typer.Option("--url", help="the upstream CKAN portal, e.g. https://data.go.id")] = "",
    api_key: Annotated[
        str, typer.Option("--api-key", envvar="TERBUKA_PUSH_API_KEY", help="an API token of the upstream portal")
    ] = "",
    opd: Annotated[
        list[str] | None, typer.Option("--opd", help="every published dataset of this OPD (repeatable)")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="every published dataset")] = False,
    owner_org: Annotated[
        str | None, typer.Option("--owner-org", help="put every dataset under this (existing) upstream organization")
    ] = None,
    map_org: Annotated[
        list[str] | None, typer.Option("--map-org", help="LOCAL=UPSTREAM: an OPD's upstream organization (repeatable)")
    ] = None,
    link_files: Annotated[
        bool, typer.Option("--link-files", help="link stored files (their download address here) instead of uploading")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would change and change nothing")] = False,
    state: Annotated[
        Path | None, typer.Option("--state", help="the push state file (default: DATA_DIR/push/HOST.json)")
    ] = None,
) -> None:
    """Publish published datasets (by slug, --opd or --all) to an upstream CKAN portal; a second push updates
    what changed and leaves the rest. Exit 1 when anything failed."""
    from catalog.db import session_scope
    from catalog.interop import ckan_push

    if not url or not api_key:
        raise stop("give the portal's --url and an --api-key (or TERBUKA_PUSH_API_KEY)")
    if not (slugs or opd or everything):
        raise stop("say which datasets: their slugs, --opd OPD or --all")
    mapping = dict(item.partition("=")[::2] for item in map_org or [])
    if any(not key or not value for key, value in mapping.items()):
        raise stop("--map-org takes LOCAL=UPSTREAM, such as dinkes=dinas-kesehatan-kota-pontianak")
    try:
        ckan = ckan_push.connect(url, api_key)
        with session_scope() as session:
            plans, failed = ckan_push.select_plans(
                session, slugs=slugs or [], opds=opd or [], everything=everything, link_files=link_files
            )
        book = ckan_push.State.load(state or ckan_push.state_path(url))
        pusher = ckan_push.Pusher(ckan, book, owner_org=owner_org, org_map=mapping, dry_run=dry_run)
    except ckan_push.PushError as exc:
        raise stop(str(exc)) from exc
    total = len(plans) + len(failed)
    console.print(f"{'dry run: ' if dry_run else ''}pushing {len(plans)} dataset(s) to {escape(ckan.address)}")

    def report(number: int, outcome: "ckan_push.Outcome") -> None:
        colour = DONE_COLOURS.get(outcome.action, "yellow")
        action = f"would {outcome.action}" if dry_run and outcome.action in ("create", "update") else outcome.action
        detail = f": {escape(outcome.detail)}" if outcome.detail else ""
        console.print(f"[{number}/{total}] [{colour}]{action}[/{colour}] {escape(outcome.slug)}{detail}")

    for number, outcome in enumerate(failed, start=1):
        report(number, outcome)
    outcomes = failed + ckan_push.run(pusher, plans, lambda n, o: report(len(failed) + n, o))
    bad = [o for o in outcomes if o.action == "failed"]
    kinds = ("create", "update", "unchanged", "failed") if dry_run else ("created", "updated", "unchanged", "failed")
    told = {"create": "would create", "update": "would update"}
    console.print(", ".join(f"{sum(1 for o in outcomes if o.action == kind)} {told.get(kind, kind)}" for kind in kinds))
    if pusher.new_organizations:
        verb = "would be created" if dry_run else "created"
        console.print(f"organizations {verb} upstream: {', '.join(pusher.new_organizations)}")
    if dry_run:
        console.print("dry run: nothing was changed upstream")
    else:
        console.print(f"push state: {book.path}")
    for outcome in bad:
        errors.print(f"[red]failed[/red] {escape(outcome.slug)}: {escape(outcome.detail)}")
    if bad:
        raise typer.Exit(code=1)


def stop(message: str) -> typer.Exit:
    errors.print(f"[red]error[/red]: {escape(message)}")
    return typer.Exit(code=1)
