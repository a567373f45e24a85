"""Two API processes and two workers on one PostgreSQL: no job runs twice, no release is published twice,
and search stays in step on every process."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlmodel import Session, col, func, select

from catalog.models import Dataset, DatasetCreate, HarvestJob, OrganizationCreate, Release, Role
from catalog.services.datasets import create_dataset
from catalog.services.organizations import create_organization
from tests.conftest import free_port
from tests.harvesters.helpers import serve_folder

POSTGRES_URL = os.environ.get("TERBUKA_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TERBUKA_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="scale-out runs on PostgreSQL (TERBUKA_TEST_DATABASE_URL)")
TERBUKA = [sys.executable, "-c", "from catalog.cli import app; app()"]
FILES = 12


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [*TERBUKA, *args], env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2]
    )


@pytest.fixture
def cluster(
    database_url: str, data_dir: Path, tmp_path: Path, session: Session, make_account: Any
) -> Iterator[dict[str, Any]]:
    root = make_account("root", Role.admin)
    create_organization(
        session, data=OrganizationCreate(slug="dinkes", name="Dinas Kesehatan", abbreviation="Dinkes"), actor=root.user
    )
    create_dataset(
        session,
        actor=root.user,
        data=DatasetCreate(slug="dinkes-puskesmas", organization="dinkes", title="Daftar Puskesmas"),
    )
    session.commit()
    accounts = {
        "producer": make_account("dinkes-data", Role.produsen, "dinkes"),
        "walidata": make_account("walidata", Role.walidata),
    }
    session.commit()
    env = {
        **os.environ,
        "TERBUKA_DATABASE_URL": database_url,
        "TERBUKA_DATA_DIR": str(data_dir),
        "TERBUKA_HARVEST_ALLOWED_HOSTS": "127.0.0.0/8",
        "TERBUKA_RATE_LIMIT_PER_MINUTE": "0",
        "TERBUKA_RATE_LIMIT_WRITES_PER_MINUTE": "0",
    }
    if REDIS_URL:
        env["TERBUKA_REDIS_URL"] = REDIS_URL
    ports = [free_port(), free_port()]
    processes = [start(["serve", "--port", str(p)], env, tmp_path / f"api-{p}.log") for p in ports]
    processes += [start(["worker", "--poll", "0.5"], env, tmp_path / f"worker-{n}.log") for n in (1, 2)]
    apis = [httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=60) for p in ports]
    try:
        deadline = time.monotonic() + 60
        for api in apis:
            while True:
                try:
                    if api.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "an API process did not start"
                time.sleep(0.2)
        yield {"apis": apis, "accounts": accounts, "tmp": tmp_path}
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait(timeout=30)
        for api in apis:
            api.close()


def slugs_found(api: httpx.Client, q: str) -> list[str]:
    return [hit["slug"] for hit in api.get("/api/v1/search", params={"q": q}).json()["hits"]]


def test_one_release_is_published_once_whichever_process_approves(cluster: dict[str, Any], session: Session) -> None:
    a, b = cluster["apis"]
    producer, walidata = cluster["accounts"]["producer"], cluster["accounts"]["walidata"]
    made = a.post(
        "/api/v1/datasets/dinkes-puskesmas/releases",
        headers=producer.headers,
        files=[("files", ("p.csv", b"nama,kecamatan\nPuskesmas Kampung Dalam,Pontianak Timur\n", "text/csv"))],
    )
    assert made.status_code == 201, made.text
    release = made.json()["id"]
    assert b.post(f"/api/v1/releases/{release}/submit", headers=producer.headers).status_code == 200

    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def approve(api: httpx.Client) -> None:
        barrier.wait()
        statuses.append(api.post(f"/api/v1/releases/{release}/approve", headers=walidata.headers).status_code)

    threads = [threading.Thread(target=approve, args=(api,)) for api in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    activity = b.get("/api/v1/datasets/dinkes-puskesmas/activity", headers=walidata.headers).json()["items"]
    assert [e["action"] for e in activity].count("release.approve") == 1

    for api in (a, b):  # each process's search sees the publication
        deadline = time.monotonic() + 20
        while "dinkes-puskesmas" not in [
            h["slug"] for h in api.get("/api/v1/search", params={"q": "puskesmas"}).json()["hits"]
        ]:
            assert time.monotonic() < deadline, "search on one process missed the publication"
            time.sleep(0.3)


def test_a_harvest_queued_on_both_processes_runs_once_across_two_workers(
    cluster: dict[str, Any], session: Session, tmp_path: Path
) -> None:
    a, b = cluster["apis"]
    walidata = cluster["accounts"]["walidata"]
    folder = tmp_path / "drop"
    folder.mkdir()
    manifest: dict[str, Any] = {"files": {}}
    for n in range(FILES):
        (folder / f"puskesmas-{n:02d}.csv").write_text(f"nama,jumlah\nPuskesmas {n},{n}\n")
        manifest["files"][f"puskesmas-{n:02d}.csv"] = {"title": f"Puskesmas wilayah {n}", "frequency": "tahunan"}
    (folder / "terbuka.yaml").write_text(yaml.safe_dump(manifest))
    with serve_folder(folder) as url:
        source = a.post(
            "/api/v1/harvest/sources",
            headers=walidata.headers,
            json={"organization": "dinkes", "type": "files", "url": url + "/", "publish": "auto"},
        )
        assert source.status_code == 201, source.text
        run = f"/api/v1/harvest/sources/{source.json()['id']}/run"
        queued = [api.post(run, headers=walidata.headers) for api in (a, b, a, b)]
        assert [r.status_code for r in queued] == [202] * 4

        deadline = time.monotonic() + 300
        while True:
            session.expire_all()
            busy = session.exec(select(func.count()).where(col(HarvestJob.status).in_(["queued", "running"]))).one()
            if not busy:
                break
            assert time.monotonic() < deadline, "the harvest jobs did not finish"
            time.sleep(0.5)

    session.expire_all()
    jobs = session.exec(select(HarvestJob)).all()
    assert any(job.status == "finished" and job.counts.get("created") == FILES for job in jobs), [
        (j.status, j.counts, j.error) for j in jobs
    ]
    harvested = session.exec(select(Dataset).where(col(Dataset.slug).like("puskesmas-%"))).all()
    assert len(harvested) == FILES
    per_dataset = session.exec(
        select(Release.dataset_id, func.count())
        .where(col(Release.dataset_id).in_([d.id for d in harvested]))
        .group_by(col(Release.dataset_id))
    ).all()
    assert sorted(count for _, count in per_dataset) == [1] * FILES  # no job imported anything twice
    for api in (a, b):
        deadline = time.monotonic() + 20
        while api.get("/api/v1/search", params={"q": "puskesmas wilayah", "per_page": 50}).json()["total"] < FILES:
            assert time.monotonic() < deadline, "search on one process missed harvested datasets"
            time.sleep(0.3)
