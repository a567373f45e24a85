"""Search shows exactly the published datasets: the outbox keeps the index in step."""

from pathlib import Path

from sqlmodel import Session, col, select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.models import SearchOutbox
from catalog.services import search_index
from tests.catalog.conftest import Catalogue


def _slugs(catalogue: Catalogue, **params: str) -> list[str]:
    response = catalogue.client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    return [hit["slug"] for hit in response.json()["hits"]]


def test_publish_edit_withdraw_follow_in_search(catalogue: Catalogue) -> None:
    assert _slugs(catalogue, q="puskesmas") == []
    release = catalogue.publish("dinkes-puskesmas")
    catalogue.publish("disdukcapil-penduduk")
    assert _slugs(catalogue, q="puskesmas") == ["dinkes-puskesmas"]
    body = catalogue.client.get("/api/v1/search", params={"q": "penduduk"}).json()
    assert body["total"] == 1 and body["facets"]["organization"] == {"disdukcapil": 1}
    assert "<mark>" in "".join(body["hits"][0]["highlights"].values())

    catalogue.client.patch(
        "/api/v1/datasets/dinkes-puskesmas",
        headers=catalogue.dinkes.headers,
        json={"title": "Daftar Pusat Kesehatan Masyarakat dan Posyandu"},
    )
    assert _slugs(catalogue, q="posyandu") == ["dinkes-puskesmas"]

    catalogue.act(catalogue.walidata, release["id"], "withdraw", "data ganda")
    assert _slugs(catalogue, q="posyandu") == []
    assert sorted(_slugs(catalogue)) == ["disdukcapil-penduduk"]


def test_drafts_and_submitted_releases_never_show(catalogue: Catalogue) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    catalogue.act(catalogue.dinkes, release["id"], "submit")
    assert _slugs(catalogue, q="puskesmas") == []


def test_a_failed_index_write_is_retried_from_the_outbox(
    catalogue: Catalogue, session: Session, data_dir: Path
) -> None:
    search_index.search_backend.cache_clear()
    (data_dir / "search.db").mkdir(parents=True)  # the index cannot be opened: every write fails
    catalogue.publish("dinkes-puskesmas")
    pending = session.exec(select(SearchOutbox).where(col(SearchOutbox.processed).is_(None))).all()
    assert [row.dataset_id for row in pending] != []

    (data_dir / "search.db").rmdir()
    search_index.search_backend.cache_clear()
    result = CliRunner().invoke(app, ["search", "sync"])
    assert result.exit_code == 0, result.output
    assert _slugs(catalogue, q="puskesmas") == ["dinkes-puskesmas"]
    session.expire_all()
    assert session.exec(select(SearchOutbox).where(col(SearchOutbox.processed).is_(None))).all() == []


def test_reindex_rebuilds_from_the_catalogue(catalogue: Catalogue, data_dir: Path) -> None:
    catalogue.publish("dinkes-puskesmas")
    search_index.search_backend().reindex([])
    assert _slugs(catalogue, q="puskesmas") == []
    result = CliRunner().invoke(app, ["search", "reindex"])
    assert result.exit_code == 0 and "indexed 1 published datasets" in result.output
    assert _slugs(catalogue, q="puskesmas") == ["dinkes-puskesmas"]


def test_search_errors_and_suggest(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    bad = catalogue.client.get("/api/v1/search", params={"sort": "random"})
    assert bad.status_code == 422
    suggestions = catalogue.client.get("/api/v1/search/suggest", params={"q": "pusk"}).json()
    assert any("Puskesmas" in s["text"] for s in suggestions), suggestions


def test_worker_applies_the_outbox_until_stopped(catalogue: Catalogue, data_dir: Path) -> None:
    from catalog import worker

    search_index.search_backend.cache_clear()
    (data_dir / "search.db").mkdir(parents=True)
    catalogue.publish("dinkes-puskesmas")
    (data_dir / "search.db").rmdir()
    search_index.search_backend.cache_clear()
    rounds = iter([False, True])
    worker.run(poll_seconds=0, should_stop=lambda: next(rounds))
    assert _slugs(catalogue, q="puskesmas") == ["dinkes-puskesmas"]
