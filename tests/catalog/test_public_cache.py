"""Anonymous readers' answers are kept a moment per process: this process's writes are seen at once,
another process's within the configured seconds, and signed-in readers always read the database."""

import time

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
