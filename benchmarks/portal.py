"""Portal benchmark: response times of the public pages, and a Lighthouse audit of them.

The Pontianak demo plus N datasets harvested from a CKAN-shaped portal on 127.0.0.1 (10,000 by default)
on a fresh SQLite catalogue; the app runs under uvicorn (one process) and is asked over loopback HTTP,
one request at a time, 200 times per page. The API's JSON for the same data is timed alongside as the
baseline. Then Lighthouse (npm, pinned in package.json) audits the four pages with mobile emulation
through Debian's chromium. Run: .venv/bin/python benchmarks/portal.py [--datasets N] [--requests N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
TARGET_P95_MS = 50.0
TARGET_SCORE = 95
PAGES = {
    "home": ("/", "/api/v1/search?sort=newest&per_page=6"),
    "search": ("/cari?q=penduduk", "/api/v1/search?q=penduduk"),
    "dataset": ("/dataset/jumlah-penduduk-kecamatan", "/api/v1/datasets/jumlah-penduduk-kecamatan"),
    "opd": ("/opd/disdukcapil", "/api/v1/datasets?organization=disdukcapil"),
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def load_catalogue(datasets: int) -> None:
    """The demo, then ``datasets`` harvested CKAN datasets published at once."""
    from sqlmodel import Session

    from benchmarks.harvest import serve_portal
    from catalog.db import get_engine
    from catalog.demo import load_demo
    from catalog.migrate import upgrade
    from catalog.models import Organization
    from catalog.services import search_index
    from catalog.services.reference import ensure_reference_data
    from catalog.settings import get_settings
    from harvesters.sources import add_source, run_source

    upgrade(get_settings().database_url)
    with Session(get_engine(), expire_on_commit=False) as session:
        ensure_reference_data(session)
        load_demo(session)
        session.commit()
        if datasets:
            orders, theirs = multiprocessing.Pipe()
            server = multiprocessing.get_context("spawn").Process(target=serve_portal, args=(datasets, theirs))
            server.start()
            if not orders.poll(300):
                raise SystemExit("the CKAN portal did not start")
            url = orders.recv()
            session.add(Organization(slug="harvest-ckan", name="Portal CKAN terpanen", abbreviation="CKAN"))
            session.commit()
            source = add_source(session, organization="harvest-ckan", type="ckan", url=url, publish="auto")
            assert source.id is not None
            job = run_source(session, source_id=source.id)
            session.commit()
            orders.send(None)
            server.join()
            if job.status != "finished":
                raise SystemExit(f"harvest: {job.status} {job.error}")
    search_index.sync_after_commit()
    with Session(get_engine()) as session:
        search_index.reindex(session)


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "catalog.app:create_app", "--factory", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the app did not start")


def timings(base: str, path: str, requests: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds over ``requests`` sequential requests (after 5 to warm up), and the size."""
    import httpx

    with httpx.Client(base_url=base) as client:
        for _ in range(5):
            client.get(path).raise_for_status()
        samples = []
        size = 0
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            size = len(response.content)
    quantiles = statistics.quantiles(samples, n=100)
    return quantiles[49], quantiles[94], size


def lighthouse(url: str, attempts: int = 2) -> dict[str, int]:
    """The four category scores of one mobile Lighthouse run (retried once: chromium may fail to start on a
    machine this busy)."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--form-factor=mobile",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox",
        "--max-wait-for-load=60000",
        "--output=json",
        "--quiet",
    ]
    errors = ""
    for _ in range(attempts):
        out = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, check=False)
        if out.returncode == 0:
            report = json.loads(out.stdout)
            return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
        errors = out.stderr.decode()[-2000:]
    raise SystemExit(f"lighthouse failed on {url}: {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--workdir", type=Path, help="reuse the catalogue an earlier run loaded into this folder")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="terbuka-bench-portal-"))
    os.environ.setdefault("TERBUKA_DATABASE_URL", f"sqlite:///{workdir / 'terbuka.db'}")
    os.environ["TERBUKA_DATA_DIR"] = str(workdir / "data")
    os.environ["TERBUKA_HARVEST_ALLOWED_HOSTS"] = "127.0.0.0/8"
    os.environ["TERBUKA_RATE_LIMIT_PER_MINUTE"] = "0"  # one client asks thousands of times a minute
    base = f"http://127.0.0.1:{args.port}"
    os.environ["TERBUKA_BASE_URL"] = base
    if args.workdir is None:
        started = time.perf_counter()
        load_catalogue(args.datasets)
        seconds = time.perf_counter() - started
        print(f"catalogue: demo + {args.datasets:,} harvested datasets, loaded in {seconds:.0f} s")
    print(f"catalogue in {workdir}")
    server = start_server(args.port)
    try:
        print(f"{'page':<10}{'p50 ms':>8}{'p95 ms':>8}{'KB':>6}   {'API p50':>8}{'API p95':>8}  verdict")
        for name, (page, api) in PAGES.items():
            p50, p95, size = timings(base, page, args.requests)
            a50, a95, _ = timings(base, api, args.requests)
            verdict = "ok" if p95 <= TARGET_P95_MS else "over target"
            print(f"{name:<10}{p50:>8.1f}{p95:>8.1f}{size / 1000:>6.0f}   {a50:>8.1f}{a95:>8.1f}  {verdict}")
        if args.no_lighthouse or not LIGHTHOUSE.exists():
            print("lighthouse skipped (run npm ci)")
            return
        print(f"lighthouse {'  '.join(f'{c:>14}' for c in CATEGORIES)}")
        for name in ("home", "search", "dataset", "opd"):
            scores = lighthouse(base + PAGES[name][0])
            low = [c for c, s in scores.items() if s < TARGET_SCORE]
            line = "  ".join(f"{scores[c]:>14}" for c in CATEGORIES)
            print(f"{name:<10}{line}  {'ok' if not low else 'below 95: ' + ', '.join(low)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
