"""Harvest benchmark: a CKAN-shaped portal on 127.0.0.1 with 10,000 datasets (one small CSV each).

Full harvest, then an unchanged re-harvest, then a re-harvest with 1% of the datasets changed, on a fresh
SQLite catalogue (or TERBUKA_DATABASE_URL). The portal runs in a process of its own, as a remote portal
would. Run: .venv/bin/python benchmarks/harvest.py [--datasets N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from schemas.wilayah import kecamatan_names

TARGETS = {"full": 60.0, "unchanged": 5.0, "changed": 10.0}
KECAMATAN = kecamatan_names()


def csv_for(number: int, revision: int = 0) -> bytes:
    rows = [f"{k},{1000 + number * 7 + i + revision}" for i, k in enumerate(KECAMATAN)]
    return ("kecamatan,jumlah\n" + "\n".join(rows) + "\n").encode()


def serve_portal(datasets: int, orders: Connection) -> None:
    """The portal's process: serve ``datasets`` datasets, apply each ("change", numbers) order, stop on None."""
    from tests.harvesters.ckan_portal import CkanPortal

    portal = CkanPortal().start()
    for number in range(datasets):
        name = f"data-{number:05d}"
        portal.files[f"/files/{name}.csv"] = csv_for(number)
        portal.add(
            name,
            "2025-01-01T00:00:00.000000",
            title=f"Jumlah Penduduk Menurut Kecamatan {number}",
            resources=[{"name": name, "format": "CSV", "url": f"{portal.url}/files/{name}.csv"}],
        )
    orders.send(portal.url)
    for _, numbers in iter(orders.recv, None):
        for number in numbers:
            name = f"data-{number:05d}"
            portal.files[f"/files/{name}.csv"] = csv_for(number, revision=1)
            portal.packages[name]["metadata_modified"] = "2099-01-01T00:00:00.000000"
        orders.send("changed")
    portal.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="terbuka-bench-harvest-"))
    os.environ.setdefault("TERBUKA_DATABASE_URL", f"sqlite:///{workdir / 'terbuka.db'}")
    os.environ["TERBUKA_DATA_DIR"] = str(workdir / "data")
    os.environ["TERBUKA_HARVEST_ALLOWED_HOSTS"] = "127.0.0.0/8"

    from rich.console import Console
    from rich.progress import Progress
    from sqlmodel import Session, func, select

    from catalog.db import get_engine
    from catalog.migrate import upgrade
    from catalog.models import Organization, Release
    from catalog.services.reference import ensure_reference_data
    from catalog.settings import get_settings
    from harvesters.sources import add_source, run_source

    console = Console(stderr=True)
    upgrade(get_settings().database_url)
    orders, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_portal, args=(args.datasets, theirs))
    server.start()
    if not orders.poll(300):
        raise SystemExit("the portal did not start")
    portal_url = orders.recv()
    figures: dict[str, float] = {}
    with Session(get_engine(), expire_on_commit=False) as session:
        ensure_reference_data(session)
        session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
        session.commit()
        source_id = add_source(session, organization="diskominfo", type="ckan", url=portal_url, publish="auto").id
        assert source_id is not None

        def timed(label: str) -> None:
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task(label, total=None)
                started = time.perf_counter()
                job = run_source(
                    session,
                    source_id=source_id,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
                figures[label] = time.perf_counter() - started
            if job.status != "finished" or job.counts["errors"]:
                from catalog.models import HarvestItem

                item = session.exec(select(HarvestItem).where(HarvestItem.status == "error")).first()
                raise SystemExit(f"{label} harvest: {job.status} {job.error or ''} {job.counts} {item and item.errors}")
            console.print(f"{label}: {job.counts}")

        timed("full")
        timed("unchanged")
        changed = max(1, args.datasets // 100)
        orders.send(("change", list(range(0, args.datasets, args.datasets // changed)[:changed])))
        orders.recv()
        timed("changed")
        releases = session.exec(select(func.count()).select_from(Release)).one()
    orders.send(None)
    server.join()
    assert releases == args.datasets + changed, releases
    print(f"harvest benchmark: {args.datasets:,} CKAN datasets, one CSV each; {changed} changed in the last run")
    print(f"{'run':<12}{'seconds':>10}{'datasets/s':>12}{'target s':>10}  verdict")
    for label, seconds in figures.items():
        verdict = "ok" if seconds <= TARGETS[label] else "over target"
        print(f"{label:<12}{seconds:>10.2f}{args.datasets / seconds:>12,.0f}{TARGETS[label]:>10.0f}  {verdict}")
    print(f"unchanged re-harvest is {figures['full'] / figures['unchanged']:.0f}× faster than the full harvest")


if __name__ == "__main__":
    main()
