"""Interoperability benchmark: a catalogue of 10,000 published datasets behind a real server on 127.0.0.1.

Measures CKAN's package_search (q + two fq + two facets) and package_show, ``ckanapi dump datasets --all``
and the whole paged /catalog.ttl, each beside its baseline in the same run: Terbuka's own API doing the
same work (/api/v1/search, /api/v1/datasets/{slug}, /api/v1/datasets paged).

Run: .venv/bin/python benchmarks/interop.py [--datasets N] [--queries N]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if not __package__:
    sys.path[0] = str(ROOT)  # run as a file: the repository, not this folder, comes first

from benchmarks.search import BY, OPDS, OPENERS, SENTENCES, SUBJECTS  # noqa: E402

TARGETS = {"package_search p95 ms": 30.0, "package_show p95 ms": 10.0, "dump s": 30.0, "catalog.ttl s": 20.0}
TAGS = ["kesehatan", "penduduk", "sekolah", "anggaran", "jalan", "sampah", "banjir", "pasar", "umkm", "wisata"]
CSV = b"kode_kecamatan,kecamatan,jumlah\n61.71.01,Pontianak Selatan,120\n61.71.02,Pontianak Timur,98\n"


def load_catalogue(count: int, seed: int = 7) -> None:
    """``count`` published datasets with one stored CSV each, written in bulk, then indexed for search."""
    from sqlmodel import Session, select

    from catalog.db import get_engine
    from catalog.migrate import upgrade
    from catalog.models import Dataset, Organization, Release, ReleaseState, Resource, Tag, Theme, UpdateFrequency
    from catalog.services import search_index
    from catalog.services.files import file_store
    from catalog.services.reference import ensure_reference_data
    from catalog.settings import get_settings

    rng = random.Random(seed)
    upgrade(get_settings().database_url)
    stored = file_store().put_bytes(CSV)
    with Session(get_engine()) as session:
        ensure_reference_data(session)
        organizations = [
            Organization(slug=re.sub(r"[^a-z0-9]+", "-", abbr.lower()).strip("-"), name=name, abbreviation=abbr)
            for name, abbr in OPDS
        ]
        tags = [Tag(name=name) for name in TAGS]
        session.add_all([*organizations, *tags])
        session.flush()
        themes = list(session.exec(select(Theme)).all())
        now = datetime.now(UTC)
        frequencies = list(UpdateFrequency)
        for start in range(0, count, 1000):
            datasets = []
            for number in range(start, min(count, start + 1000)):
                title = f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} {rng.choice(BY)} {2015 + number % 10}"
                dataset = Dataset(
                    slug=f"dataset-{number:05d}",
                    title=title,
                    description=" ".join(rng.sample(SENTENCES, 2)),
                    organization_id=rng.choice(organizations).id or 0,
                    update_frequency=rng.choice(frequencies),
                    temporal_start=date(2015 + number % 10, 1, 1),
                    temporal_end=date(2015 + number % 10, 12, 31),
                    spatial_coverage=["61.71"],
                    contact_email="data@pontianak.go.id",
                    created=now - timedelta(days=number % 900),
                    modified=now - timedelta(days=number % 700),
                )
                dataset.tags = rng.sample(tags, 2)
                dataset.themes = [rng.choice(themes)]
                datasets.append(dataset)
            session.add_all(datasets)
            session.flush()
            releases = [
                Release(dataset_id=d.id or 0, number=1, state=ReleaseState.published, published_at=d.modified)
                for d in datasets
            ]
            session.add_all(releases)
            session.flush()
            session.add_all(
                Resource(
                    release_id=r.id or 0,
                    name="data.csv",
                    format="CSV",
                    media_type="text/csv",
                    byte_size=stored.byte_size,
                    sha256=stored.sha256,
                    validation_valid=True,
                )
                for r in releases
            )
            session.commit()
        search_index.reindex(session)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**env, "TERBUKA_BASE_URL": f"http://127.0.0.1:{port}"}  # Hydra links must point at this server
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "catalog.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def latencies(client: httpx.Client, requests: list[tuple[str, dict[str, Any]]]) -> list[float]:
    times = []
    for path, params in requests:
        started = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


def p(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 else values[0]


def search_requests(rng: random.Random, count: int) -> tuple[list[Any], list[Any]]:
    """The same queries for CKAN (q + two fq + two facets) and for /api/v1/search (q + two filters)."""
    ckan, native = [], []
    for _ in range(count):
        words = rng.choice(SUBJECTS).split()[0].lower()
        organization = re.sub(r"[^a-z0-9]+", "-", rng.choice(OPDS)[1].lower()).strip("-")
        tag = rng.choice(TAGS)
        ckan.append(
            (
                "/api/3/action/package_search",
                {"q": words, "fq": f"organization:{organization} tags:{tag}", "facet.field": '["organization","tags"]'},
            )
        )
        native.append(("/api/v1/search", {"q": words, "organization": organization, "tag": tag}))
    return ckan, native


def whole(client: httpx.Client, first: str) -> tuple[float, int, int]:
    """Seconds to follow every page from ``first``; pages and datasets seen."""
    started, url, pages, datasets = time.perf_counter(), first, 0, 0
    while url:
        response = client.get(url)
        response.raise_for_status()
        pages += 1
        if url.startswith("/catalog.ttl") or "/catalog.ttl" in url:
            datasets += response.text.count("a dcat:Dataset")
            found = re.search(r"hydra:next <([^>]+)>", response.text)
            url = found[1] if found else ""
        else:
            body = response.json()
            datasets += len(body["items"])
            url = (
                f"/api/v1/datasets?per_page=100&sort=title&page={body['page'] + 1}"
                if body["page"] * 100 < body["total"]
                else ""
            )
    return time.perf_counter() - started, pages, datasets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="terbuka-interop-") as directory:
        env = {
            **os.environ,
            "TERBUKA_DATABASE_URL": f"sqlite:///{directory}/terbuka.db",
            "TERBUKA_DATA_DIR": f"{directory}/var",
            "PYTHONPATH": str(ROOT),
            "TERBUKA_RATE_LIMIT_PER_MINUTE": "0",  # one client makes every request here, as a bulk dump does
        }
        os.environ.update(env)
        started = time.perf_counter()
        load_catalogue(args.datasets)
        seconds = time.perf_counter() - started
        print(f"catalogue of {args.datasets:,} published datasets loaded and indexed in {seconds:.1f} s")
        server, url = start_server(env)
        try:
            run(url, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(url: str, args: argparse.Namespace) -> None:
    rng = random.Random(11)
    figures: dict[str, tuple[float, float]] = {}
    with httpx.Client(base_url=url, timeout=120) as client:
        ckan, native = search_requests(rng, args.queries)
        latencies(client, ckan[:20] + native[:20])  # warm the search bitmaps and the connection
        pairs = list(zip(ckan, native, strict=True))
        ckan_times, native_times = [], []
        for ckan_request, native_request in pairs:  # interleaved: both see the same machine load
            ckan_times += latencies(client, [ckan_request])
            native_times += latencies(client, [native_request])
        figures["package_search p95 ms"] = (p(ckan_times, 0.95), p(native_times, 0.95))
        slugs = [f"dataset-{rng.randrange(args.datasets):05d}" for _ in range(args.queries)]
        show, native_show = [], []
        for slug in slugs:
            show += latencies(client, [("/api/3/action/package_show", {"id": slug})])
            native_show += latencies(client, [(f"/api/v1/datasets/{slug}", {})])
        figures["package_show p95 ms"] = (p(show, 0.95), p(native_show, 0.95))
        medians = statistics.median(ckan_times), statistics.median(show)
        print(f"package_search p50 {medians[0]:.1f} ms, package_show p50 {medians[1]:.1f} ms")
        seconds, pages, datasets = whole(client, "/catalog.ttl")
        baseline, _, listed = whole(client, "/api/v1/datasets?per_page=100&sort=title&page=1")
        assert datasets == listed == args.datasets, (datasets, listed)
        figures["catalog.ttl s"] = (seconds, baseline)
        print(f"/catalog.ttl: {pages} pages, {datasets:,} datasets")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.perf_counter()
    dump = subprocess.run(
        ["ckanapi", "dump", "datasets", "--all", "-q", "-p", "3", "-r", url], capture_output=True, env=env, check=False
    )
    if dump.returncode != 0:
        raise SystemExit(f"ckanapi dump failed: {dump.stderr.decode(errors='replace')[-3000:]}")
    figures["dump s"] = (time.perf_counter() - started, figures["catalog.ttl s"][1])
    import json

    lines = [json.loads(line) for line in dump.stdout.splitlines()]
    assert len(lines) == args.datasets and all(line["resources"] for line in lines)
    print(f"ckanapi dump datasets --all: {len(lines):,} lines, every one parsed")
    print(f"{'figure':<24}{'measured':>10}{'baseline':>10}{'ratio':>8}{'target':>8}  verdict")
    for name, (value, base) in figures.items():
        verdict = "met" if value <= TARGETS[name] else "MISSED"
        print(f"{name:<24}{value:>10.2f}{base:>10.2f}{value / base:>8.2f}{TARGETS[name]:>8.0f}  {verdict}")
    print(
        "baselines: /api/v1/search, /api/v1/datasets/{slug}; /api/v1/datasets paged whole (both whole-catalogue rows)"
    )


if __name__ == "__main__":
    main()
