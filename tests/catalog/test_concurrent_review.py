"""Two reviewers act on one release at the same moment: exactly one move happens."""

import threading
from typing import Any

import httpx

from tests.catalog.conftest import Catalogue


def act_at_once(base: str, calls: list[tuple[str, dict[str, str], Any]]) -> list[int]:
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []

    def call(path: str, headers: dict[str, str], body: Any) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            barrier.wait()
            statuses.append(http.post(path, headers=headers, json=body).status_code)

    threads = [threading.Thread(target=call, args=c) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_approve_twice_at_once_publishes_once(catalogue: Catalogue, live_server: str) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    path = f"/api/v1/releases/{release['id']}/approve"
    assert act_at_once(live_server, [(path, catalogue.walidata.headers, None)] * 2) == [200, 409]
    activity = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/activity", headers=catalogue.walidata.headers)
    assert [e["action"] for e in activity.json()["items"]].count("release.approve") == 1


def test_approve_and_return_at_once_do_one_of_the_two(catalogue: Catalogue, live_server: str) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    base = f"/api/v1/releases/{release['id']}"
    statuses = act_at_once(
        live_server,
        [
            (f"{base}/approve", catalogue.walidata.headers, None),
            (f"{base}/return", catalogue.admin.headers, {"note": "kolom jumlah kosong"}),
        ],
    )
    assert statuses == [200, 409]
    state = catalogue.client.get(base, headers=catalogue.walidata.headers).json()["state"]
    assert state in ("published", "returned")
    actions = [
        e["action"]
        for e in catalogue.client.get(
            "/api/v1/datasets/dinkes-puskesmas/activity", headers=catalogue.walidata.headers
        ).json()["items"]
    ]
    assert actions.count("release.approve") + actions.count("release.return") == 1
