"""The `terbuka` command line: the same services as the API."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from catalog import cli_ops
from catalog.errors import CatalogError
from catalog.roles import Role

# Commands import what they use when they run: `terbuka --help` and `terbuka validate` load neither
# the catalogue nor the harvesters (tests/catalog/test_cli_startup.py checks it).

app = typer.Typer(help="Terbuka: the open-data catalogue of Kota Pontianak.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
console = Console()
errors = Console(stderr=True)


def fail(exc: CatalogError) -> typer.Exit:
    errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
    return typer.Exit(code=1)


def upgrade_database() -> None:
    from catalog.db import session_scope
    from catalog.migrate import upgrade
    from catalog.services.reference import ensure_reference_data
    from catalog.settings import get_settings

    upgrade(get_settings().database_url)
    with session_scope() as session:
        ensure_reference_data(session)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations and load the reference data (licenses, themes)."""
    from catalog.db import get_engine

    upgrade_database()
    console.print(f"database is up to date: {get_engine().url.render_as_string(hide_password=True)}")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="produsen, walidata, pembina or admin")],
    org: Annotated[str | None, typer.Option(help="the OPD's slug (required for produsen)")] = None,
    full_name: Annotated[str, typer.Option(help="display name")] = "",
    email: Annotated[str | None, typer.Option()] = None,
    password: Annotated[str | None, typer.Option(help="for the web portal; omit for API-only accounts")] = None,
) -> None:
    """Create an account."""
    from catalog.db import session_scope
    from catalog.services.users import create_user

    try:
        with session_scope() as session:
            user = create_user(
                session,
                username=username,
                role=role,
                organization_slug=org,
                full_name=full_name,
                email=email,
                password=password,
            )
            console.print(f"created {user.role.value} {user.username}" + (f" for {org}" if org else ""))
    except CatalogError as exc:
        raise fail(exc) from exc


@user_app.command("list")
def user_list() -> None:
    """List the accounts."""
    from sqlmodel import select

    from catalog.db import session_scope
    from catalog.models import User

    table = Table("username", "role", "organization", "active")
    with session_scope() as session:
        for user in session.exec(select(User).order_by(User.username)).all():
            org = user.organization.slug if user.organization else ""
            table.add_row(user.username, user.role.value, org, "yes" if user.is_active else "no")
    console.print(table)


@token_app.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="what the token is for")] = "",
    expires_days: Annotated[
        int | None, typer.Option(help="days until it stops working (default: until revoked)")
    ] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="it may only read (GET)")] = False,
) -> None:
    """Create an API token for USER and print it once: it is stored only as a hash."""
    from catalog.db import session_scope
    from catalog.services.users import create_token, get_user

    try:
        with session_scope() as session:
            user = get_user(session, username=username)
            token = create_token(session, user=user, name=name, expires_in_days=expires_days, read_only=read_only)
    except CatalogError as exc:
        raise fail(exc) from exc
    typer.echo(token)


@token_app.command("list")
def token_list(username: str) -> None:
    """List USER's tokens: prefix, name, expiry, last use, state (never the token itself)."""
    from catalog.db import session_scope
    from catalog.services.users import get_user, list_tokens

    table = Table("prefix", "name", "created", "expires", "last used", "scope", "state")
    try:
        with session_scope() as session:
            for t in list_tokens(session, user=get_user(session, username=username)):
                table.add_row(
                    t.prefix,
                    t.name,
                    f"{t.created:%Y-%m-%d}",
                    f"{t.expires:%Y-%m-%d}" if t.expires else "-",
                    f"{t.last_used:%Y-%m-%d %H:%M}" if t.last_used else "-",
                    "read" if t.read_only else "read+write",
                    "revoked" if t.revoked else "active",
                )
    except CatalogError as exc:
        raise fail(exc) from exc
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    prefix: Annotated[str, typer.Argument(help="the token's prefix, as 'terbuka token list' shows it")],
) -> None:
    """Revoke a token at once; the revocation is in the audit log."""
    from catalog.db import session_scope
    from catalog.services.users import revoke_token

    try:
        with session_scope() as session:
            revoke_token(session, prefix=prefix)
    except CatalogError as exc:
        raise fail(exc) from exc
    console.print(f"revoked {prefix}")


search_app = typer.Typer(help="The search index.", no_args_is_help=True)
app.add_typer(search_app, name="search")


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the catalogue (published datasets only)."""
    from rich.progress import Progress

    from catalog.db import session_scope
    from catalog.services.search_index import reindex

    with session_scope() as session, Progress(console=errors, transient=True) as bar:
        task = bar.add_task("indexing", total=None)
        count = reindex(session, progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"indexed {count} published datasets")


@search_app.command("sync")
def search_sync() -> None:
    """Apply pending index changes from the outbox (the worker does this continuously)."""
    from catalog.worker import drain_outbox

    console.print(f"synced {drain_outbox()} datasets")


@app.command()
def worker(
    poll: Annotated[float, typer.Option(help="seconds between search outbox rounds")] = 2.0,
    threads: Annotated[int, typer.Option(help="harvest jobs run at once by this worker")] = 2,
) -> None:
    """Run the background worker: scheduled and queued harvests, and search index changes from the outbox."""
    import logging
    import threading

    from catalog import worker as background
    from catalog.services.files import file_store
    from harvesters.tasks import huey

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    file_store().claim_scratch()
    stop = threading.Event()
    outbox = threading.Thread(
        target=background.run, kwargs={"poll_seconds": poll, "should_stop": stop.is_set}, daemon=True
    )
    outbox.start()
    console.print("worker started (Ctrl+C to stop)")
    try:
        huey.create_consumer(workers=threads, worker_type="thread").run()
    finally:
        stop.set()


@app.command()
def demo() -> None:
    """Load the Kota Pontianak demo catalogue (idempotent)."""
    from catalog.db import session_scope
    from catalog.demo import load_demo
    from catalog.worker import sync_datastore

    upgrade_database()
    with session_scope() as session:
        summary = load_demo(session, progress=console)
    console.print(summary)
    # What the worker does after publication, so that `make demo` (a server, no worker) can be queried.
    console.print(f"datastore: {sync_datastore()} tables loaded")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    reload: Annotated[bool, typer.Option()] = False,
) -> None:
    """Serve the portal and the API."""
    import uvicorn

    from catalog.services.files import file_store

    file_store().claim_scratch()  # the server's temporary files, its worker processes' too (TMPDIR)
    uvicorn.run(
        "catalog.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
    )


def _register_plugins() -> None:
    """The composition root: commands that live in the other packages."""
    from catalog.cli_push import push_app
    from catalog.datastore.cli import datastore_app
    from harvesters.cli import harvest_app, source_app
    from schemas.cli import validate

    app.command("validate")(validate)
    app.command("doctor")(cli_ops.doctor)
    app.command("backup")(cli_ops.backup)
    app.command("restore")(cli_ops.restore)
    app.add_typer(source_app, name="source")
    app.add_typer(harvest_app, name="harvest")
    app.add_typer(datastore_app, name="datastore")
    app.add_typer(push_app, name="push")


_register_plugins()
