"""Anonymous readers' answers are kept a moment per process: this process's writes are seen at once,
another process's within the configured seconds, and signed-in readers always read the database."""

import time

import pytest
from sqlalchemy import create_engine, text

from tests.catalog.conftest import Catalogue


def _title(catalogue: Catalogue, **headers: str) -> str:
    response = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["title"])


def test_a_write_of_this_process_is_seen_at_once(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    before = _title(catalogue)
    patched = catalogue.client.patch(
        "/api/v1/datasets/dinkes-puskesmas", headers=catalogue.dinkes.headers, json={"title": "Puskesmas 2025"}
    )
    assert patched.status_code == 200, patched.text
    assert before != "Puskesmas 2025" and _title(catalogue) == "Puskesmas 2025"


def test_another_process_write_is_seen_within_the_seconds(catalogue: Catalogue, database_url: str) -> None:
    catalogue.publish("dinkes-puskesmas")
    before = _title(catalogue)
    other = create_engine(database_url)  # as another server process would write: not this process's engine
    with other.begin() as conn:
        conn.execute(text("UPDATE dataset SET title = 'Puskesmas dari proses lain' WHERE slug = 'dinkes-puskesmas'"))
    other.dispose()
    assert _title(catalogue) == before  # kept
    assert _title(catalogue, **catalogue.dinkes.headers) == "Puskesmas dari proses lain"  # signed in: never kept
    time.sleep(1.1)
    assert _title(catalogue) == "Puskesmas dari proses lain"


def test_an_unknown_dataset_is_not_kept(catalogue: Catalogue) -> None:
    assert catalogue.client.get("/api/v1/datasets/dinkes-puskesmas").status_code == 404  # no release yet
    catalogue.publish("dinkes-puskesmas")
    assert catalogue.client.get("/api/v1/datasets/dinkes-puskesmas").status_code == 200


def test_an_expired_answer_in_demand_is_computed_again_by_one_request(database_url: str) -> None:
    """While one request computes an expired answer again, the others are given the expired one."""
    from catalog.services import public_cache

    public_cache.clear()
    assert public_cache.cached("k", lambda: "first") == "first"
    assert public_cache.peek("k") == "first"  # fresh
    time.sleep(1.05)
    assert public_cache.peek("k") is None  # expired: this caller computes it again…
    assert public_cache.peek("k") == "first"  # …and meanwhile everyone else gets what is kept
    assert public_cache.cached("k", lambda: "second") == "second"
    assert public_cache.peek("k") == "second"
    public_cache.clear()  # a write of this process: nothing expired is given any more
    assert public_cache.peek("k") is None
    assert public_cache.cached("j", lambda: "kept") == "kept"
    time.sleep(1.05)
    assert public_cache.peek("j") is None  # this caller computes it again, and fails:
    with pytest.raises(ZeroDivisionError):
        public_cache.cached("j", lambda: 1 / 0)
    assert public_cache.peek("j") is None  # the key is free again: the next caller computes it


def test_download_counts_leave_the_kept_answers_alone(catalogue: Catalogue) -> None:
    from catalog.services import download_counts, public_cache

    release = catalogue.publish("dinkes-puskesmas")
    assert catalogue.client.get("/api/v1/datasets/dinkes-puskesmas").status_code == 200
    kept = public_cache.peek(("dataset", "dinkes-puskesmas"))
    assert kept is not None
    assert catalogue.client.get(
        f"/api/v1/releases/{release['id']}/resources/{release['resources'][0]['id']}/download"
    ).is_success
    download_counts.flush()  # an UPDATE of the counts, committed
    assert public_cache.peek(("dataset", "dinkes-puskesmas")) is kept


def test_a_shared_answer_is_given_again_without_running_the_route(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.services.search_index import search_backend

    catalogue.publish("dinkes-puskesmas")
    backend = search_backend()
    queries = []
    real_query = backend.query
    monkeypatch.setattr(backend, "query", lambda *a, **k: queries.append(1) or real_query(*a, **k))
    answers = [catalogue.client.get("/api/v1/search", params={"q": "puskesmas"}) for _ in range(3)]
    assert len(queries) == 1 and answers[0].content == answers[2].content
    assert answers[2].json()["total"] == 1
    # The middleware outside the kept answers still applies to each of them.
    assert answers[2].headers["x-content-type-options"] == "nosniff"
    assert answers[2].headers["content-type"] == "application/json"
    catalogue.client.get("/api/v1/search", params={"q": "puskesmas"}, headers=catalogue.dinkes.headers)
    catalogue.client.get("/api/v1/search", params={"q": "puskesmas"}, headers={"Cookie": "terbuka_session=x"})
    assert len(queries) == 3  # a reader with credentials is never given a kept answer
    catalogue.publish("dinkes-puskesmas")  # a write of this process: answered anew
    catalogue.client.get("/api/v1/search", params={"q": "puskesmas"})
    assert len(queries) == 4


def test_only_routes_marked_shared_are_kept(catalogue: Catalogue) -> None:
    from catalog.services import public_cache

    catalogue.publish("dinkes-puskesmas")
    public_cache.clear()
    assert catalogue.client.get("/api/v1/organizations").status_code == 200  # not marked
    answer = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas")  # marked
    assert answer.status_code == 200
    kept = [key for key in public_cache._entries if key[0] == "answer"]
    assert [key[1] for key in kept] == ["/api/v1/datasets/dinkes-puskesmas"]
    assert public_cache._entries[kept[0]][1][1] == answer.content
