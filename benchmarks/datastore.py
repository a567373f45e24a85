"""Datastore benchmark: a 1,000,000-row resource (the validation benchmark's table) published, loaded and queried.

Run: .venv/bin/python benchmarks/datastore.py [--rows N] [--runs N]

Measures, on a SQLite catalogue in a temporary folder: the worker's load of the published resource
(typed by its Table Schema, written to Parquet) beside DuckDB's own CSV → Parquet copy with
auto-detected types (no schema, the floor), and through the HTTP API (uvicorn on 127.0.0.1, one
keep-alive client) the p50/p95 latency of a filter + sort + limit 100, a group-by over the 6-value
column with sum and avg, a point lookup by key, beside the same queries run on DuckDB directly, and
a full CSV export.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

TARGETS = {"ingest_s": 5.0, "filter_p95_ms": 100.0, "group_p95_ms": 100.0, "lookup_p95_ms": 20.0}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _publish(csv_path: Path, schema: dict[str, Any]) -> int:
    """The file as the only resource of a published release; returns the resource id."""
    from catalog.db import session_scope
    from catalog.migrate import upgrade
    from catalog.models import DatasetCreate, OrganizationCreate, Role
    from catalog.services.datasets import create_dataset
    from catalog.services.files import IncomingFile
    from catalog.services.organizations import create_organization
    from catalog.services.reference import ensure_reference_data
    from catalog.services.releases import create_release, transition
    from catalog.services.users import create_user
    from catalog.settings import get_settings
    from catalog.workflow import Action

    upgrade(get_settings().database_url)
    with session_scope() as session:
        ensure_reference_data(session)
        admin = create_user(session, username="admin", role=Role.admin)
        walidata = create_user(session, username="walidata", role=Role.walidata)
        create_organization(session, data=OrganizationCreate(slug="dinkes", name="Dinas Kesehatan"), actor=admin)
        create_dataset(
            session,
            data=DatasetCreate(slug="warga", organization="dinkes", title="Warga per kecamatan"),
            actor=admin,
        )
        with csv_path.open("rb") as stream:
            release = create_release(
                session, dataset_slug="warga", actor=admin, files=[IncomingFile("warga.csv", stream)], schema=schema
            )
        transition(session, release_id=release.id or 0, action=Action.submit, actor=admin)
        transition(session, release_id=release.id or 0, action=Action.approve, actor=walidata)
        return int(release.resources[0].id or 0)


def _serve() -> str:
    import uvicorn

    from catalog.app import create_app
    from tests.conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}"


def _time(run: Callable[[], Any], runs: int) -> list[float]:
    run()  # warm: the Parquet footer is read and cached once
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="terbuka-bench-datastore-"))
    os.environ["TERBUKA_DATA_DIR"] = str(workdir / "var")
    os.environ["TERBUKA_DATABASE_URL"] = f"sqlite:///{workdir / 'terbuka.db'}"
    os.environ["TERBUKA_RATE_LIMIT_PER_MINUTE"] = "0"  # one client asks thousands of times a minute

    import duckdb
    import httpx

    from benchmarks.validate import KECAMATAN, SCHEMA, generate
    from catalog.datastore.engine import parquet_path
    from catalog.datastore.ingest import ingest_pending

    source = workdir / "warga.csv"
    generate(source, args.rows, 0.0)
    print(f"{args.rows:,} rows, {source.stat().st_size / 1e6:.0f} MB CSV; publishing (validation included)…")
    resource_id = _publish(source, SCHEMA)

    started = time.perf_counter()
    assert ingest_pending() == 1
    ingest = time.perf_counter() - started
    floor_target = workdir / "floor.parquet"
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{source}')) TO '{floor_target}' (FORMAT parquet)")
    floor = time.perf_counter() - started

    rng = random.Random(11)
    base = _serve()
    path = f"{base}/api/v1/datastore/{resource_id}"
    table = f"read_parquet('{parquet_path(resource_id)}')"
    direct = duckdb.connect()
    queries: dict[str, tuple[Callable[[], dict[str, Any]], Callable[[], str]]] = {
        "filter + sort + limit 100": (
            lambda: {
                "filters": json.dumps({"kecamatan": rng.choice(KECAMATAN)}),
                "ranges": json.dumps({"umur": {"gte": rng.randrange(100)}}),
                "sort": "nilai desc",
                "limit": 100,
            },
            lambda: (
                f"SELECT * FROM {table} WHERE kecamatan = '{rng.choice(KECAMATAN)}' AND umur >= "
                f"{rng.randrange(100)} ORDER BY nilai DESC LIMIT 100"
            ),
        ),
        "group-by kecamatan, sum + avg": (
            lambda: {"group_by": "kecamatan", "aggregate": "sum:nilai,avg:umur"},
            lambda: f"SELECT kecamatan, sum(nilai), avg(umur) FROM {table} GROUP BY kecamatan ORDER BY kecamatan",
        ),
        "point lookup by key": (
            lambda: {"filters": json.dumps({"id": rng.randrange(1, args.rows + 1)})},
            lambda: f"SELECT * FROM {table} WHERE id = {rng.randrange(1, args.rows + 1)}",
        ),
    }
    results = {}
    with httpx.Client() as client:
        for label, (params, sql) in queries.items():
            api = _time(lambda params=params: client.get(path, params=params()).raise_for_status(), args.runs)
            duck = _time(lambda sql=sql: direct.execute(sql()).fetchall(), args.runs)
            results[label] = (_percentiles(api), _percentiles(duck))
        exports = []
        size = 0
        for _ in range(3):
            started = time.perf_counter()
            with client.stream("GET", path, params={"format": "csv"}, timeout=120) as response:
                size = sum(len(chunk) for chunk in response.iter_bytes())
            exports.append(time.perf_counter() - started)
    export = statistics.median(exports)

    print(f"\ningest (worker, typed by the schema): {ingest:.2f} s   target ≤ {TARGETS['ingest_s']:.0f} s")
    print(f"DuckDB's own CSV → Parquet, auto-detected types: {floor:.2f} s ({ingest / floor:.1f}× of it)")
    print(f"\n{'query (' + str(args.runs) + ' runs)':34} {'API p50':>9} {'API p95':>9} {'DuckDB p50':>11} {'p95':>7}")
    for label, ((p50, p95), (d50, d95)) in results.items():
        print(f"{label:34} {p50:7.1f}ms {p95:7.1f}ms {d50:9.1f}ms {d95:5.1f}ms")
    print(f"\nfull CSV export: {export:.2f} s median of 3, {size / 1e6:.0f} MB ({size / 1e6 / export:.0f} MB/s)")
    checks = {
        "ingest": ingest <= TARGETS["ingest_s"],
        "filter": results["filter + sort + limit 100"][0][1] <= TARGETS["filter_p95_ms"],
        "group-by": results["group-by kecamatan, sum + avg"][0][1] <= TARGETS["group_p95_ms"],
        "lookup": results["point lookup by key"][0][1] <= TARGETS["lookup_p95_ms"],
    }
    print("targets: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in checks.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
